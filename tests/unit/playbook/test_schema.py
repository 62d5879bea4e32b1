"""Tests for runner.playbook.schema and schemas/playbook.schema.json."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from runner.errors import PlaybookError, Position
from runner.playbook import schema, validation
from runner.playbook.inventory import load_inventory
from runner.playbook.loader import load_document, load_text
from runner.playbook.model import build_playbook, check_step_orgs
from runner.playbook.schema import load_schema, schema_dir, validate, validate_all

BASE = "name: x\nsteps:\n  - name: s\n    request: {path: /x}\n"


def problem(text: str) -> PlaybookError:
    with pytest.raises(PlaybookError) as caught:
        validate(load_text(text, "pb.yml"))
    return caught.value


def walk(node: Any, path: str = "#") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}/{index}")


# --- the schema file itself --------------------------------------------------------


MINE = ["playbook", "inventory"]


@pytest.mark.parametrize("name", MINE)
def test_schema_is_valid_2020_12(name: str) -> None:
    body = load_schema(name)
    Draft202012Validator.check_schema(body)
    assert body["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert body["title"] and body["description"]


@pytest.mark.parametrize("name", MINE)
def test_every_property_is_described(name: str) -> None:
    body = load_schema(name)
    undescribed = []
    for where, node in walk(body):
        if "/if" in where:
            continue  # conditions, not shapes
        for name, sub in node.get("properties", {}).items():
            target = sub
            if "description" not in sub and "$ref" in sub:
                file, _, pointer = sub["$ref"].partition("#")
                owner = load_schema(file.removesuffix(".schema.json")) if file else body
                target = owner["$defs"][pointer.split("/")[-1]]
            if "description" not in target:
                undescribed.append(f"{where}/properties/{name}")
    assert undescribed == []


@pytest.mark.parametrize("name", MINE)
def test_every_object_is_closed(name: str) -> None:
    open_objects = [
        where
        for where, node in walk(load_schema(name))
        if "properties" in node
        and node.get("additionalProperties") is not False
        and "/if" not in where
    ]
    assert open_objects == []


def test_defaults_and_examples_are_valid_where_given() -> None:
    body = load_schema("playbook")
    validator = Draft202012Validator(body, registry=schema.registry())
    assert validator.is_valid({"name": "x", "steps": body["$defs"]["step"]["examples"]})
    steps = [{"name": "s", "assert": "1"}]
    for example in body["properties"]["orgs"]["examples"]:
        assert validator.is_valid({"name": "x", "orgs": example, "steps": steps})


def test_schema_dir_from_checkout() -> None:
    assert (schema_dir() / "playbook.schema.json").is_file()


# --- good documents ----------------------------------------------------------------

GOOD = """\
name: Smoke
vars: {api: v60.0}
keys:
  main:
    private_key: certs/server.key
    certificate: certs/server.crt
    generate: if_missing
    bits: 2048
    days: 365
    subject: {CN: sfjwt-run, C: US}
    min_days_left: 30
orgs:
  uat:
    login_url: https://test.salesforce.com
    client_id: "{{ env.UAT_CLIENT_ID }}"
    username: api.user@acme.com.uat
    key: main
    timeout: {connect: 5, read: 30}
  local:
    emulator: {latency_ms: 5}
    production: true
steps:
  - name: versions
    request: {method: GET, path: /services/data/}
    expect: {status: 200}
  - name: find
    query: SELECT Id FROM Account LIMIT 1
    expect:
      status: "2xx"
      json:
        totalSize: {gte: 1}
        records[0].Name: Acme
        records: {length: {gte: 1}}
    register: found
  - name: check
    assert: ["found.json.totalSize > 0"]
    tags: health
    orgs: [uat, "loc*"]
  - name: poll
    query: {soql: SELECT Id FROM Contact, follow_pages: false}
    retries: 3
    delay: 0.5
    until: response.json.done
    when: "{{ true }}"
    loop: [1, 2]
    timeout: 10
"""


def test_good_playbook_validates() -> None:
    validate(load_text(GOOD))
    assert validate_all(load_text(GOOD)) == []


# --- bad documents: message and position -------------------------------------------

CASES = [
    (
        BASE + "    expect:\n      status: 'OK'\n",
        (6, 7),
        "steps[0].expect.status: 'OK' is not a valid status (an integer 100–599, "
        "a list of them, or a class like '2xx')",
    ),
    (BASE + "    expect:\n      status: 700\n", (6, 7), "700 is not a valid status"),
    (BASE + "    expct: {status: 200}\n", (5, 5), "unknown key 'expct'; did you mean 'expect'?"),
    (
        "name: x\nsteps:\n  - name: s\n    expect: {status: 200}\n",
        (3, 5),
        "steps[0]: needs one of 'request', 'query', 'assert', 'debug' or 'set_fact'",
    ),
    (
        BASE + "    query: SELECT Id FROM Account\n",
        (5, 5),
        "steps[0]: 'request' and 'query' cannot be used together",
    ),
    (
        "name: x\nsteps:\n  - name: s\n    request: {path: /x, method: GTE}\n",
        (4, 25),
        "'GTE' is not one of 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'; did you mean 'GET'?",
    ),
    (
        BASE + "    expect:\n      json:\n        a: {equal: 3}\n",
        (7, 13),
        "steps[0].expect.json.a: unknown key 'equal'; did you mean 'equals'?",
    ),
    (
        BASE + "    expect:\n      json:\n        a: {gte: [1]}\n",
        (7, 13),
        "steps[0].expect.json.a.gte: expected a number or a string, got a list",
    ),
    (BASE + "    expect:\n      json:\n        a: {length: -1}\n", (7, 13), "not a valid length"),
    ("name: x\nsteps:\n  - request: {path: /x}\n", (3, 5), "steps[0]: missing required key 'name'"),
    ("name: x\n", (1, 1), "needs one of 'steps' or 'roles'"),
    ("name: x\nsteps: {a: 1}\n", (2, 1), "steps: expected a list, got a mapping"),
    ("name: x\nsteps: []\n", (2, 1), "steps: [] should be non-empty"),
    ("- a\n", (1, 1), "expected a mapping, got a list"),
    (
        BASE + "orgs:\n  uat:\n    login_url: https://x.my.salesforce.com\n    username: u\n"
        "    key: main\n",
        (6, 3),
        "orgs.uat: missing required key 'client_id' for a real org (one without `emulator:`)",
    ),
    (
        BASE + "orgs:\n  uat:\n    login_url: https://x\n    username: u\n    client_id: c\n",
        (6, 3),
        "orgs.uat: needs one of 'key' or 'private_key' for a real org",
    ),
    (
        BASE + "orgs:\n  uat:\n    emulator: true\n    key: main\n    private_key: x.key\n",
        (9, 5),
        "orgs.uat: 'key' and 'private_key' cannot be used together",
    ),
    (
        BASE + "orgs:\n  uat:\n    emulator: true\n    passphrase_env: X\n",
        (8, 5),
        "orgs.uat: 'passphrase_env' needs 'private_key'",
    ),
    (BASE + "orgs:\n  uat:\n    emulator: yes\n", (7, 5), "'yes' is not a valid emulator"),
    (BASE + "orgs:\n  uat:\n    emulator: true\n    login_url: login.salesforce.com\n",
     (8, 5), "is not a valid login_url (an http(s) URL"),
    (BASE + "vars:\n  1x: 2\n", (6, 3), "vars: '1x' is not a valid identifier"),
    (BASE + "orgs:\n  'a b': {emulator: true}\n", (6, 3), "orgs: 'a b' is not a valid name"),
    (BASE + "    register: 1x\n", (5, 5), "steps[0].register: '1x' is not a valid register"),
    (BASE + "    timeout: -1\n", (5, 5), "steps[0].timeout: -1 is less than or equal to"),
    (BASE + "orgs:\n  u:\n    emulator: true\n    timeout: {connect: 1}\n",
     (8, 5), "orgs.u.timeout: missing required key 'read'"),
    (BASE + "keys:\n  main: {private_key: a, bits: 1024}\n", (6, 26),
     "keys.main.bits: 1024 is not one of 2048, 3072, 4096"),
    (BASE + "keys:\n  main: {generate: if_missing}\n", (6, 3),
     "keys.main: missing required key 'private_key'"),
    (BASE + "keys:\n  main: {private_key: a, generate: maybe}\n", (6, 26),
     "'maybe' is not one of 'if_missing', 'never'"),
    ("name: x\nsteps:\n  - name: s\n    request: {path: services/data}\n", (4, 15),
     "'services/data' is not a valid path (a path starting with '/')"),
    ("name: x\nsteps:\n  - name: s\n    request: {path: /a, url: http://x}\n", (4, 25),
     "'path' and 'url' cannot be used together"),
    ("name: x\nsteps:\n  - name: s\n    request: {path: /a, json: {}, body: x}\n", (4, 35),
     "'json' and 'body' cannot be used together"),
    ("name: x\nsteps:\n  - name: s\n    query: {sql: x}\n", (4, 13),
     "unknown key 'sql'; did you mean 'soql'?"),
    ("name: x\nsteps:\n  - name: s\n    assert: {a: 1}\n", (4, 14),
     "steps[0].assert: unknown key 'a'"),
    ("name: x\nsteps:\n  - name: s\n    assert: 3\n", (4, 5),
     "3 is not a valid assert (an expression, a list of them, or {that, fail_msg, success_msg"),
    (BASE + "orgs:\n  u: {emulator: true, api_version: '60'}\n", (6, 23),
     "'60' is not a valid api_version (a version like 'v60.0')"),
    (BASE + "    when: [1]\n", (5, 5),
     "steps[0].when: expected a Jinja2 expression (without {{ }}) or true/false, got a list"),
    (BASE + "    expect: {status: []}\n", (5, 14), "got an empty list"),
    (BASE + "    expect: {json: {a: {}}}\n", (5, 21),
     "expected a value, a list, or an object with equals"),
    (BASE + "orgs:\n  u: {emulator: true, timeout: 0}\n", (6, 23),
     "0 is not a valid timeout (seconds, or {connect: seconds, read: seconds})"),
    (BASE + "nmae: y\n", (5, 1), "unknown key 'nmae'"),
]


@pytest.mark.parametrize(("text", "where", "message"), CASES)
def test_error_message_and_position(text: str, where: tuple[int, int], message: str) -> None:
    error = problem(text)
    assert message in error.message
    assert error.position == Position("pb.yml", *where)
    assert error.source_line == text.splitlines()[where[0] - 1]


def test_unknown_key_hint_lists_allowed_keys() -> None:
    error = problem(BASE + "    expct: {status: 200}\n")
    assert error.hint is not None and "expect" in error.hint and "register" in error.hint


def test_template_in_a_number_field_gets_a_hint() -> None:
    error = problem(BASE + "    retries: '{{ n }}'\n")
    assert error.message == "steps[0].retries: expected an integer, got a string"
    assert error.hint is not None and "string values" in error.hint


def test_emulator_options_are_checked_against_its_schema() -> None:
    error = problem(BASE + "orgs:\n  uat:\n    emulator: {latency: 3}\n")
    assert "unknown key 'latency'; did you mean 'latency_ms'?" in error.message
    validate(load_text(BASE + "orgs:\n  uat:\n    emulator: {latency_ms: 3}\n"))


def test_first_problem_in_file_wins() -> None:
    text = "name: x\nsteps:\n  - name: a\n    expct: 1\n  - name: b\n    request: {path: x}\n"
    assert "expct" in problem(text).message


def test_deepest_error_under_the_first_problem() -> None:
    text = "name: x\nsteps:\n  - request: {path: /x, method: GTE}\n"
    assert "'GTE' is not one of" in problem(text).message


def test_among_equally_deep_errors_the_earliest_wins() -> None:
    text = "name: x\nsteps:\n  - name: a\n    retries: x\n    request: {path: /}\n    expct: 1\n"
    assert "retries" in problem(text).message


def test_validate_all_reports_each_problem_in_file_order() -> None:
    text = "name: x\nsteps:\n  - name: a\n    expct: 1\n    request: {path: /}\n" \
        "  - name: b\n    request: {path: /, method: PUTT}\n"
    messages = [error.message for error in validate_all(load_text(text))]
    assert len(messages) == 2
    assert "expct" in messages[0]
    assert "PUTT" in messages[1] and "did you mean 'PUT'?" in messages[1]


def test_unknown_schema_name() -> None:
    with pytest.raises(PlaybookError, match="no schema named"):
        load_schema("nope")


def test_schemas_are_registered_by_file_name(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("playbook", "emulator"):
        shutil.copy(schema_dir() / f"{name}.schema.json", tmp_path)
    (tmp_path / "other.schema.json").write_text(
        json.dumps({"$ref": "playbook.schema.json#/$defs/name"})
    )
    monkeypatch.setattr(schema, "schema_dir", lambda: tmp_path)
    monkeypatch.setattr(validation, "schema_dir", lambda: tmp_path)
    caches = (schema.registry, schema._validator, validation._compiled)
    for cache in caches:
        cache.cache_clear()
    try:
        assert load_schema("other") == {"$ref": "playbook.schema.json#/$defs/name"}
        assert schema.schema_names() == ["emulator", "other", "playbook"]
        for check in (validate, validation.validate):  # jsonschema's, and the compiled one
            check(load_text("just-a-name\n", "x.yml"), "other")
            with pytest.raises(PlaybookError, match="not a valid"):
                check(load_text("'not a name!'\n", "x.yml"), "other")
    finally:
        for cache in caches:
            cache.cache_clear()


def test_schemas_have_no_remote_id() -> None:
    """A ``$id`` would become the base of every ``$ref``: relative refs must stay relative."""
    for name in schema.schema_names():
        body = load_schema(name)
        assert "$id" not in body, name
        refs = [node["$ref"] for _, node in walk(body) if "$ref" in node]
        assert all("://" not in ref for ref in refs), name


# --- files shipped in the repository ----------------------------------------------

REPO = Path(__file__).resolve().parents[3]
SCHEMA_LINE = "# yaml-language-server: $schema=../schemas/{}.schema.json"
SHIPPED = sorted((REPO / "playbooks").glob("*.yml")) + sorted((REPO / "playbooks").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_shipped_files_declare_and_match_their_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    kinds = [kind for kind in ("playbook", "inventory") if first == SCHEMA_LINE.format(kind)]
    assert kinds, f"{path.name} must start with {SCHEMA_LINE.format('playbook')!r} (or inventory)"
    if kinds == ["inventory"]:
        load_inventory(path)
    else:
        inventory_names: list[str] = []
        for candidate in SHIPPED:
            if candidate.read_text(encoding="utf-8").startswith(SCHEMA_LINE.format("inventory")):
                loaded = load_inventory(candidate)
                inventory_names += [*loaded.orgs, *loaded.groups]
        document = load_document(path)
        validate(document)
        playbook = build_playbook(document)
        check_step_orgs(playbook, [*playbook.orgs, *inventory_names])


def test_there_are_shipped_playbooks() -> None:
    assert any(path.name == "smoke.yml" for path in SHIPPED)

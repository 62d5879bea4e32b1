"""Tests for runner.playbook.model: defaults, shapes and cross-checks."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from runner.errors import PlaybookError, Position
from runner.playbook.loader import load_text
from runner.playbook.model import (
    IMPLICIT_ORG,
    OrgSpec,
    build_playbook,
    check_step_orgs,
    load_playbook,
)
from runner.playbook.origins import values_of
from runner.playbook.schema import validate

STEP = "steps:\n  - name: s\n    request: {path: /x}\n"

FULL = """\
name: Full
vars: {api: v60.0}
keys:
  main:
    private_key: certs/server.key
  second:
    private_key: certs/other.key
    certificate: certs/other.crt
    generate: never
    bits: 4096
    days: 30
    subject: {CN: x, O: Acme}
    min_days_left: 10
    passphrase_env: KEY_PASS
orgs:
  uat:
    login_url: https://test.salesforce.com
    client_id: "{{ env.ID }}"
    username: u@x.com
    key: main
    audience: https://test.salesforce.com
    production: true
    insecure_http: true
    vars: {region: eu}
    timeout: {connect: 2, read: 20}
    api_version: v61.0
  direct:
    login_url: https://login.salesforce.com
    client_id: c
    username: u
    private_key: certs/direct.key
    passphrase_env: PASS
    certificate: certs/direct.crt
    timeout: 15
  local:
    emulator: true
  tuned:
    emulator: {latency_ms: 10}
  off:
    emulator: false
    login_url: https://login.salesforce.com
    client_id: c
    username: u
    key: second
steps:
  - name: get
    request:
      method: POST
      path: /a
      params: {q: 1}
      headers: {X-A: b}
      json: null
      retry: true
    expect:
      status: [200, 201]
      headers: {Content-Type: {matches: json}}
      json: {a: 1}
      schema: {type: object}
      max_ms: 500
    register: got
    when: true
    loop: [1, 2]
    retries: 2
    delay: 0.5
    until: response.status == 200
    tags: [a, b]
    orgs: [uat, "lo*"]
    ignore_errors: true
    allow_write: true
    timeout: 3
  - name: query
    query: SELECT Id FROM Account
    tags: one
    orgs: local
  - name: query all
    query: {soql: SELECT Id FROM Account, all_rows: true, follow_pages: false}
    expect: {status: 2xx}
  - name: check
    assert: "got.status == 200"
  - name: checks
    assert: ["1 == 1", "2 == 2"]
  - name: raw body
    request: {url: "https://x.example.com/a", body: hello}
"""


def test_full_playbook(tmp_path: Path) -> None:
    target = tmp_path / "pb.yml"
    target.write_text(FULL)
    playbook = load_playbook(target)
    assert playbook.name == "Full"
    assert playbook.path == target
    assert playbook.base_dir == tmp_path
    assert values_of(playbook.vars) == {"api": "v60.0"}
    assert playbook.document.path == str(target)


def test_keys_and_defaults() -> None:
    playbook = build_playbook(load_text(FULL, "pb.yml"))
    main, second = playbook.keys["main"], playbook.keys["second"]
    assert (main.generate, main.bits, main.days) == ("if_missing", 2048, 365)
    assert main.certificate is None
    assert main.subject == {"CN": "sfjwt-run"}
    assert main.min_days_left is None and main.passphrase_env is None
    assert main.position == Position("pb.yml", 4, 3)
    assert (second.generate, second.bits, second.days) == ("never", 4096, 30)
    assert second.min_days_left == 10
    assert second.subject == {"CN": "x", "O": "Acme"}
    assert second.passphrase_env == "KEY_PASS"


def test_orgs() -> None:
    orgs = build_playbook(load_text(FULL, "pb.yml")).orgs
    uat = orgs["uat"]
    assert not uat.is_emulated and not uat.implicit
    assert uat.key == "main" and uat.client_id == "{{ env.ID }}"
    assert uat.production and uat.insecure_http
    assert values_of(uat.vars) == {"region": "eu"}
    assert uat.timeout == (2.0, 20.0)
    assert uat.api_version == "v61.0"
    assert uat.audience == "https://test.salesforce.com"
    assert uat.position == Position("pb.yml", 16, 3)
    direct = orgs["direct"]
    assert direct.private_key == "certs/direct.key" and direct.key is None
    assert direct.passphrase_env == "PASS" and direct.timeout == 15.0
    assert orgs["local"].emulator == {} and orgs["local"].is_emulated
    assert orgs["tuned"].emulator == {"latency_ms": 10}
    assert orgs["off"].emulator is None and not orgs["off"].is_emulated
    assert not orgs["local"].production and not orgs["local"].vars


def test_request_step() -> None:
    step = build_playbook(load_text(FULL, "pb.yml")).steps[0]
    assert step.index == 0 and step.kind == "request" and step.query is None
    assert step.request is not None
    assert step.request.method == "POST" and step.request.path == "/a"
    assert step.request.params == {"q": 1} and step.request.headers == {"X-A": "b"}
    assert step.request.json is None and step.request.has_json and step.request.retry
    assert step.expect is not None
    assert step.expect.status == (200, 201)
    assert step.expect.headers == {"Content-Type": {"matches": "json"}}
    assert step.expect.json == {"a": 1}
    assert step.expect.schema == {"type": "object"}
    assert step.expect.max_ms == 500.0
    assert (step.register, step.when, step.loop, step.retries) == ("got", True, [1, 2], 2)
    assert (step.delay, step.until) == (0.5, "response.status == 200")
    assert step.tags == ("a", "b") and step.orgs == ("uat", "lo*")
    assert step.ignore_errors and step.allow_write and step.timeout == 3.0
    assert step.position == Position("pb.yml", 46, 5)


def test_other_step_kinds_and_defaults() -> None:
    steps = build_playbook(load_text(FULL, "pb.yml")).steps
    query = steps[1]
    assert query.kind == "query" and query.request is None
    assert query.query is not None
    assert (query.query.soql, query.query.all_rows, query.query.follow_pages) == (
        "SELECT Id FROM Account", False, True,
    )
    assert query.tags == ("one",) and query.orgs == ("local",)
    assert query.expect is None and query.register is None and query.when is None
    assert (query.retries, query.delay, query.timeout) == (0, 1.0, None)
    assert not query.ignore_errors and not query.allow_write
    assert steps[2].query is not None
    assert steps[2].query.all_rows and not steps[2].query.follow_pages
    assert steps[2].expect is not None and steps[2].expect.status == "2xx"
    assert steps[2].expect.json == {} and steps[2].expect.max_ms is None
    assert steps[3].kind == "assert" and steps[3].assertions == ("got.status == 200",)
    assert steps[4].assertions == ("1 == 1", "2 == 2")
    raw = steps[5].request
    assert raw is not None and raw.method == "GET" and raw.path is None
    assert raw.url == "https://x.example.com/a" and raw.body == "hello"
    assert not raw.has_json and not raw.retry


def test_integral_floats_become_ints() -> None:
    text = (
        "name: x\nkeys:\n  k: {private_key: a, bits: 2048.0, days: 30.0, min_days_left: 5.0}\n"
        "steps:\n  - name: s\n    request: {path: /}\n    retries: 2.0\n"
        "    expect: {status: 200.0}\n  - name: t\n    request: {path: /}\n"
        "    expect: {status: [200.0, 201]}\n"
    )
    playbook = build_playbook(load_text(text))
    key = playbook.keys["k"]
    assert (key.bits, key.days, key.min_days_left) == (2048, 30, 5)
    assert all(isinstance(value, int) for value in (key.bits, key.days, key.min_days_left))
    first, second = playbook.steps
    assert isinstance(first.retries, int)
    assert first.expect is not None and isinstance(first.expect.status, int)
    assert second.expect is not None and second.expect.status == (200, 201)
    assert isinstance(second.expect.status[0], int)


def test_implicit_embedded_org_uses_the_first_key() -> None:
    keys = "keys:\n  k1: {private_key: a}\n  k2: {private_key: b}\n"
    playbook = build_playbook(load_text("name: x\n" + keys + STEP))
    assert list(playbook.orgs) == [IMPLICIT_ORG]
    org = playbook.orgs[IMPLICIT_ORG]
    assert org.implicit and org.is_emulated and org.emulator == {} and org.key == "k1"


def test_implicit_org_without_keys() -> None:
    org = build_playbook(load_text("name: x\n" + STEP)).orgs[IMPLICIT_ORG]
    assert org.key is None and org.implicit


def test_model_is_frozen_and_copies() -> None:
    org = OrgSpec("a", emulator={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        org.name = "b"  # type: ignore[misc]
    assert dataclasses.replace(org, production=True).production


def errors_for(text: str) -> PlaybookError:
    with pytest.raises(PlaybookError) as caught:
        build_playbook(load_text(text, "pb.yml"))
    return caught.value


def test_org_key_must_exist() -> None:
    error = errors_for(
        "name: x\nkeys:\n  main: {private_key: a}\norgs:\n  u:\n    emulator: true\n"
        "    key: mian\n" + STEP
    )
    assert error.message == "orgs.u.key: no key named 'mian'; did you mean 'main'?"
    assert error.position == Position("pb.yml", 7, 10)


@pytest.mark.parametrize("name", ["vars", "env", "org", "item", "response"])
def test_reserved_register_names(name: str) -> None:
    error = errors_for(f"name: x\n{STEP}    register: {name}\n")
    assert f"{name!r} is reserved" in error.message
    assert error.position == Position("pb.yml", 5, 15)


def step_orgs_error(orgs: str, names: list[str] | None = None) -> PlaybookError:
    orgs_block = "orgs:\n  uat: {emulator: true}\n  prod: {emulator: true}\n"
    text = f"name: x\n{orgs_block}{STEP}    orgs: {orgs}\n"
    playbook = build_playbook(load_text(text, "pb.yml"))
    with pytest.raises(PlaybookError) as caught:
        check_step_orgs(playbook, names if names is not None else playbook.orgs)
    return caught.value


def test_step_orgs_unknown_name() -> None:
    error = step_orgs_error("[uat, prdo]")
    assert error.message == "steps[0].orgs: no org matches 'prdo'; did you mean 'prod'?"
    assert error.position == Position("pb.yml", 8, 17)
    assert error.hint == "known orgs: prod, uat"


def test_step_orgs_glob_matching_nothing() -> None:
    error = step_orgs_error("dev-*")
    assert "no org matches 'dev-*'" in error.message
    assert error.position == Position("pb.yml", 8, 11)


def test_step_orgs_with_more_names_from_an_inventory() -> None:
    text = f"name: x\norgs:\n  uat: {{emulator: true}}\n{STEP}    orgs: [uat, 'dev-*']\n"
    playbook = build_playbook(load_text(text))
    check_step_orgs(playbook, ["uat", "dev-1"])


def test_load_playbook_checks_step_orgs(tmp_path: Path) -> None:
    target = tmp_path / "pb.yml"
    target.write_text(f"name: x\n{STEP}    orgs: [uat]\n")
    with pytest.raises(PlaybookError, match="no org matches 'uat'"):
        load_playbook(target)
    assert load_playbook(target, extra_org_names=["uat"]).steps[0].orgs == ("uat",)


def test_load_playbook_validates_first(tmp_path: Path) -> None:
    target = tmp_path / "pb.yml"
    target.write_text("name: x\nstepz: []\n")
    with pytest.raises(PlaybookError, match="unknown key 'stepz'; did you mean 'steps'"):
        load_playbook(target)


def test_shipped_smoke_playbook_builds() -> None:
    playbook = load_playbook(Path(__file__).parents[3] / "playbooks" / "smoke.yml")
    assert playbook.orgs[IMPLICIT_ORG].key == "main"
    assert len(playbook.steps) >= 1


# --- property-based: any mutation is either a model or a PlaybookError --------------

YAML_NOISE = st.text(alphabet="{}[]:,-'\"&*!|>#\t\n %@`?~=<0aZ.", max_size=12)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def load_all_the_way(text: str) -> None:
    try:
        document = load_text(text, "pb.yml")
        validate(document)
        playbook = build_playbook(document)
        check_step_orgs(playbook, playbook.orgs)
    except PlaybookError as error:
        assert error.message
        assert "Traceback" not in str(error)


@settings(max_examples=150, deadline=None)
@given(start=st.integers(0, len(FULL)), length=st.integers(0, 40), noise=YAML_NOISE)
def test_text_mutations_never_escape_as_other_errors(start: int, length: int, noise: str) -> None:
    load_all_the_way(FULL[:start] + noise + FULL[start + length :])


def paths(node: object, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


@settings(max_examples=150, deadline=None)
@given(data=st.data(), value=VALUES, delete=st.booleans())
def test_data_mutations_never_escape_as_other_errors(
    data: st.DataObject, value: object, delete: bool
) -> None:
    tree = copy.deepcopy(load_text(FULL).data)
    where = data.draw(st.sampled_from(paths(tree)[1:]))
    parent = tree
    for part in where[:-1]:
        parent = parent[part]
    if delete:
        del parent[where[-1]]
    else:
        parent[where[-1]] = value
    load_all_the_way(yaml.safe_dump(tree, allow_unicode=True))

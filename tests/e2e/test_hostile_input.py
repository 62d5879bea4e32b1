"""Hostile and malformed input never gives a traceback.

The table (``hostile_cases``) runs through the command line in-process, for
speed; the cases where a wrong turn would be most dangerous (Python-object
tags, the alias bomb, binary input) run again as real subprocesses. A
hypothesis test mutates the shipped playbooks and asserts that every mutant is
either refused with exit 4 or run.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.cli.environment import Environment
from runner.cli.main import main
from runner.playbook import limits
from tests.conftest import PLAYBOOKS, CliRun, run_cli, run_cli_inprocess, single_run
from tests.e2e.hostile_cases import (
    ALL_CASES,
    DIRECTORY,
    OK_PLAYBOOK,
    OK_STEPS,
    Case,
    diamond_groups,
    group_chain,
    python_tags,
)

GENEROUS_SECONDS = 5.0
"""The issue asks for 2 s; a loaded 2-core CI machine gets headroom."""
TRACE_MARKS = ("Traceback", "internal error", 'File "', "Error(")


def _materialise(case: Case, folder: Path) -> None:
    for name, content in case.files.items():
        target = folder / name
        if content is DIRECTORY:
            target.mkdir()
        else:
            target.write_bytes(content)


def assert_clean_refusal(run: CliRun, case: Case) -> None:
    """Documented exit status, no traceback, and a one-line error that starts right."""
    assert run.status == case.status, run.output
    for mark in TRACE_MARKS:
        assert mark not in run.output, run.output
    lines = run.stderr.strip().splitlines()
    assert lines, "no error message"
    first = lines[0]
    if case.where is None:
        assert first.startswith("sfjwt-run: error: "), first
    else:
        assert re.match(r"^\S+:\d+:\d+: ", first), first
        assert first.startswith(case.where), (case.where, first)
    assert case.words in first, (case.words, first)
    # one line, then at most the source line, the caret and a hint
    assert len(lines) <= 4, run.stderr
    assert run.stdout == "" or "PLAY" not in run.stdout, "a refused input must not start a run"


@pytest.fixture
def inside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    yield tmp_path


@pytest.mark.parametrize("case", ALL_CASES, ids=[case.id for case in ALL_CASES])
def test_hostile_input_is_refused_cleanly(case: Case, inside: Path) -> None:
    _materialise(case, inside)
    started = time.monotonic()
    run = run_cli_inprocess(*case.args)
    assert time.monotonic() - started < GENEROUS_SECONDS
    assert_clean_refusal(run, case)


SUBPROCESS_CASES = [case for case in ALL_CASES if case.id in {
    "alias-bomb", "binary", "non-utf8", "very-large", "deep-flow", "inventory-python-tag",
    "option-negative-forks", "option-extra-var-bad-json", "missing-file", "directory",
}]


@pytest.mark.parametrize("case", SUBPROCESS_CASES, ids=[case.id for case in SUBPROCESS_CASES])
def test_hostile_input_through_the_real_process(case: Case, tmp_path: Path) -> None:
    _materialise(case, tmp_path)
    started = time.monotonic()
    run = run_cli(*case.args, cwd=tmp_path, timeout=30)
    assert time.monotonic() - started < GENEROUS_SECONDS + 1  # a process start on top
    assert_clean_refusal(run, case)


@pytest.mark.parametrize("where", ["playbook", "inventory", "extra-vars"])
def test_python_object_tags_are_never_executed(where: str, tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    (tmp_path / "hostile.yml").write_bytes(python_tags(str(marker)))
    (tmp_path / "ok.yml").write_text('name: ok\nsteps:\n  - name: a\n    assert: ["true"]\n')
    args = {
        "playbook": ("hostile.yml",),
        "inventory": ("-i", "hostile.yml", "ok.yml"),
        "extra-vars": ("-e", "@hostile.yml", "ok.yml"),
    }[where]
    run = run_cli(*args, cwd=tmp_path)
    assert run.status == 4, run.output
    assert run.stderr.startswith("hostile.yml:1:7: unsupported YAML tag"), run.stderr
    assert "Traceback" not in run.output
    assert not marker.exists(), "a YAML tag ran a command"


# -- property: mutated playbooks -------------------------------------------------------

SOURCES = {
    "smoke": (PLAYBOOKS / "smoke.yml").read_text(encoding="utf-8"),
    "health": (PLAYBOOKS / "health.yml").read_text(encoding="utf-8"),
    "loop": (
        "name: loop\nvars:\n  kinds: [Account, Contact]\nsteps:\n"
        "  - name: count\n    loop: \"{{ kinds }}\"\n"
        "    query: \"SELECT COUNT() FROM {{ item }}\"\n    register: counted\n"
        "  - name: check\n    assert: [\"counted.results | length == 2\"]\n"
        "    when: \"{{ counted is defined }}\"\n"
    ),
}
TOKENS = [":", ": ", " ", "\n", "\t", "- ", "-", "{", "}", "[", "]", "{{", "}}", "{%", "%}",
          "&a ", "*a", "!!python/object/apply:os.system ['true'] ", "!!binary ", "#", "'", '"',
          "\\", "|", ">", "~", "null", "true", "0", "-1", "99999999999999999999", "1e400",
          "é", "\u2028", "\x00", "\ufeff", "name", "steps", "expect", "status", "json",
          "register", "retries", "until", "when", "loop", "orgs", "keys", "vars", "found"]
MUTANT_STATUSES = {0, 2, 3, 4}


@st.composite
def mutants(draw: st.DrawFn) -> str:
    """A shipped playbook with one to three edits: insertions, deletions, line shuffles."""
    text = SOURCES[draw(st.sampled_from(sorted(SOURCES)))]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["insert", "delete", "duplicate", "swap", "replace"]))
        lines = text.split("\n")
        if kind in ("duplicate", "swap") and len(lines) > 2:
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if kind == "duplicate":
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
            continue
        at = draw(st.integers(0, len(text)))
        if kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
            continue
        token = draw(st.sampled_from(TOKENS) | st.text(
            st.characters(exclude_categories=["Cs"]), min_size=1, max_size=4))
        end = at + (draw(st.integers(1, 8)) if kind == "replace" else 0)
        text = text[:at] + token + text[end:]
    return text


@pytest.fixture(scope="module")
def mutant_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose certs/ already hold the smoke key, so mutants do not regenerate it."""
    folder = tmp_path_factory.mktemp("mutants")
    shutil.copy(PLAYBOOKS / "smoke.yml", folder / "seed.yml")
    seeded = run_cli_inprocess(str(folder / "seed.yml"), "--no-progress")
    assert seeded.status == 0, seeded.output
    return folder


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=mutants())
def test_mutated_playbooks_are_refused_or_run(text: str, mutant_folder: Path) -> None:
    playbook = mutant_folder / "mutant.yml"
    playbook.write_text(text, encoding="utf-8")
    run = run_cli_inprocess(str(playbook), "--no-progress")
    assert run.status in MUTANT_STATUSES, run.output
    for mark in ("Traceback", "internal error"):
        assert mark not in run.output, run.output
    if run.status == 4:
        first = run.stderr.strip().splitlines()[0]
        assert first.startswith((f"{playbook}:", "sfjwt-run: error: ")), first
    else:
        assert "PLAY " in run.stdout, run.output


# -- hostile values at run time: the step fails, the run goes on --------------------------

HEADERS = {
    "line break (header injection)": ({"X-Name": "a\r\nX-Injected: 1"}, "line break"),
    "NUL byte": ({"X-Name": "a\0b"}, "line break or NUL"),
    "beyond Latin-1": ({"X-Name": "名前"}, "Latin-1 only"),
    "non-ASCII name": ({"Näme": "a"}, "names are ASCII"),
    "colon in the name": ({"X:Name": "a"}, "names are ASCII"),
}


def test_headers_http_cannot_carry_fail_their_step_not_the_run(tmp_path: Path) -> None:
    steps = [{"name": case, "request": {"path": "/services/data/", "headers": headers}}
             for case, (headers, _) in HEADERS.items()]
    steps.append({"name": "Latin-1 is fine", "request": {
        "path": "/services/data/", "headers": {"X-Name": "café"}}})
    playbook = tmp_path / "headers.yml"
    playbook.write_text(yaml.safe_dump({"name": "headers", "steps": steps, "keep_going": True}),
                        encoding="utf-8")
    report = tmp_path / "r.json"
    run = run_cli_inprocess(str(playbook), "--json", str(report))
    assert run.status == 2, run.output
    assert "Traceback" not in run.output and "internal error" not in run.output
    [org] = single_run(report)["orgs"]
    results = {step["name"]: step for step in org["steps"]}
    for case, (_, words) in HEADERS.items():
        step = results[case]
        assert step["outcome"] == "failed" and words in step["reason"], step
        assert step["attempts"] == 1 and step["exchange"] is None, "refused before sending"
        assert "Injected" not in step["reason"] and "名前" not in step["reason"]
    assert results["Latin-1 is fine"]["outcome"] == "ok"


def test_undecodable_bytes_in_the_environment_and_extra_vars_are_text(tmp_path: Path) -> None:
    """Non-UTF-8 bytes reach Python as lone surrogates; every encoder downstream would choke."""
    raw = os.fsdecode(b"a\xffb")
    playbook = tmp_path / "p.yml"
    playbook.write_text(
        "name: raw bytes\nsteps:\n"
        "  - name: query\n    query: \"SELECT Id FROM Account WHERE Name = '{{ env.RAW }}'\"\n"
        "  - name: path\n    request: {path: \"/services/data/{{ extra }}\"}\n"
        "    expect: {status: 404}\n"
        "  - name: both became text\n    assert: [\"env.RAW == extra\", \"'\\ufffd' in extra\"]\n"
    )
    run = run_cli(str(playbook), "-v", "-e", f"extra={raw}", "--json", str(tmp_path / "r.json"),
                  cwd=tmp_path, env={"RAW": raw})
    assert run.status == 0, run.output
    assert "internal error" not in run.output


INVENTORY = (PLAYBOOKS / "inventory.example.yml").read_text(encoding="utf-8")


@st.composite
def inventory_mutants(draw: st.DrawFn) -> str:
    text = INVENTORY
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + text[at + draw(st.integers(1, 12)):]
        else:
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
    return text


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=inventory_mutants())
def test_mutated_inventories_are_refused_or_planned(text: str, mutant_folder: Path) -> None:
    inventory = mutant_folder / "inventory.yml"
    inventory.write_text(text, encoding="utf-8")
    run = run_cli_inprocess("-i", str(inventory), str(PLAYBOOKS / "health.yml"), "--check")
    assert run.status in {0, 4}, run.output
    for mark in ("Traceback", "internal error"):
        assert mark not in run.output, run.output
    if run.status == 4:
        first = run.stderr.strip().splitlines()[0]
        assert first.startswith((f"{inventory}:", "sfjwt-run: error: ")), first


@pytest.mark.parametrize("schema", [{"$ref": "#"}, {"$ref": "#/nowhere"},
                                    {"$ref": "http://127.0.0.1:9/remote.json"}],
                         ids=["refers-to-itself", "points-nowhere", "remote"])
def test_a_schema_that_cannot_be_applied_fails_its_check(schema: dict[str, str],
                                                          tmp_path: Path) -> None:
    playbook = tmp_path / "p.yml"
    playbook.write_text(yaml.safe_dump({"name": "schema", "steps": [
        {"name": "versions", "request": {"path": "/services/data/"}, "expect": {"schema": schema}},
        {"name": "after", "request": {"path": "/services/data/"}}], "keep_going": True}))
    run = run_cli_inprocess(str(playbook))
    assert run.status == 2, run.output
    assert "the schema could not be applied" in run.stdout
    assert "ok        after" in run.stdout
    assert "Traceback" not in run.output and "internal error" not in run.output


def test_templates_rendering_to_odd_types_fail_their_step_not_the_run(tmp_path: Path) -> None:
    """A lone ``{{ expr }}`` keeps its type: a numeric id as a path, a mapping as a body."""
    steps = [
        {"name": "number as path", "request": {"path": "{{ 123 }}"}, "expect": {"status": 404}},
        {"name": "mapping as body", "request": {
            "method": "POST", "path": "/services/data/v60.0/sobjects/Account",
            "body": "{{ {'Name': 'x'} }}"}},
        {"name": "function as JSON", "request": {
            "method": "POST", "path": "/services/data/v60.0/sobjects/Account",
            "json": "{{ lipsum }}"}},
        {"name": "list as header value", "request": {
            "path": "/services/data/", "headers": {"X-List": "{{ [1, 2] }}"}}},
        {"name": "the run goes on", "request": {"path": "/services/data/"}},
    ]
    playbook = tmp_path / "types.yml"
    playbook.write_text(yaml.safe_dump({"name": "types", "steps": steps, "keep_going": True}))
    report = tmp_path / "r.json"
    run = run_cli_inprocess(str(playbook), "--json", str(report))
    assert run.status == 2, run.output
    assert "internal error" not in run.output
    [org] = single_run(report)["orgs"]
    outcomes = {step["name"]: step["outcome"] for step in org["steps"]}
    assert outcomes == {"number as path": "ok", "mapping as body": "failed",
                        "function as JSON": "failed", "list as header value": "ok",
                        "the run goes on": "ok"}


def test_odd_text_and_numbers_from_templates_leave_every_report_valid(tmp_path: Path) -> None:
    """NaN and infinity from a template, a lone surrogate from a template and one given to
    -e, a form feed and an escape sequence in a step name: the step fails on its checks,
    the next one runs, and every report (and the console, on its real streams) is valid
    and inert."""
    playbook = tmp_path / "odd.yml"
    playbook.write_text(
        'name: odd values\nkeep_going: true\nsteps:\n'
        '  - name: "form\\ffeed and \\e]0;retitled\\a"\n'
        '    assert: ["nan | float", "inf | float", "\'\\\\ud800\' ~ odd", "false"]\n'
        '  - name: the next one\n    assert: ["true"]\n', encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    status = main([str(playbook), "-e", "nan=nan inf=-inf", "-e", "odd=\ud800!",
                   "--json", str(tmp_path / "r.json"), "--junit", str(tmp_path / "j.xml"),
                   "--markdown", str(tmp_path / "m.md")],
                  Environment.on_streams(out, err, "never"))
    console = out.getvalue() + err.getvalue()
    assert status == 2, console
    assert "\x1b" not in console and "\x0c" not in console
    assert "feed and \\x1b]0;retitled" in console  # rich drops the form feed itself
    report = (tmp_path / "r.json").read_bytes().decode("utf-8")
    run = single_run(json.loads(report, parse_constant=_not_json))
    [org] = run["orgs"]
    first, following = org["steps"]
    assert first["name"] == "form\x0cfeed and \x1b]0;retitled\x07"  # JSON escapes it
    actual = [check["actual"] for check in first["checks"]]
    assert actual == ["NaN", "-Infinity", "\ufffd\ufffd!", False], actual
    assert following["outcome"] == "ok"
    junit = (tmp_path / "j.xml").read_text(encoding="utf-8")  # the fixture checks its XSD
    assert "form\\x0cfeed and \\x1b]0;retitled\\x07" in junit
    summary = (tmp_path / "m.md").read_text(encoding="utf-8")
    assert "\x1b" not in summary and "\x0c" not in summary and "the next one" in summary


def _not_json(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def test_an_assert_whose_value_is_any_object_passes_and_is_reported(tmp_path: Path) -> None:
    """``namespace(a=1)`` is true: the step passes and the reports hold the value's text."""
    playbook = tmp_path / "ns.yml"
    playbook.write_text('name: ns\nsteps:\n  - name: a namespace\n'
                        '    assert: ["namespace(a=1)", "lipsum"]\n')
    run = run_cli_inprocess(str(playbook), "--json", str(tmp_path / "r.json"),
                            "--junit", str(tmp_path / "j.xml"))
    assert run.status == 0, run.output
    [org] = single_run(tmp_path / "r.json")["orgs"]
    [step] = org["steps"]
    assert step["outcome"] == "ok"
    assert step["checks"][0]["actual"] == "<Namespace {'a': 1}>"
    assert step["checks"][1]["actual"].startswith("<function ")


def test_deep_and_diamond_groups_are_listed_and_run(inside: Path) -> None:
    """44 groups each holding the two before it (2^44 paths) and a chain of 400: the org is
    listed in every group, and a run limited to the top group reaches it."""
    (inside / "ok.yml").write_bytes(OK_PLAYBOOK)
    (inside / "diamond.yml").write_bytes(diamond_groups(44))
    (inside / "chain.yml").write_bytes(group_chain(400))
    listed = run_cli_inprocess("-i", "diamond.yml", "ok.yml", "--list-orgs")
    assert listed.status == 0, listed.output
    [line] = [line for line in listed.stdout.splitlines() if "groups:" in line]
    assert line.split("groups: ")[1].split(", ") == sorted(f"d{n}" for n in range(44))
    run = run_cli_inprocess("-i", "chain.yml", "ok.yml", "-l", "g399", "--json", "r.json")
    assert run.status == 0, run.output
    assert [org["name"] for org in single_run(inside / "r.json")["orgs"]] == ["a"]


EXPLODING = {
    "power of a power": ('{"path": "/{{ 9 ** (9 ** 9) }}"}', "would have more than 1,000 digits"),
    "a gigabyte of text": ("{\"path\": \"/{{ 'a' * 10 ** 9 }}\"}",
                           "a text of more than 10,000,000 characters"),
    "a million paragraphs": ('{"path": "/{{ lipsum(10 ** 6) }}"}', "lipsum: at most 100"),
    "a 5,000-digit path": ('{"path": "/services/data/{{ 10 ** 5000 }}"}',
                           "10 ** 5,000 would have more than 1,000 digits"),
    "a width of a billion": ("{\"path\": \"/{{ 'x' | center(10 ** 9) }}\"}",
                             "a width of 1,000,000,000"),
    "doubling in a namespace": (
        "{\"path\": \"/{% set ns = namespace(s='ab') %}{% for i in range(64) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}\"}",
        "a text of more than 10,000,000 characters"),
    "nested loops": ('{"path": "/{% for i in range(100000) %}{% for j in range(100000) %}'
                     '{% endfor %}{% endfor %}"}', "the template took more than 1 s"),
}


def test_templates_that_would_explode_fail_their_own_step_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each would take all the memory or CPU there is: --syntax-check passes them at once
    (nothing is computed while compiling), and the run fails each step with the limit it
    met; the step after them runs. The time limit is cut to 1 s to keep this cheap (and long
    enough for the size limits to be met first on a loaded machine)."""
    monkeypatch.setattr(limits, "SECONDS", 1.0)
    steps = "".join(f"  - name: {name}\n    request: {request}\n"
                    for name, (request, _) in EXPLODING.items())
    playbook = tmp_path / "explode.yml"
    playbook.write_text(f"name: explode\nkeep_going: true\nsteps:\n{steps}  - name: after them\n"
                        "    request: {path: /services/data/}\n", encoding="utf-8")
    checked = run_cli_inprocess(str(playbook), "--syntax-check")
    assert checked.status == 0 and "syntax OK (8 steps)" in checked.stdout, checked.output
    run = run_cli_inprocess(str(playbook), "--json", str(tmp_path / "r.json"))
    assert run.status == 2, run.output
    assert "Traceback" not in run.output and "internal error" not in run.output
    [org] = single_run(tmp_path / "r.json")["orgs"]
    results = {step["name"]: step for step in org["steps"]}
    for name, (_, words) in EXPLODING.items():
        step = results[name]
        assert step["outcome"] == "failed" and words in step["reason"], (name, step["reason"])
        assert "(template limit)" in step["reason"]
    assert results["after them"]["outcome"] == "ok"


@pytest.mark.parametrize("link", [".gitignore", "certs", ".sfjwt/schemas/playbook.schema.json"])
def test_init_never_writes_through_a_link_that_leads_outside(inside: Path, link: str) -> None:
    """A dangling link at a file init writes, or a folder linked elsewhere, is refused before
    anything is written; without it, init makes the project."""
    outside = inside / "outside"
    outside.mkdir()
    project = inside / "project"
    (project / link).parent.mkdir(parents=True, exist_ok=True)
    (project / link).symlink_to(outside / ("folder" if link == "certs" else "file"))
    if link == "certs":
        (outside / "folder").mkdir()
    run = run_cli_inprocess("init", "project")
    assert run.status == 5, run.output
    assert f"project/{link}" in run.stderr and "leads outside the project" in run.stderr
    assert not any(outside.rglob("*.*")) and not (outside / "file").exists()
    assert [p.name for p in project.iterdir()] == [Path(link).parts[0]]  # nothing written
    (project / link).unlink()
    again = run_cli_inprocess("init", "project", "--org", "uat")
    assert again.status == 0, again.output
    assert "uat:" in (project / "inventory.yml").read_text()


def test_an_embedded_username_that_is_not_an_email_is_an_invalid_playbook(inside: Path) -> None:
    """Salesforce usernames are email addresses; the embedded org's User would refuse it."""
    (inside / "p.yml").write_text(
        "name: user\norgs:\n  a:\n    emulator: {username: ops}\n" + OK_STEPS.decode())
    run = run_cli_inprocess("p.yml")
    assert run.status == 4, run.output
    assert run.stderr.splitlines()[0].startswith(
        "p.yml:3:3: orgs.a.emulator: username: 'ops' is not an email address"), run.stderr
    for mark in TRACE_MARKS:
        assert mark not in run.output


def test_an_unknown_sobject_under_emulator_records_is_an_invalid_playbook(inside: Path) -> None:
    """The embedded org refuses the seed records when it starts: exit 4 at the org's line."""
    (inside / "p.yml").write_text(
        "name: seed\norgs:\n  a:\n    emulator:\n      records:\n"
        "        NoSuchThing__c: [{Name: x}]\n" + OK_STEPS.decode())
    run = run_cli_inprocess("p.yml", "--json", "r.json")
    assert run.status == 4, run.output
    first = run.stderr.splitlines()[0]
    assert first.startswith("p.yml:3:3: orgs.a.emulator: records.NoSuchThing__c: no sObject "
                            "type NoSuchThing__c in this org"), first
    for mark in TRACE_MARKS:
        assert mark not in run.output

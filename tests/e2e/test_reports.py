"""The report files of a run that fails in every way at once, read by the tools CI uses.

A key whose certificate has fewer days left than ``min_days_left``, a failure that
``ignore_errors`` lets pass, a plain failure (``keep_going`` runs the steps after
it), a skipped step, a looped step and an org that cannot be reached: the JUnit
file (parsed with junitparser, as CI servers read it) counts each once and where
it belongs, and the JSON report says what each result is and where it comes from.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from junitparser import Failure, Skipped

from tests.conftest import REPO, run_cli_inprocess, single_run
from tests.junit_check import check_junit

PLAYBOOK = """\
name: Everything at once
keys:
  short:
    private_key: certs/short.key
    certificate: certs/short.crt
    days: 10
    min_days_left: 30
orgs:
  embedded:
    key: short
    emulator: true
  gone:
    key: short
    login_url: http://127.0.0.1:1
    insecure_http: true
    client_id: 3MVG9example
    username: api.user@example.com
steps:
  - name: Versions
    request: {path: /services/data/}
  - name: Allowed to fail
    request: {path: /services/data/v60.0/sobjects/Nothing/describe}
    ignore_errors: true
  - name: Expected a name
    request: {path: /services/data/v60.0/sobjects/Account/describe}
    expect:
      json:
        name: Contact
  - name: Skipped by a condition
    request: {path: /services/data/}
    when: false
  - name: Each object
    request: {path: "/services/data/v60.0/sobjects/{{ item }}/describe"}
    loop: [Account, Nothing]
keep_going: true
"""


def _run(tmp_path: Path, monkeypatch) -> tuple[int, Path]:
    (tmp_path / "playbook.yml").write_text(PLAYBOOK)
    monkeypatch.chdir(tmp_path)
    run = run_cli_inprocess("playbook.yml", "--junit", "out/run.xml", "--json", "out/run.json")
    return run.status, tmp_path / "out"


def test_junit_counts_match_its_elements_with_an_ignored_failure_and_a_failed_key(
    tmp_path: Path, monkeypatch
) -> None:
    status, out = _run(tmp_path, monkeypatch)
    assert status == 3
    xml = check_junit(out / "run.xml")  # the XSD, junitparser, and counts against elements
    suites = {suite.name: suite for suite in xml}
    assert list(suites) == ["keys", "embedded", "gone"]
    key = next(iter(suites["keys"]))
    assert "expires in 9 days (min_days_left: 30)" in key.result[0].message
    embedded = {case.name: case for case in suites["embedded"]}
    assert isinstance(embedded["Allowed to fail"].result[0], Skipped)
    assert isinstance(embedded["Expected a name"].result[0], Failure)
    assert "Nothing" in embedded["Each object"].result[0].text
    assert (suites["embedded"].failures, suites["embedded"].skipped) == (2, 2)
    assert (suites["gone"].errors, suites["gone"].skipped) == (1, 5)
    assert (xml.failures, xml.errors, xml.tests) == (3, 1, 13)
    assert sum(suite.skipped for suite in xml) == 7
    assert embedded["Expected a name"]._elem.get("file") == "playbook.yml"
    assert embedded["Expected a name"]._elem.get("line") == "24"


def test_json_results_say_what_they_are_and_where_they_come_from(
    tmp_path: Path, monkeypatch
) -> None:
    _, out = _run(tmp_path, monkeypatch)
    whole = json.loads((out / "run.json").read_text())
    schema = json.loads((REPO / "schemas" / "report.schema.json").read_text())
    jsonschema.validate(whole, schema)
    data = single_run(whole)
    key = data["keys"][0]
    assert key["kind"] == "key" and key["outcome"] == "failed"
    assert key["position"] == {"file": "playbook.yml", "line": 3, "col": 3}
    assert key["checks"][0] | {"text": ""} == {
        "subject": "certificate", "expression": "days_left", "matcher": "gte", "expected": 30,
        "actual": 9, "passed": False, "message": "renew it and upload it to the connected app",
        "text": ""}
    embedded, gone = data["orgs"]
    assert embedded["login"]["kind"] == "login" and embedded["login"]["position"]["line"] == 9
    looped = embedded["steps"][4]
    assert [item["item"] for item in looped["items"]] == ["Account", "Nothing"]
    assert [item["outcome"] for item in looped["items"]] == ["ok", "failed"]
    assert {item["kind"] for item in looped["items"]} == {"item"}
    assert looped["outcome"] == "failed" and len(looped["checks"]) == 2
    assert embedded["ignored"] == 1 and embedded["counts"]["failed"] == 3
    assert gone["login"]["reason_code"] == "unreachable"
    assert gone["login"]["reason"].startswith("could not reach the org: POST http://127.0.0.1:1/")
    assert {step["reason_code"] for step in gone["steps"]} == {"unauthenticated"}
    skipped = embedded["steps"][3]
    assert (skipped["reason_code"], skipped["reason"]) == ("when_false", "when: false was false")
    assert data["counts"] == {"ok": 1, "changed": 0, "failed": 4, "skipped": 6, "interrupted": 0,
                              "rescued": 0, "aborted": 0}
    assert (data["ignored"], data["unreachable"]) == (1, 1)

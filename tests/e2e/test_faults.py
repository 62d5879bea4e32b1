"""Fault matrix through the real CLI: twenty emulated orgs, some broken, one run.

Every fault the embedded org can inject (5xx, Retry-After, 429, request limits,
read timeout, dropped connection, HTML maintenance page, truncated body,
session expiry, token endpoint faults, a failing POST) sits in its own org;
the healthy orgs run beside them. Each step must end as expected — passed
after the right number of attempts, or failed with words a person would
recognise — and the JSON report must hold exactly one outcome per step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.conftest import REPO, CliRun, run_cli, single_run
from tests.e2e.faults_matrix import ORGS, STEPS, FaultyOrg, playbook_text
from tests.e2e.faults_server import hostile_server

SCHEMA = json.loads((REPO / "schemas" / "report.schema.json").read_text())


@dataclass(frozen=True)
class MatrixRun:
    cli: CliRun
    report: dict[str, Any]
    junit: str

    def org(self, name: str) -> dict[str, Any]:
        [found] = [org for org in self.report["orgs"] if org["name"] == name]
        return found


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> MatrixRun:
    folder = tmp_path_factory.mktemp("faults")
    playbook = folder / "faults.yml"
    playbook.write_text(playbook_text(), encoding="utf-8")
    report, junit = folder / "report.json", folder / "junit.xml"
    cli = run_cli(str(playbook), "-f", str(len(ORGS)), "--json", str(report),
                  "--junit", str(junit), cwd=folder, timeout=120)
    data = json.loads(report.read_text())
    jsonschema.validate(data, SCHEMA)
    return MatrixRun(cli, single_run(data), junit.read_text())


def _explanation(step: dict[str, Any], org: dict[str, Any]) -> str:
    """What a dashboard shows for a step: its one-line reason, and the org's hint."""
    return " ".join([step["reason"], org["hint"] or ""])


def test_twenty_orgs_and_the_run_says_one_could_not_log_in(matrix: MatrixRun) -> None:
    assert len(ORGS) == 20
    assert matrix.cli.status == 3, matrix.cli.output
    assert "Traceback" not in matrix.cli.output
    assert matrix.report["exit_status"] == 3
    assert [org["name"] for org in matrix.report["orgs"]] == [org.name for org in ORGS]


def test_report_is_valid_with_exactly_one_outcome_per_step_of_every_org(
    matrix: MatrixRun,
) -> None:
    for org in matrix.report["orgs"]:
        assert [step["name"] for step in org["steps"]] == list(STEPS), org["name"]
        assert [step["index"] for step in org["steps"]] == list(range(len(STEPS)))
        outcomes = [step["outcome"] for step in org["steps"]]
        counts = org["counts"]
        assert sum(counts.values()) == len(STEPS)
        assert all(counts[name] == outcomes.count(name) for name in counts)
        assert org["login"] is not None


@pytest.mark.parametrize("org", ORGS, ids=[org.name for org in ORGS])
def test_each_org_gets_the_right_outcome(matrix: MatrixRun, org: FaultyOrg) -> None:
    found = matrix.org(org.name)
    assert found["login"]["outcome"] == org.login.outcome, found["login"]
    for word in org.login.words:
        assert word in _explanation(found["login"], found), (word, found["login"])
    for step, expected in zip(found["steps"], org.expected(), strict=True):
        seen = (step["name"], step["outcome"], step["attempts"], _explanation(step, found))
        assert step["outcome"] == expected.outcome, seen
        if expected.attempts is not None:
            assert step["attempts"] == expected.attempts, seen
        for word in expected.words:
            assert word in _explanation(step, found), (word, seen)
        if expected.outcome == "failed":
            assert step["reason"], seen
            assert "Traceback" not in step["reason"] and "Error(" not in step["reason"], seen


def test_healthy_orgs_are_unaffected(matrix: MatrixRun) -> None:
    healthy = [org for org in matrix.report["orgs"] if org["name"].startswith("healthy-")]
    assert len(healthy) == 4
    for org in healthy:
        assert not org["failed"] and not org["unreachable"], org["name"]
        assert all(step["attempts"] <= 1 for step in org["steps"]), org["name"]
        assert all(step["outcome"] in ("ok", "changed", "skipped") for step in org["steps"])


def test_junit_has_a_suite_per_org(matrix: MatrixRun) -> None:
    for org in ORGS:
        assert f'name="{org.name}"' in matrix.junit


def test_console_names_each_failure_in_words(matrix: MatrixRun) -> None:
    out = matrix.cli.stdout
    for words in ("read timeout after 0.5s", "closed the connection without answering",
                  "cut off before its end", "could not authenticate: invalid_grant"):
        assert words in out, words


TOKEN_FAULTS: dict[str, tuple[dict[str, Any], str, str]] = {
    "login-dropped-once": ({"drop": True, "times": 1}, "ok", ""),
    "login-maintenance-once": ({"html": True, "times": 1}, "ok", ""),
    "login-rate-limited-once": ({"status": 429, "times": 1}, "failed", "could not authenticate"),
    "login-maintenance": ({"html": True}, "failed", "text/html, not a JSON object"),
    "login-cut-off": ({"truncate": True}, "failed", "cut off before its end"),
}


def test_the_token_request_is_retried_on_5xx_and_network_faults_never_on_a_4xx(
    tmp_path: Path,
) -> None:
    """A 429 from the token endpoint is a login rate limit: repeating it would make it worse,
    so the one-time fault (which a retry would get past) must fail the login."""
    orgs = {name: {"emulator": {"faults": [{"path": "/services/oauth2/token", **rule}]}}
            for name, (rule, _, _) in TOKEN_FAULTS.items()}
    playbook = tmp_path / "token.yml"
    playbook.write_text(yaml.safe_dump({
        "name": "token faults", "orgs": orgs,
        "steps": [{"name": "versions", "request": {"path": "/services/data/"}}]}))
    report = tmp_path / "r.json"
    run = run_cli(str(playbook), "-f", "5", "--json", str(report), cwd=tmp_path)
    assert run.status == 3, run.output
    assert "Traceback" not in run.output
    logins = {org["name"]: org for org in single_run(report)["orgs"]}
    for name, (_, outcome, words) in TOKEN_FAULTS.items():
        org = logins[name]
        assert org["login"]["outcome"] == outcome, (name, org["login"])
        assert words in org["login"]["reason"], (name, org["login"]["reason"])
        expected_step = "ok" if outcome == "ok" else "skipped"
        assert [step["outcome"] for step in org["steps"]] == [expected_step], name


def test_a_write_is_repeated_only_when_its_step_says_so(tmp_path: Path) -> None:
    """The same 503-once fault fails a plain POST and is ridden out by one with retry: true."""
    create = {"method": "POST", "path": "/services/data/v60.0/sobjects/Contact",
              "json": {"LastName": "Retry"}}
    fault = {"method": "POST", "path": "/services/data/*/sobjects/Contact", "status": 503,
             "times": 1}
    orgs = {name: {"emulator": {"faults": [fault]}} for name in ("plain", "allowed")}
    playbook = tmp_path / "retry.yml"
    playbook.write_text(yaml.safe_dump({"name": "write retries", "orgs": orgs, "steps": [
        {"name": "create", "request": create, "orgs": ["plain"]},
        {"name": "create, retry allowed", "request": {**create, "retry": True},
         "orgs": ["allowed"]},
    ]}))
    report = tmp_path / "r.json"
    run = run_cli(str(playbook), "--json", str(report), cwd=tmp_path)
    assert run.status == 2, run.output
    steps = {(org["name"], step["name"]): step
             for org in single_run(report)["orgs"] for step in org["steps"]}
    plain = steps[("plain", "create")]
    assert (plain["outcome"], plain["attempts"]) == ("failed", 1)
    assert "503" in plain["reason"]
    allowed = steps[("allowed", "create, retry allowed")]
    assert (allowed["outcome"], allowed["attempts"]) == ("changed", 2)


def test_a_hostile_server_fails_steps_and_never_sees_the_token(tmp_path: Path) -> None:
    """Steps with an absolute url: to another origin get answers no org would give."""
    with hostile_server() as (base, seen):
        steps = [
            {"name": "deep JSON", "request": {"url": f"{base}/deep-json"},
             "expect": {"json": {"length(@)": {"gte": 0}}}},
            {"name": "not UTF-8", "request": {"url": f"{base}/not-utf8"},
             "expect": {"json": {"Name": {"type": "string"}}}},
            {"name": "redirect elsewhere", "request": {"url": f"{base}/redirect"}},
            {"name": "huge number", "request": {"url": f"{base}/huge-number"},
             "expect": {"json": {"length(@)": {"equals": 1}}}},
            {"name": "the org still answers", "request": {"path": "/services/data/"}},
        ]
        playbook = tmp_path / "hostile.yml"
        playbook.write_text(yaml.safe_dump({"name": "hostile server", "steps": steps,
                                            "keep_going": True}))
        report = tmp_path / "r.json"
        run = run_cli(str(playbook), "-vv", "--json", str(report), cwd=tmp_path)
    assert run.status == 2, run.output
    assert "Traceback" not in run.output and "internal error" not in run.output
    [org] = single_run(report)["orgs"]
    outcomes = {step["name"]: step["outcome"] for step in org["steps"]}
    assert outcomes == {"deep JSON": "failed", "not UTF-8": "ok",
                        "redirect elsewhere": "failed", "huge number": "failed",
                        "the org still answers": "ok"}
    assert len(seen) == 4, "every hostile step was sent once (GETs, answered, no retries)"
    # a number of 5,000 digits is beyond what Python parses: the body counts as not JSON
    assert not any(name.lower() == "authorization" for headers in seen for name in headers)


def test_an_expired_session_is_renewed_once_not_in_a_loop(tmp_path: Path) -> None:
    """A resource that always answers 401 INVALID_SESSION_ID gets one new login and one replay."""
    fault = {"path": "/services/data/*/limits", "status": 401, "error_code": "INVALID_SESSION_ID",
             "message": "Session expired or invalid"}
    playbook = tmp_path / "session.yml"
    playbook.write_text(yaml.safe_dump({
        "name": "session", "orgs": {"org": {"emulator": {"faults": [fault]}}}, "keep_going": True,
        "steps": [{"name": "limits", "request": {"path": "/services/data/v60.0/limits"}},
                  {"name": "versions", "request": {"path": "/services/data/v60.0/sobjects"}}]}))
    report = tmp_path / "r.json"
    run = run_cli(str(playbook), "--json", str(report), cwd=tmp_path)
    assert run.status == 2, run.output
    [org] = single_run(report)["orgs"]
    limits, versions = org["steps"]
    assert (limits["outcome"], limits["attempts"]) == ("failed", 2)
    assert "got 401 (INVALID_SESSION_ID: Session expired or invalid)" in limits["reason"]
    assert versions["outcome"] == "ok"

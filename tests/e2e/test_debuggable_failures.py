"""Failures a person can debug from the output alone: debug steps, asserts that show the values
they read, set_fact and step vars whose values reach the org, whole responses at -vv, and
messages that never name a Python class.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli, run_cli_inprocess, single_run
from tests.e2e.org_records import CLIENT_ID, USERNAME, standalone_org
from tests.junit_check import check_junit

HEADROOM = """\
name: Headroom
vars:
  min_api_headroom: 0.99
orgs:
  acme: {emulator: {daily_api_limit: 40}}
steps:
  - name: API limits
    request: {path: /services/data/v60.0/limits}
    register: limits
  - name: Show the daily limit
    debug: {var: limits.json.DailyApiRequests.Max}
  - name: Show the whole answer, with -v only
    debug: {var: limits.json, verbosity: 1}
  - name: Enough calls left (list form)
    assert: [limits.json.DailyApiRequests.Max > 0]
  - name: Enough calls left
    assert:
      that:
        - limits.json.DailyApiRequests.Max > 10
        - >-
          limits.json.DailyApiRequests.Remaining >=
          limits.json.DailyApiRequests.Max * min_api_headroom
      success_msg: "{{ limits.json.DailyApiRequests.Remaining }} calls left"
      fail_msg: "only {{ limits.json.DailyApiRequests.Remaining }} calls left"
"""


def lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def test_a_failed_assert_shows_the_values_it_read_and_debug_shows_in_every_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "headroom.yml").write_text(HEADROOM)
    monkeypatch.chdir(tmp_path)
    run = run_cli_inprocess("headroom.yml", "--json", "r.json", "--junit", "j.xml",
                            "--markdown", "m.md")
    assert run.status == 2, run.output
    shown = lines(run.stdout)
    at = next(i for i, line in enumerate(shown) if line.startswith("failed Enough calls left "))
    assert shown[at + 1] == (
        "✗ only 39 calls left: limits.json.DailyApiRequests.Remaining >= "
        "limits.json.DailyApiRequests.Max * min_api_headroom was false "
        "(limits.json.DailyApiRequests.Remaining = 39, limits.json.DailyApiRequests.Max = 40, "
        "min_api_headroom = 0.99)")
    debug = next(i for i, line in enumerate(shown) if line.startswith("ok Show the daily limit"))
    assert shown[debug + 1] == "limits.json.DailyApiRequests.Max = 40"
    assert any(line.startswith("skipped Show the whole answer, with -v only") for line in shown)
    assert any(line.startswith("ok Enough calls left (list form)") for line in shown)
    data = single_run(tmp_path / "r.json")
    steps = {step["name"]: step for step in data["orgs"][0]["steps"]}
    assert steps["Show the daily limit"]["message"] == "limits.json.DailyApiRequests.Max = 40"
    assert steps["Show the whole answer, with -v only"]["reason"] == (
        "shown with -v or more (verbosity: 1)")
    [check] = [c for c in steps["Enough calls left"]["checks"] if not c["passed"]]
    assert check["values"] == [["limits.json.DailyApiRequests.Remaining", "39"],
                               ["limits.json.DailyApiRequests.Max", "40"],
                               ["min_api_headroom", "0.99"]]
    suite = next(iter(check_junit(tmp_path / "j.xml")))
    cases = {case.name: case for case in suite}
    assert cases["Show the daily limit"]._elem.find("system-out").text == (
        "limits.json.DailyApiRequests.Max = 40")
    assert "min_api_headroom = 0.99" in cases["Enough calls left"].result[0].text
    summary = (tmp_path / "m.md").read_text()
    assert "limits.json.DailyApiRequests.Max = 40" in summary.split("Messages")[1]


def test_verbosity_shows_debug_and_success_messages(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "headroom.yml").write_text(HEADROOM.replace("0.99", "0.5"))
    monkeypatch.chdir(tmp_path)
    run = run_cli_inprocess("headroom.yml", "-v")
    assert run.status == 0, run.output
    shown = lines(run.stdout)
    answer = next(i for i, line in enumerate(shown)
                  if line.startswith("ok Show the whole answer, with -v only"))
    assert shown[answer + 1].startswith('limits.json = {"ConcurrentAsyncGetReportInstances": ')
    assert '"DailyApiRequests": {"Max": 40, "Remaining": 39' in shown[answer + 1]
    passed = next(i for i, line in enumerate(shown)
                  if line.startswith("ok Enough calls left acme"))
    assert shown[passed + 1] == "39 calls left"


def test_set_fact_and_step_vars_reach_the_org_rendered(tmp_path: Path) -> None:
    playbook = tmp_path / "facts.yml"
    with standalone_org(tmp_path) as org:
        playbook.write_text(
            "name: Facts\n"
            "vars: {prefix: acme, suffix: plain}\n"
            "orgs:\n"
            f"  uat: {{login_url: '{org.url}', client_id: {CLIENT_ID}, username: {USERNAME},"
            f" private_key: '{org.private_key}'}}\n"
            "steps:\n"
            "  - name: Create with step vars\n"
            "    vars: {suffix: \"{{ org.name }}-probe\"}\n"
            "    request:\n"
            "      method: POST\n"
            "      path: /services/data/v60.0/sobjects/Account\n"
            "      json: {Name: \"{{ prefix }}-{{ suffix }}\"}\n"
            "    register: made\n"
            "  - name: Remember the id\n"
            "    set_fact:\n"
            "      account_id: \"{{ made.json.id }}\"\n"
            "      note: \"made by {{ prefix }}-{{ suffix }}\"\n"
            "  - name: Describe it with the facts\n"
            "    request:\n"
            "      method: PATCH\n"
            "      path: \"/services/data/v60.0/sobjects/Account/{{ account_id }}\"\n"
            "      json: {Description: \"{{ note }}\"}\n"
        )
        run = run_cli(str(playbook), "-v")
        assert run.status == 0, run.output
        assert org.records("Account", "Name", "Description") == [
            ("acme-uat-probe", "made by acme-plain")]  # step vars held for their step only


def test_a_failed_response_is_cut_at_first_and_whole_at_vv(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "p.yml").write_text(
        "name: Describe\nsteps:\n"
        "  - name: Describe Account\n"
        "    request: {path: /services/data/v60.0/sobjects/Account/describe}\n"
        "    expect: {json: {name: Contact}}\n")
    monkeypatch.chdir(tmp_path)
    short = run_cli_inprocess("p.yml")
    whole = run_cli_inprocess("p.yml", "-vv")
    assert short.status == whole.status == 2
    excerpt = next(line for line in short.stdout.splitlines() if "response: {" in line)
    assert excerpt.endswith("…") and len(excerpt) < 300
    body = max(whole.stdout.splitlines(), key=len).strip()
    assert body.startswith('{"activateable":false') and body.endswith("}")
    assert len(body) > 10_000  # the whole describe, not an excerpt


def test_messages_name_no_python_class(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "p.yml").write_text(
        "name: Typo\nsteps:\n"
        "  - name: Find an account\n"
        "    query: SELECT Id FROM Account LIMIT 1\n"
        "    register: found\n"
        "  - name: Read it\n"
        "    request: {path: \"/services/data/v60.0/sobjects/Account/{{ found.id }}\"}\n"
        "  - name: A field by a wrong name\n"
        "    assert: [\"found.json.records[0].Nmae == 'x'\"]\n"
        "keep_going: true\n")
    monkeypatch.chdir(tmp_path)
    run = run_cli_inprocess("p.yml")
    assert run.status == 2, run.output
    shown = lines(run.stdout)
    read = next(i for i, line in enumerate(shown) if line.startswith("failed Read it"))
    assert shown[read + 1] == (
        "✗ p.yml:7:21 (request.path): undefined variable: 'found' has no key 'id' (it has: "
        "status, headers, json, text, elapsed_ms, url, method, failed, changed, skipped)")
    field = next(i for i, line in enumerate(shown)
                 if line.startswith("failed A field by a wrong name"))
    assert shown[field + 1] == (
        "✗ p.yml:9:13 (assert): undefined variable: 'found.json.records[0]' has no key 'Nmae' "
        "(it has: attributes, Id)")
    assert "runner." not in run.output and " object" not in run.output

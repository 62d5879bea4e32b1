"""GitHub annotations from a JSON report: one per failure, escaped as GitHub's runner reads them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from runner.report.github import main, workflow_commands


def step(name: str, outcome: str, reason: str = "", *, ignored: bool = False,
         line: int | None = None, file: str = "recipes/health.yml") -> dict[str, Any]:
    position = {"file": file, "line": line, "col": 3} if line else None
    return {"name": name, "outcome": outcome, "reason": reason, "ignored": ignored,
            "position": position}


RUN = {
    "playbook": "recipes/health.yml",
    "keys": [step("key main", "failed", "certificate expires in 3 days (min_days_left: 30)",
                  line=3)],
    "orgs": [
        {"name": "uat", "unreachable": True, "hint": "pre-authorize the user's profile",
         "login": step("log in", "failed", "invalid_grant: user hasn't approved this consumer",
                       line=7, file="orgs.yml"),
         "steps": [step("limits", "skipped", "org could not log in")]},
        {"name": "prod", "unreachable": False, "hint": None, "login": step("log in", "ok"),
         "steps": [step("read it", "failed", "got 404, expected 2xx\n  body: 50% done, a:b",
                        line=21),
                   step("optional", "failed", "got 500", ignored=True),
                   step("fine", "ok")]},
    ],
}
REPORT = {"version": 2, "playbooks": [RUN]}


def test_one_annotation_per_failure_at_its_file_and_line_with_a_title() -> None:
    expected = [
        "::error file=recipes/health.yml,line=3,title=key main::certificate expires in 3 days "
        "(min_days_left: 30)",
        "::error file=orgs.yml,line=7,title=uat%3A log in::invalid_grant: user hasn't "
        "approved this consumer — pre-authorize the user's profile",
        "::error file=recipes/health.yml,line=21,title=prod%3A read it::got 404, expected 2xx"
        "%0A  body: 50%25 done, a:b",
        "::warning file=recipes/health.yml,title=prod%3A optional::got 500",
    ]
    assert list(workflow_commands(REPORT)) == expected
    assert list(workflow_commands(RUN)) == expected  # a version 1 report: one run


def test_titles_escape_commas(tmp_path: Path) -> None:
    report = {"playbook": "a,b.yml", "keys": [], "orgs": [
        {"name": "x", "unreachable": False, "steps": [step("one, two", "failed", "no")]}]}
    assert list(workflow_commands(report)) == ["::error file=a%2Cb.yml,title=x%3A one%2C two::no"]


def test_main_reads_reports_and_warns_about_unreadable_ones(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "report.json"
    good.write_text(json.dumps(REPORT))
    assert main([str(good), str(tmp_path / "missing.json")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 5
    assert out[-1].startswith("::warning title=sfjwt-run::cannot read report ")

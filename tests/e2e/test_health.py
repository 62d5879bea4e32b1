"""Multi-org health checks: inventory, lanes side by side, matrix and the three report files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema

from tests.conftest import PLAYBOOKS, REPO, run_cli, single_run

SCHEMA = json.loads((REPO / "schemas" / "report.schema.json").read_text())


def test_health_over_the_example_inventory(tmp_path: Path) -> None:
    junit, report, summary = tmp_path / "j.xml", tmp_path / "r.json", tmp_path / "r.md"
    run = run_cli("-i", str(PLAYBOOKS / "inventory.example.yml"), str(PLAYBOOKS / "health.yml"),
                  "--junit", str(junit), "--json", str(report), "--markdown", str(summary))
    assert run.status == 2, run.output
    assert "ORGS × STEPS" in run.stdout
    matrix = run.stdout.split("ORGS × STEPS")[1].splitlines()
    assert matrix[2].startswith("globex-prod")  # failing orgs first
    data = json.loads(report.read_text())
    jsonschema.validate(data, SCHEMA)
    steps = {org["name"]: [s["outcome"] for s in org["steps"]] for org in single_run(data)["orgs"]}
    assert set(steps) == {"acme-prod", "acme-uat", "globex-prod"}
    assert all(len(outcomes) == 7 for outcomes in steps.values())
    assert steps["acme-prod"] == ["ok"] * 7 and steps["acme-uat"] == ["ok"] * 7
    assert steps["globex-prod"] == ["ok", "ok", "ok", "failed", "ok", "ok", "ok"]  # keep_going
    suites = ET.parse(junit).getroot().findall("testsuite")
    assert {s.get("name"): s.get("failures") for s in suites} == {
        "acme-prod": "0", "acme-uat": "0", "globex-prod": "1"}
    text = summary.read_text()
    assert "**FAILED**" in text and "globex-prod" in text.split("### Failures")[1]


def test_limit_selects_a_group_and_excludes(tmp_path: Path) -> None:
    run = run_cli("-i", str(PLAYBOOKS / "inventory.example.yml"), str(PLAYBOOKS / "health.yml"),
                  "-l", "production,!globex-prod")
    assert run.status == 0, run.output
    assert "acme-prod" in run.stdout and "globex-prod" not in run.stdout


def test_list_orgs_and_unknown_limit(tmp_path: Path) -> None:
    inventory = str(PLAYBOOKS / "inventory.example.yml")
    listed = run_cli("-i", inventory, str(PLAYBOOKS / "health.yml"), "--list-orgs")
    assert listed.status == 0
    assert all(name in listed.stdout for name in ("acme-prod", "acme-uat", "globex-prod"))
    unknown = run_cli("-i", inventory, str(PLAYBOOKS / "health.yml"), "-l", "acme-prd")
    assert unknown.status == 5
    assert "acme-prod" in unknown.stderr

"""SIGINT and SIGTERM during a run: stop new requests, mark what did not run, write every report.

The run is a real subprocess against slow embedded orgs; the signal is sent
once the first step has finished, so the run is certainly under way, and long
before the last step could have started.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.conftest import REPO, single_run
from tests.raw_server import raw_server, silent, trickle_body

SCHEMA = json.loads((REPO / "schemas" / "report.schema.json").read_text())
ORGS = ("slow-a", "slow-b", "slow-c")
STEPS = 8
LATENCY_MS = 250


def _playbook(folder: Path, *, slow_login: bool = False) -> Path:
    path = folder / "slow.yml"
    emulator: dict[str, Any] = {"latency_ms": LATENCY_MS}
    if slow_login:
        emulator["faults"] = [{"path": "/services/oauth2/token", "latency_ms": 1500}]
    document = {
        "name": "Slow orgs",
        "orgs": {name: {"emulator": emulator} for name in ORGS},
        "steps": [{"name": f"limits {n}", "request": {"path": "/services/data/v60.0/limits"}}
                  for n in range(1, STEPS + 1)],
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


@dataclass
class Interrupted:
    status: int
    stdout: str
    stderr: str
    folder: Path

    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.folder / "r.json").read_text())
        return data


FIRST_STEP = r"^\s+ok\s+limits 1 "


def _interrupt(folder: Path, signals: list[signal.Signals], *, when: str = FIRST_STEP,
               slow_login: bool = False, playbook: Path | None = None) -> Interrupted:
    """Start the run, wait for a console line matching ``when``, then send ``signals``."""
    reports = ["--json", "r.json", "--junit", "j.xml", "--markdown", "m.md"]
    playbook = playbook or _playbook(folder, slow_login=slow_login)
    process = subprocess.Popen(
        [sys.executable, "-m", "runner", str(playbook), *reports, "--no-progress"],
        cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None and process.stderr is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if re.search(when, line):
            break
    for sent in signals:
        process.send_signal(sent)
    try:
        rest, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return Interrupted(process.returncode, "".join(seen) + rest, stderr, folder)


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_mid_run_stops_marks_and_reports(sent: signal.Signals, tmp_path: Path) -> None:
    run = _interrupt(tmp_path, [sent])
    assert run.status == 99, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    report = run.report()
    jsonschema.validate(report, SCHEMA)
    assert report["interrupted"] is True and report["exit_status"] == 99
    assert report["verdict"] == "interrupted"
    outcomes = {org["name"]: [step["outcome"] for step in org["steps"]]
                for org in single_run(report)["orgs"]}
    assert set(outcomes) == set(ORGS)
    for name, steps in outcomes.items():
        assert len(steps) == STEPS, name  # one outcome per step, even the ones not run
        assert set(steps) <= {"ok", "interrupted"}, (name, steps)
        # what ran came first; once interrupted, nothing after it ran
        ran = steps.count("ok")
        assert steps == ["ok"] * ran + ["interrupted"] * (STEPS - ran), (name, steps)
    assert "ok" in outcomes["slow-a"] + outcomes["slow-b"] + outcomes["slow-c"]
    assert all(steps[-1] == "interrupted" for steps in outcomes.values())
    interrupted = [step for org in single_run(report)["orgs"] for step in org["steps"]
                   if step["outcome"] == "interrupted"]
    assert all(step["exchange"] is None and step["reason"] for step in interrupted)
    suites = ET.parse(tmp_path / "j.xml").getroot()
    assert len(suites.findall(".//testcase")) >= len(ORGS) * STEPS
    assert "interrupted" in (tmp_path / "m.md").read_text().lower()
    assert re.search(r"^  interrupted +limits \d", run.stdout, re.MULTILINE), run.stdout


def test_a_second_signal_while_stopping_still_exits_99_without_a_traceback(
    tmp_path: Path,
) -> None:
    run = _interrupt(tmp_path, [signal.SIGINT, signal.SIGINT])
    assert run.status == 99, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr


def test_a_signal_during_the_logins_stops_them_and_runs_no_step(tmp_path: Path) -> None:
    """The token requests are in flight (1.5 s each) when SIGTERM comes: they are stopped
    where they are, and nothing runs after them."""
    run = _interrupt(tmp_path, [signal.SIGTERM], when=r"^orgs: ", slow_login=True)
    assert run.status == 99, run.stdout + run.stderr
    report = run.report()
    jsonschema.validate(report, SCHEMA)
    for org in single_run(report)["orgs"]:
        assert org["login"]["outcome"] in ("ok", "interrupted"), org["login"]
        assert [step["outcome"] for step in org["steps"]] == ["interrupted"] * STEPS
    for kind in ("r.json", "j.xml", "m.md"):
        assert (tmp_path / kind).stat().st_size > 0


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_one_signal_stops_lanes_stuck_in_a_read_and_every_report_is_written(
    sent: signal.Signals, tmp_path: Path
) -> None:
    """Two orgs wait on servers that never finish (an hour's timeout); the first signal
    reaches their sockets, so the run ends at once with the healthy org's results."""
    with raw_server({"/silent": silent, "/trickle": trickle_body}) as server:
        playbook = tmp_path / "stuck.yml"
        playbook.write_text(yaml.safe_dump({
            "name": "Stuck", "orgs": {name: {"emulator": True}
                                      for name in ("healthy", "silent", "trickle")},
            "steps": [
                {"name": "versions", "request": {"path": "/services/data/"},
                 "orgs": ["healthy"]},
                {"name": "never answered", "request": {"url": f"{server.url}/silent"},
                 "timeout": 3600, "orgs": ["silent"]},
                {"name": "never finished", "request": {"url": f"{server.url}/trickle"},
                 "timeout": 3600, "orgs": ["trickle"]},
            ]}, sort_keys=False))
        run = _interrupt(tmp_path, [sent], when=r"^\s+ok\s+versions\s+healthy",
                         playbook=playbook)
    assert run.status == 99, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    report = run.report()
    jsonschema.validate(report, SCHEMA)
    outcomes = {org["name"]: {step["name"]: step["outcome"] for step in org["steps"]}
                for org in single_run(report)["orgs"]}
    assert outcomes["healthy"]["versions"] == "ok"
    assert outcomes["silent"]["never answered"] == "interrupted"
    assert outcomes["trickle"]["never finished"] == "interrupted"
    suites = ET.parse(tmp_path / "j.xml").getroot()
    assert any(suite.get("name") == "healthy" for suite in suites.iter("testsuite"))
    assert "healthy" in (tmp_path / "m.md").read_text()

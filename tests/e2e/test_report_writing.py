"""Reports survive signals and each other: a signal at any moment of a run, or while the
reports are written, never costs one; a report that cannot be written costs only itself.

The signal sweep runs the CLI in this process (``main()`` in the main thread, which
installs its handlers) and sends SIGINT or SIGTERM to the process at twenty moments
spread over a run, from its first line to its last report. The moment right after
``PASSED in`` is also hit in a real process, where Python's own handlers would
otherwise have been back in place.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from rich.console import Console

from runner.cli.environment import Environment
from runner.cli.main import main
from tests.conftest import REPO, CliRun, run_cli_inprocess, single_run

SCHEMA = json.loads((REPO / "schemas" / "report.schema.json").read_text())
ORGS = ("alpha", "beta")
STEPS = 4
TRIALS = 20
REPORTS = ("--json", "r.json", "--junit", "j.xml", "--markdown", "m.md")


def _playbook(folder: Path) -> Path:
    path = folder / "cheap.yml"
    path.write_text(yaml.safe_dump({
        "name": "Cheap run",
        "orgs": {name: {"emulator": {"latency_ms": 20}} for name in ORGS},
        "steps": [{"name": f"versions {n}", "request": {"path": "/services/data/"}}
                  for n in range(1, STEPS + 1)],
    }, sort_keys=False))
    return path


def strict_json(text: str) -> Any:
    """JSON as strict parsers read it: NaN and Infinity are not JSON."""
    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not JSON")
    return json.loads(text, parse_constant=refuse)


class _Started(io.StringIO):
    """A console's buffer that says when the run printed its first line."""

    def __init__(self, started: threading.Event) -> None:
        super().__init__()
        self.started = started

    def write(self, text: str) -> int:
        if "PLAY" in text:
            self.started.set()
        return super().write(text)


@pytest.fixture
def shielded() -> Iterator[list[int]]:
    """Signals that reach this process outside ``main()`` are noted, not fatal to pytest."""
    noted: list[int] = []
    previous = {number: signal.signal(number, lambda n, f: noted.append(n))
                for number in (signal.SIGINT, signal.SIGTERM)}
    yield noted
    for number, handler in previous.items():
        signal.signal(number, handler)


def _run_with_signal(folder: Path, playbook: Path, delay: float | None,
                     sent: signal.Signals) -> tuple[CliRun, float]:
    """Run the CLI here; ``delay`` seconds after its first line, send ``sent`` to ourselves.
    Returns the run and how long it took from its first line."""
    started, finished = threading.Event(), threading.Event()
    out, err = _Started(started), io.StringIO()

    def fire() -> None:
        if started.wait(30) and delay is not None and not finished.wait(delay):
            os.kill(os.getpid(), sent)

    timer = threading.Thread(target=fire, daemon=True)
    timer.start()
    consoles = Environment(stdout=Console(file=out, width=100, no_color=True),
                           stderr=Console(file=err, width=100, no_color=True))
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        begun = time.monotonic()
        status = main([str(playbook), *REPORTS, "--no-progress"], consoles)
        took = time.monotonic() - begun
    finally:
        finished.set()
        os.chdir(cwd)
        started.set()
        timer.join()
    return CliRun(status, out.getvalue(), err.getvalue()), took


def _check_reports(folder: Path, run: CliRun) -> dict[str, Any]:
    """Every report is there, whole and valid, and agrees with the exit status."""
    assert "Traceback" not in run.output and "internal error" not in run.output, run.output
    report = strict_json((folder / "r.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, SCHEMA)
    assert report["exit_status"] == run.status, (report["exit_status"], run.output)
    orgs = single_run(report)["orgs"]
    assert [org["name"] for org in orgs] == list(ORGS)
    assert all(len(org["steps"]) == STEPS for org in orgs)
    suites = ET.parse(folder / "j.xml").getroot()
    assert {suite.get("name") for suite in suites.iter("testsuite")} == set(ORGS)
    summary = (folder / "m.md").read_text(encoding="utf-8")
    assert "Cheap run" in summary and all(name in summary for name in ORGS)
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    return report


def test_twenty_signals_over_a_run_never_cost_a_report(tmp_path: Path,
                                                       shielded: list[int]) -> None:
    playbook = _playbook(tmp_path)
    calibration, took = _run_with_signal(tmp_path, playbook, None, signal.SIGINT)
    assert calibration.status == 0, calibration.output
    statuses = []
    for trial in range(TRIALS):
        folder = tmp_path / f"trial-{trial}"
        folder.mkdir()
        sent = (signal.SIGINT, signal.SIGTERM)[trial % 2]
        run, _ = _run_with_signal(folder, playbook, took * (trial + 0.5) / TRIALS, sent)
        assert run.status in (0, 99), (trial, run.output)
        report = _check_reports(folder, run)
        assert report["interrupted"] is (run.status == 99)
        statuses.append(run.status)
    assert 99 in statuses, "no signal landed inside a run"


def _process(folder: Path, playbook: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "runner", str(playbook), *REPORTS, "--no-progress"],
        cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"},
    )


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_right_after_the_recap_lets_every_report_finish(
    sent: signal.Signals, tmp_path: Path
) -> None:
    """The run has ended: the reports are written whole and the run's status stands, however
    many signals come while they are written and the process shuts down."""
    process = _process(tmp_path, _playbook(tmp_path))
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if re.match(r"^PASSED in ", line):
            process.send_signal(sent)
            for _ in range(20):  # and again while it writes, returns and shuts down
                time.sleep(0.005)
                if process.poll() is None:
                    process.send_signal(sent)
            break
    rest, stderr = process.communicate(timeout=60)
    run = CliRun(process.returncode, "".join(seen) + rest, stderr)
    assert run.status == 0, run.output
    report = _check_reports(tmp_path, run)
    assert report["verdict"] == "passed"


def _two_org_playbook(folder: Path, *, failing: bool) -> Path:
    path = folder / "p.yml"
    status = 404 if failing else 200
    path.write_text(yaml.safe_dump({"name": "Reports", "orgs": {"healthy": {"emulator": True}},
                                    "steps": [{"name": "versions",
                                               "request": {"path": "/services/data/"},
                                               "expect": {"status": status}}]}))
    return path


@pytest.mark.parametrize(("failing", "status"), [(False, 5), (True, 2)],
                         ids=["run-passed", "run-failed"])
def test_a_report_that_cannot_be_written_costs_only_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: bool, status: int
) -> None:
    """/dev/full takes the JSON report's open() but not its bytes: the other reports are
    written, an error line names it; a passed run then exits 5, a failed one keeps 2."""
    monkeypatch.chdir(tmp_path)
    playbook = _two_org_playbook(tmp_path, failing=failing)
    run = run_cli_inprocess(str(playbook), "--json", "/dev/full", "--junit", "j.xml",
                            "--markdown", "m.md")
    assert run.status == status, run.output
    assert ("sfjwt-run: error: --json /dev/full: cannot write the report: "
            "No space left on device") in run.stderr
    suite = ET.parse(tmp_path / "j.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("name") == "healthy"
    assert suite.get("failures") == ("1" if failing else "0")
    assert "healthy" in (tmp_path / "m.md").read_text()

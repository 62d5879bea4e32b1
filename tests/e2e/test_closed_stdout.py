"""A reader that goes away (``| head -n K``, a dead terminal) silences the console, and that
is all: the run goes on to its last step (the record it created is deleted), writes every
report and exits with its own status.

``head`` is the real one, reading a real pipe. Fifty runs in a row on one org and fifty
on twenty, with K from 1 to 10, run in this process (the console on the pipe, as
``Environment.from_system`` sets it up on the process's stdout) to stay cheap; a few more
run the real command in a shell pipeline, where the interpreter's own last flush must not
fail either. A terminal that hangs up (EIO rather than EPIPE) is silenced alike, and
SIGINT/SIGTERM after the reader left still end the run with exit 99 and every report.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from runner.cli.environment import Environment
from runner.cli.main import main
from tests.conftest import REPO, single_run

RUNS = 50


def _playbook(folder: Path, orgs: int) -> Path:
    """Create an Account, read it back, fail one check on purpose, delete the Account."""
    names = [f"org-{n:02d}" for n in range(1, orgs + 1)]
    path = folder / f"closed-{orgs}.yml"
    path.write_text(yaml.safe_dump({
        "name": "Create, read, check, delete",
        "orgs": {name: {"emulator": True} for name in names},
        "steps": [
            {"name": "create", "register": "made", "request": {
                "method": "POST", "path": "/services/data/v60.0/sobjects/Account",
                "json": {"Name": "Left behind?"}}},
            {"name": "read it", "request": {
                "path": "/services/data/v60.0/sobjects/Account/{{ made.json.id }}"},
             "expect": {"json": {"Name": "Left behind?"}}},
            {"name": "a check that fails", "request": {"path": "/services/data/"},
             "expect": {"status": 418}},
            {"name": "delete it", "request": {
                "method": "DELETE",
                "path": "/services/data/v60.0/sobjects/Account/{{ made.json.id }}"}},
            {"name": "it is gone", "request": {
                "path": "/services/data/v60.0/sobjects/Account/{{ made.json.id }}"},
             "expect": {"status": 404}},
        ],
        "keep_going": True,  # the delete runs after the failed check
    }, sort_keys=False))
    return path


@dataclass
class Piped:
    status: int
    head_lines: list[str]
    lost: bool  # the pipe closed under the run


def _run_into_head(playbook: Path, folder: Path, lines: int) -> Piped:
    """``sfjwt-run PLAYBOOK --json … --junit … --markdown … | head -n LINES``, in-process."""
    read, write = os.pipe()
    head = subprocess.Popen(["head", "-n", str(lines)], stdin=read, stdout=subprocess.PIPE,
                            text=True)
    os.close(read)
    with os.fdopen(write, "w", encoding="utf-8") as pipe:
        env = Environment.on_streams(pipe, io.StringIO(), "never")
        status = main([str(playbook), "-f", "5", "--json", str(folder / "r.json"),
                       "--junit", str(folder / "j.xml"), "--markdown", str(folder / "m.md")], env)
        lost = bool(getattr(env.stdout.file, "lost", False))
    shown, _ = head.communicate(timeout=30)
    return Piped(status, shown.splitlines(), lost)


def _every_step_ran(folder: Path, orgs: int) -> None:
    run = single_run(folder / "r.json")
    assert len(run["orgs"]) == orgs
    for org in run["orgs"]:
        outcomes = [step["outcome"] for step in org["steps"]]
        assert outcomes == ["changed", "ok", "failed", "changed", "ok"], (org["name"], outcomes)
    assert "org-01" in (folder / "m.md").read_text()


@pytest.mark.parametrize("orgs", [1, 20], ids=["one org", "twenty orgs"])
def test_fifty_runs_into_head_finish_report_and_keep_their_status(
    orgs: int, tmp_path: Path
) -> None:
    playbook = _playbook(tmp_path, orgs)
    losses = 0
    for attempt in range(RUNS):
        lines = attempt % 10 + 1
        folder = tmp_path / f"run-{attempt}"
        folder.mkdir()
        piped = _run_into_head(playbook, folder, lines)
        assert piped.status == 2, (attempt, lines)  # the failed check's status, never 99
        assert len(piped.head_lines) == lines
        assert piped.head_lines[0] == f"PLAY Create, read, check, delete  ({playbook})"
        _every_step_ran(folder, orgs)
        losses += piped.lost
    assert losses, "the reader never left before the run ended: nothing was tested"


@pytest.mark.parametrize("lines", [1, 4, 10])
def test_the_real_command_in_a_pipeline_into_head(lines: int, tmp_path: Path) -> None:
    playbook = _playbook(tmp_path, 3)
    shell = (f"set -o pipefail; {sys.executable} -m runner {playbook} --json r.json "
             f"--junit j.xml --markdown m.md | head -n {lines}")
    done = subprocess.run(["bash", "-c", shell], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 2, done.stderr
    assert len(done.stdout.splitlines()) == lines
    assert done.stderr == ""  # no traceback, no "Exception ignored" from the last flush
    _every_step_ran(tmp_path, 3)
    assert json.loads((tmp_path / "r.json").read_text())["exit_status"] == 2


def test_a_terminal_that_dies_under_the_run(tmp_path: Path) -> None:
    """The console is on a terminal whose other end closes after the first line: writing
    to it then fails with EIO, not EPIPE; the run goes on all the same."""
    playbook = _playbook(tmp_path, 2)
    main_end, terminal_end = os.openpty()
    with os.fdopen(terminal_end, "w", encoding="utf-8") as terminal:
        env = Environment.on_streams(terminal, io.StringIO(), "never")
        reader = threading.Thread(target=_read_a_line_and_hang_up, args=(main_end,))
        reader.start()
        status = main([str(playbook), "--no-progress", "--json", str(tmp_path / "r.json"),
                       "--junit", str(tmp_path / "j.xml"), "--markdown", str(tmp_path / "m.md")],
                      env)
        reader.join(timeout=30)
        assert status == 2
        assert getattr(env.stdout.file, "lost", False)
    _every_step_ran(tmp_path, 2)


def _read_a_line_and_hang_up(descriptor: int) -> None:
    seen = b""
    while b"\n" not in seen:
        seen += os.read(descriptor, 1024)
    os.close(descriptor)


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_after_the_reader_left_exits_99_with_every_report(
    sent: signal.Signals, tmp_path: Path
) -> None:
    """The reader takes the first step's line and leaves; then the signal comes. The run
    stops as it promises, with what it did in every report."""
    playbook = tmp_path / "slow.yml"
    playbook.write_text(yaml.safe_dump({
        "name": "Slow", "orgs": {"slow": {"emulator": {"latency_ms": 200}}},
        "steps": [{"name": f"limits {n}", "request": {"path": "/services/data/v60.0/limits"}}
                  for n in range(1, 9)]}, sort_keys=False))
    process = subprocess.Popen(
        [sys.executable, "-m", "runner", str(playbook), "--json", "r.json", "--junit", "j.xml",
         "--markdown", "m.md"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env={**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"})
    assert process.stdout is not None
    for line in process.stdout:
        if "limits 1" in line:
            break
    process.stdout.close()
    process.send_signal(sent)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 99, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr
    run = single_run(tmp_path / "r.json")
    outcomes = [step["outcome"] for step in run["orgs"][0]["steps"]]
    assert outcomes[0] == "ok" and outcomes[-1] == "interrupted"
    assert (tmp_path / "m.md").read_text().count("limits") >= 8

"""The embedded orgs' process never outlives the run: it is gone when ``sfjwt-run`` exits
after a signal, and soon after it is killed outright (SIGKILL gives it no say)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

STEPS = 30


def _playbook(folder: Path) -> Path:
    path = folder / "slow.yml"
    path.write_text(yaml.safe_dump({
        "name": "Slow embedded orgs",
        "orgs": {name: {"emulator": {"latency_ms": 200}} for name in ("one", "two")},
        "steps": [{"name": f"limits {n}", "request": {"path": "/services/data/v60.0/limits"}}
                  for n in range(1, STEPS + 1)],
    }, sort_keys=False))
    return path


def _answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _start_and_find_port(folder: Path) -> tuple[subprocess.Popen[str], int]:
    """The run, once its first step has gone to the org; and the org's port, from -v."""
    process = subprocess.Popen(
        [sys.executable, "-m", "runner", str(_playbook(folder)), "-v", "--no-progress"],
        cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    for line in process.stdout:
        found = re.search(r"http://127\.0\.0\.1:(\d+)/services/data/v60\.0/limits", line)
        if found:
            return process, int(found.group(1))
    process.kill()
    raise AssertionError(f"no request line; stderr: {process.communicate()[1]}")


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stopped_run_has_stopped_its_orgs_when_it_exits(sent: signal.Signals,
                                                          tmp_path: Path) -> None:
    process, port = _start_and_find_port(tmp_path)
    assert _answers(port)
    process.send_signal(sent)
    output, errors = process.communicate(timeout=60)
    assert process.returncode == 99, output + errors
    assert "Traceback" not in output + errors
    assert re.search(r"^  interrupted +limits \d+ +one", output, re.MULTILINE), output
    assert not _answers(port)


def test_a_killed_run_takes_its_orgs_with_it(tmp_path: Path) -> None:
    process, port = _start_and_find_port(tmp_path)
    assert _answers(port)
    process.kill()
    process.communicate(timeout=60)
    deadline = time.monotonic() + 10
    while _answers(port) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _answers(port)

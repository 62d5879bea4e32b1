"""Shared test helpers: run the real CLI in-process or as a subprocess, and scrub output."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from runner.cli.environment import Environment
from runner.cli.main import main
from tests.junit_check import check_junit, is_junit

REPO = Path(__file__).resolve().parents[1]
PLAYBOOKS = REPO / "playbooks"


@dataclass
class CliRun:
    status: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _console(buffer: io.StringIO) -> Console:
    return Console(file=buffer, width=100, no_color=True, highlight=False, force_terminal=False,
                   soft_wrap=True)


def run_cli_inprocess(*args: str) -> CliRun:
    """Run ``sfjwt-run`` in this process with fixed-width, colourless consoles."""
    out, err = io.StringIO(), io.StringIO()
    status = main(list(args), Environment(stdout=_console(out), stderr=_console(err)))
    return CliRun(status, out.getvalue(), err.getvalue())


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 60) -> CliRun:
    """Run the real ``sfjwt-run`` console entry point as a subprocess."""
    completed = subprocess.run(
        [sys.executable, "-m", "runner", *args],
        cwd=cwd or REPO,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return CliRun(completed.returncode, completed.stdout, completed.stderr)


_SCRUBS = [
    (re.compile(r" *\d+(\.\d+)? ms\b"), " N ms"),
    (re.compile(r"\d+\.\d+ s\b"), "N s"),
    (re.compile(r"(127\.0\.0\.1|localhost):\d+"), r"\1:PORT"),
    (re.compile(r"\b(00[1356DQ]|500|006)[0-9A-Za-z]{15}\b"), r"\1<id>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000"), "<datetime>"),
]


def scrub(text: str, *paths: Path) -> str:
    """Remove what changes between runs: times, ports, temporary paths."""
    for path in paths:
        text = text.replace(str(path), "<tmp>")
    for pattern, replacement in _SCRUBS:
        text = pattern.sub(replacement, text)
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite golden files from the current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


_NEW_FOLDERS: list[Path] = []  # made by tmp_path or tmp_path_factory since the last check


@pytest.fixture(scope="session", autouse=True)
def temporary_folders_are_noted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Note every temporary folder a test or fixture makes (``tmp_path`` makes its own
    with ``mktemp`` too), so that the JUnit files written there can be checked."""
    make = tmp_path_factory.mktemp

    def mktemp(basename: str, numbered: bool = True) -> Path:
        folder = make(basename, numbered)
        _NEW_FOLDERS.append(folder)
        return folder

    tmp_path_factory.mktemp = mktemp  # type: ignore[method-assign]
    yield
    tmp_path_factory.mktemp = make  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def junit_files_are_valid() -> Iterator[None]:
    """After each test, every JUnit report written in a temporary folder made for it or for
    its fixtures (module-scoped ones too) is validated against junit-10.xsd, parsed with
    junitparser and its counts checked (tests/junit_check.py)."""
    yield
    folders, _NEW_FOLDERS[:] = list(_NEW_FOLDERS), []
    for folder in folders:
        for path in sorted(folder.rglob("*.xml")):
            if is_junit(path):
                check_junit(path)


def single_run(report: Path | dict[str, Any]) -> dict[str, Any]:
    """The one playbook run a ``--json`` report holds (read from ``report`` if a path)."""
    data = json.loads(report.read_text(encoding="utf-8")) if isinstance(report, Path) else report
    (run,) = data["playbooks"]
    assert isinstance(run, dict)
    return run

"""GitHub Actions annotations (``::error``): one per failed key, per org that could not log
in and per failed step (``ignore_errors`` ones as ``::warning``), each at its line of the
playbook or inventory, so they show on the run's summary page and in the pull request.

A run prints them itself when ``GITHUB_ACTIONS=true``; ``python -m runner.report.github
REPORT.json...`` prints those of ``--json`` reports (merged ones, say). Escaped as GitHub's
runner reads workflow commands; the report data is already masked.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from runner.report.data import invocation_data
from runner.report.text import print_raw
from runner.run.results import Invocation
from runner.secrets import redact


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, *, file: str, title: str,
            position: Mapping[str, Any] | None = None) -> str:
    """One workflow command, escaped as GitHub's runner expects; ``position`` adds the line."""
    where = f"file={_property(position.get('file', file) if position else file)}"
    if position and position.get("line"):
        where += f",line={int(position['line'])}"
    return f"::{level} {where},title={_property(title)}::{_data(redact(message))}"


def _runs(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The runs a report holds: every playbook (version 2), or the one it is (version 1)."""
    return list(report["playbooks"]) if "playbooks" in report else [report]


def workflow_commands(report: Mapping[str, Any]) -> Iterator[str]:
    """The annotations for one JSON report (schemas/report.schema.json)."""
    for run in _runs(report):
        yield from _run_commands(run)


def _run_commands(run: Mapping[str, Any]) -> Iterator[str]:
    playbook = str(run.get("playbook", ""))
    for key in run.get("keys", []):
        if key.get("outcome") == "failed":
            yield command("error", key.get("reason") or "failed", file=playbook,
                          title=str(key.get("name")), position=key.get("position"))
    for org in run.get("orgs", []):
        name = org.get("name", "?")
        login = org.get("login") or {}
        if org.get("unreachable"):
            reason = login.get("reason") or "could not log in"
            hint = f" — {org['hint']}" if org.get("hint") else ""
            yield command("error", reason + hint, file=playbook, title=f"{name}: log in",
                          position=login.get("position"))
        for step in org.get("steps", []):
            if step.get("outcome") != "failed":
                continue
            level = "warning" if step.get("ignored") else "error"
            yield command(level, step.get("reason") or "failed", file=playbook,
                          title=f"{name}: {step.get('name')}", position=step.get("position"))


def print_annotations(console: Console, invocation: Invocation) -> None:
    """The annotations of a command's runs, on the console (GitHub reads both streams)."""
    for line in workflow_commands(invocation_data(invocation)):
        print_raw(console, line)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the annotations of each report named on the command line; 0 unless unreadable."""
    status = 0
    for name in sys.argv[1:] if argv is None else argv:
        try:
            report = json.loads(Path(name).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"::warning title=sfjwt-run::cannot read report {_data(name)}: {_data(str(exc))}")
            status = 1
            continue
        for line in workflow_commands(report):
            print(line)
    return status


if __name__ == "__main__":
    raise SystemExit(main())

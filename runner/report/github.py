"""GitHub Actions annotations (``::error``) from a ``--json`` report, for the composite action.

``python -m runner.report.github REPORT.json...`` prints one ``::error`` workflow command per
org that could not log in and per failed step (``ignore_errors`` ones as ``::warning``), so
they show on the run's summary page and in the pull request. The report is already masked.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from runner.secrets import redact


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, *, file: str, title: str) -> str:
    """One workflow command, escaped as GitHub's runner expects."""
    return f"::{level} file={_property(file)},title={_property(title)}::{_data(redact(message))}"


def workflow_commands(report: Mapping[str, Any]) -> Iterator[str]:
    """The annotations for one JSON report (schemas/report.schema.json)."""
    playbook = str(report.get("playbook", ""))
    for key in report.get("keys", []):
        if key.get("outcome") == "failed":
            yield command("error", key.get("reason") or "failed", file=playbook,
                          title=f"key {key.get('name')}")
    for org in report.get("orgs", []):
        name = org.get("name", "?")
        login = org.get("login") or {}
        if org.get("unreachable"):
            reason = login.get("reason") or "could not log in"
            hint = f" — {org['hint']}" if org.get("hint") else ""
            yield command("error", reason + hint, file=playbook, title=f"{name}: log in")
        for step in org.get("steps", []):
            if step.get("outcome") != "failed":
                continue
            level = "warning" if step.get("ignored") else "error"
            yield command(level, step.get("reason") or "failed", file=playbook,
                          title=f"{name}: {step.get('name')}")


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

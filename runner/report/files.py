"""Write the requested report files (JUnit, JSON, markdown) for a finished run."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from runner.errors import UsageError
from runner.report import jsonfile, junit, markdown
from runner.run.results import RunResult

WRITERS: dict[str, Callable[[RunResult, Path], None]] = {
    "junit": junit.write,
    "json": jsonfile.write,
    "markdown": markdown.write,
}


def write_reports(run: RunResult, paths: Mapping[str, Path]) -> None:
    """Write each report; a path that cannot be written is a one-line error."""
    for kind, path in paths.items():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            WRITERS[kind](run, path)
        except OSError as exc:
            raise UsageError(f"--{kind} {path}: cannot write the report: {exc.strerror}") from None

"""Write the requested report files (JUnit, JSON, markdown) for a finished run.

Each file's whole text is masked on its way to the disk, whatever its reporter did."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from runner.errors import UsageError
from runner.report import jsonfile, junit, markdown
from runner.run.results import RunResult
from runner.secrets import redact

RENDERERS: dict[str, Callable[[RunResult], str]] = {
    "junit": junit.render,
    "json": jsonfile.render,
    "markdown": markdown.render,
}


def write_reports(run: RunResult, paths: Mapping[str, Path]) -> None:
    """Write each report; a path that cannot be written is a one-line error."""
    for kind, path in paths.items():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(redact(RENDERERS[kind](run)), encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--{kind} {path}: cannot write the report: {exc.strerror}") from None

"""Write the requested reports (JUnit, JSON, markdown, HTML) of a command's runs.

Each report is one file holding every playbook the command ran. ``-`` sends a
report to standard output (then the console goes to standard error); a markdown
report given ``$GITHUB_STEP_SUMMARY``'s path is appended to it, as GitHub expects
of each step. Each report's whole text is masked on its way out, and made valid
for its format (``sanitize``).

Every path is checked before the run (``check_paths``: exit 5 naming the path and
why), and at the end each report is written on its own, whole or not at all
(``writing``): one that cannot be written costs only itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from rich.console import Console

from runner.errors import UsageError
from runner.report import html, jsonfile, junit, markdown, writing
from runner.report.sanitize import FILE_TEXT, document_text
from runner.run.results import Invocation
from runner.secrets import redact

STDOUT = "-"
RENDERERS: dict[str, Callable[[Invocation], str]] = {
    "junit": junit.render,
    "json": jsonfile.render,
    "markdown": markdown.render,
    "html": html.render,
}


@dataclass(frozen=True)
class Target:
    """Where one report goes: a file (``path``), or standard output (``path`` None)."""

    kind: str
    path: Path | None
    append: bool = False


def targets(requested: Mapping[str, str | None], *, step_summary: str | None) -> list[Target]:
    """The reports asked for (``--KIND VALUE``); at most one may go to standard output."""
    chosen = []
    for kind, value in requested.items():
        if not value:
            continue
        if value == STDOUT:
            chosen.append(Target(kind, None))
            continue
        path = Path(value)
        chosen.append(Target(kind, path, append=kind == "markdown" and _same(path, step_summary)))
    to_stdout = [f"--{t.kind} -" for t in chosen if t.path is None]
    if len(to_stdout) > 1:
        raise UsageError(f"{' and '.join(to_stdout)}: only one report can go to standard output",
                         hint="write the others to files")
    return chosen


def _same(path: Path, other: str | None) -> bool:
    return bool(other) and os.path.abspath(path) == os.path.abspath(str(other))


def check_paths(chosen: list[Target]) -> None:
    """Refuse, before anything runs, report paths that cannot be written or that two
    reports share (UsageError, exit 5); creates the folders they name."""
    problems = []
    seen: dict[str, Target] = {}
    for target in chosen:
        if target.path is None:
            continue
        where = os.path.realpath(target.path)
        if where in seen:
            first = seen[where]
            problems.append(f"--{first.kind} {first.path} and --{target.kind} {target.path} "
                            "are the same file")
            continue
        seen[where] = target
        reason = writing.unwritable(target.path)
        if reason:
            problems.append(f"--{target.kind} {target.path}: cannot write the report: {reason}")
    if problems:
        raise UsageError("; ".join(problems), hint="give report paths that can be written")


@dataclass(frozen=True)
class Unwritten:
    """A report that could not be written, and why (``internal``: a bug rendering it)."""

    kind: str
    message: str
    internal: bool = False


def write_reports(
    invocation: Invocation, chosen: list[Target], stdout: IO[str], console: Console
) -> list[Unwritten]:
    """Write every report that can be written; the ones that cannot are returned."""
    unwritten = []
    for target in chosen:
        try:
            valid = FILE_TEXT.get(target.kind, document_text)
            text = valid(redact(RENDERERS[target.kind](invocation)))
        except Exception as exc:  # a bug in one renderer costs only its own report
            unwritten.append(Unwritten(target.kind, f"--{target.kind}: the report could not "
                                       f"be made: {type(exc).__name__}: {exc}", internal=True))
            continue
        if target.path is None:
            _to_stdout(text, stdout, console, target.kind)
            continue
        try:
            writing.write_text(target.path, text, append=target.append)
        except OSError as exc:
            unwritten.append(Unwritten(target.kind, f"--{target.kind} {target.path}: cannot "
                                       f"write the report: {exc.strerror or exc}"))
    return unwritten


def _to_stdout(text: str, stdout: IO[str], console: Console, kind: str) -> None:
    """The report on standard output; if its reader has gone, a line on the console says so."""
    stdout.write(text)
    stdout.flush()
    if getattr(stdout, "lost", False) and console.file is not stdout:
        console.print(f"sfjwt-run: standard output was closed: the --{kind} report was not "
                      "written", markup=False, highlight=False)

"""The command line's own lines on stderr: errors with their source line, interruptions,
internal errors; and the one line of ``--syntax-check``. Every line is masked."""

from __future__ import annotations

from collections.abc import Sequence

from runner.errors import PlaybookError, SfjwtError
from runner.playbook.lint import Notice
from runner.playbook.model import Playbook
from runner.secrets import redact

TYPE_CHECKING = False  # rich is imported with the console, not before (runner.report.lazy)
if TYPE_CHECKING:
    from rich.console import Console


def _say(console: Console, text: str) -> None:
    console.print(redact(text), markup=False, highlight=False, soft_wrap=True)


def print_error(console: Console, exc: SfjwtError) -> None:
    """One line (``file:line:col: message``), then the source line and a caret."""
    positioned = isinstance(exc, PlaybookError) and exc.position is not None
    _say(console, str(exc) if positioned else f"sfjwt-run: error: {exc}")
    if isinstance(exc, PlaybookError) and exc.position and exc.source_line is not None:
        gutter = f"{exc.position.line:>5} | "
        console.print(gutter + exc.source_line.rstrip("\n"), markup=False, highlight=False,
                      soft_wrap=True)
        console.print(" " * (len(gutter) - 2) + "| " + " " * (exc.position.col - 1) + "^",
                      markup=False, highlight=False)
    if exc.hint:
        _say(console, f"hint: {exc.hint}")


def print_unwritten(console: Console, message: str) -> None:
    """A report that could not be written at the end of a run (the others were)."""
    _say(console, f"sfjwt-run: error: {message}")


def print_interrupted(console: Console) -> None:
    console.print("interrupted", markup=False)


def print_internal_error(console: Console, exc: Exception, traceback: str | None) -> None:
    """A bug: one line, and the traceback only when asked for (-vvv)."""
    console.print(redact(f"internal error: {type(exc).__name__}: {exc}"), markup=False)
    if traceback is not None:
        console.print(redact(traceback), markup=False)
    else:
        console.print("run again with -vvv to see the traceback", markup=False)


def print_notices(console: Console, notices: Sequence[Notice]) -> None:
    """Warnings of the checks before a run (``env.NAME`` that is not set), one line each."""
    for notice in notices:
        where = f"{notice.position}: " if notice.position else ""
        _say(console, f"{where}warning: {notice.message}")


def print_syntax_ok(
    console: Console, playbook: Playbook, notices: Sequence[Notice] = ()
) -> None:
    """The verdict of ``--syntax-check``, counting its warnings."""
    console.print(f"{playbook.path}: syntax OK ({len(playbook.steps)} steps)"
                  + (f", {len(notices)} warning{'s' if len(notices) > 1 else ''}"
                     if notices else ""), markup=False, highlight=False)

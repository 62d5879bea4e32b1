"""A live progress display for long runs: orgs and steps done, on terminals only.

Off when output is not a real terminal, whatever FORCE_COLOR, TTY_COMPATIBLE or
``--color always`` say (colours may go to a CI log, redrawn frames must not), and
with ``--no-progress``. Transient: it disappears before the recap is printed.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from runner.report.streams import is_terminal


class ProgressDisplay:
    """Counts finished org lanes and steps while lines print above it."""

    def __init__(self, console: Console, *, orgs: int, steps: int) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._orgs = self._progress.add_task("orgs ", total=orgs)
        self._steps = self._progress.add_task("steps", total=orgs * steps)
        self._progress.start()

    def step_done(self) -> None:
        self._progress.advance(self._steps)

    def org_done(self) -> None:
        self._progress.advance(self._orgs)

    def stop(self) -> None:
        self._progress.stop()


def wanted(console: Console, *, enabled: bool) -> bool:
    """Progress only on a real terminal, and only when not switched off."""
    return enabled and is_terminal(console.file) and not console.is_dumb_terminal

"""The rich consoles a command prints to: inert, and quiet when their reader goes away."""

from __future__ import annotations

from typing import Any, TextIO

from rich.console import Console

from runner.report.inert import make_inert


class PipeConsole(Console):
    """A console that goes quiet when its reader leaves, where rich's default would exit
    the process mid-run and lose the reports. Its stream (a ``GuardedStream``) already
    swallows the failure; this is for any write that reaches rich's own handler."""

    def on_broken_pipe(self) -> None:
        self.quiet = True


def console_on(stream: TextIO, *, width: int | None, soft_wrap: bool, **options: Any) -> Console:
    """An inert console on ``stream`` (already masked and guarded); ``options`` are rich's
    colour settings."""
    return make_inert(PipeConsole(file=stream, width=width, highlight=False, soft_wrap=soft_wrap,
                                  **options))

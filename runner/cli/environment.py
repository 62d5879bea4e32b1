"""The input and output of one invocation: the consoles it prints to.

Tests and benchmarks swap it for in-memory consoles; nothing else in the
command line reaches for ``sys.stdout`` directly.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from rich.console import Console


class PipeConsole(Console):
    """A console that goes quiet when its reader leaves (``| head``) and lets the run finish,
    where rich's default would exit the process mid-run and lose the reports."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        silence_stdout()


@dataclass
class Environment:
    """Where output goes; tests swap it for in-memory consoles."""

    stdout: Console
    stderr: Console

    @classmethod
    def from_system(cls) -> Environment:
        no_color = bool(os.environ.get("NO_COLOR"))
        width = None if sys.stdout.isatty() else 120
        return cls(
            stdout=PipeConsole(no_color=no_color, width=width, highlight=False, soft_wrap=True),
            stderr=Console(stderr=True, no_color=no_color, width=width, highlight=False),
        )


def silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())

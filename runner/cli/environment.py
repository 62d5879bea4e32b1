"""The input and output of one invocation: the consoles it prints to.

Tests and benchmarks swap it for in-memory consoles; nothing else in the
command line reaches for ``sys.stdout`` directly.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any, TextIO

from rich.console import Console

COLOR_MODES = ("auto", "always", "never")


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
    def from_system(cls, color: str = "auto") -> Environment:
        """Consoles on the process's stdout and stderr; ``color`` is ``--color``'s value."""
        width = None if sys.stdout.isatty() else 120
        return cls(
            stdout=PipeConsole(width=width, highlight=False, soft_wrap=True,
                               **_colors(color, sys.stdout)),
            stderr=Console(stderr=True, width=width, highlight=False, **_colors(color, sys.stderr)),
        )


def _colors(mode: str, stream: TextIO) -> dict[str, Any]:
    """Console options for ``--color``: ``always`` colours a pipe too (the live progress
    display still needs a terminal); ``never`` and, under ``auto``, NO_COLOR turn it off."""
    if mode == "never" or (mode == "auto" and os.environ.get("NO_COLOR")):
        return {"no_color": True, "color_system": None}
    if mode == "always":
        return {"no_color": False, "color_system": "auto" if stream.isatty() else "standard"}
    return {}


def silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())

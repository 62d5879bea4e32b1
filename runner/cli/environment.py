"""The input and output of one invocation: the consoles it prints to.

Tests and benchmarks swap it for in-memory consoles; nothing else in the
command line reaches for ``sys.stdout`` directly. The consoles on the process's
streams mask secrets in everything written to them, and go quiet when their
reader goes away.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TextIO, cast

from rich.console import Console

from runner.report.inert import make_inert
from runner.report.sink import MaskedStream
from runner.report.streams import GuardedStream, is_terminal

EMPTY: Mapping[str, str] = MappingProxyType({})


class PipeConsole(Console):
    """A console that goes quiet when its reader leaves, where rich's default would exit
    the process mid-run and lose the reports. Its stream (a ``GuardedStream``) already
    swallows the failure; this is for any write that reaches rich's own handler."""

    def on_broken_pipe(self) -> None:
        self.quiet = True


@dataclass
class Environment:
    """Where output goes; tests swap it for in-memory consoles."""

    stdout: Console
    stderr: Console
    unmasked: TextIO | None = None
    """stdout without the secret mask: only ``sfjwt-run token`` writes here, on request."""

    @classmethod
    def from_system(cls, color: str = "auto", environ: Mapping[str, str] = EMPTY) -> Environment:
        """Consoles on the process's stdout and stderr; ``color`` is ``--color``'s value,
        ``environ`` the run's environment variables (NO_COLOR)."""
        return cls.on_streams(sys.stdout, sys.stderr, color, environ)

    @classmethod
    def on_streams(
        cls, stdout: TextIO, stderr: TextIO, color: str = "auto",
        environ: Mapping[str, str] = EMPTY,
    ) -> Environment:
        """Consoles on two text streams, each masked, guarded and inert: a reader that goes
        away silences its console and the run goes on; no text can steer the terminal."""
        width = None if is_terminal(stdout) else 120
        out = cast(TextIO, GuardedStream(cast(TextIO, MaskedStream(stdout))))
        err = cast(TextIO, GuardedStream(cast(TextIO, MaskedStream(stderr))))
        return cls(
            stdout=make_inert(PipeConsole(file=out, width=width, highlight=False,
                                          soft_wrap=True, **_colors(color, stdout, environ))),
            stderr=make_inert(PipeConsole(file=err, width=width, highlight=False,
                                          **_colors(color, stderr, environ))),
            unmasked=cast(TextIO, GuardedStream(stdout)),
        )


def _colors(mode: str, stream: TextIO, environ: Mapping[str, str]) -> dict[str, Any]:
    """Console options for ``--color``: ``always`` colours a pipe too (the live progress
    display still needs a terminal); ``never`` and, under ``auto``, NO_COLOR turn it off."""
    if mode == "never" or (mode == "auto" and environ.get("NO_COLOR")):
        return {"no_color": True, "color_system": None}
    if mode == "always":
        return {"no_color": False, "color_system": "auto" if is_terminal(stream) else "standard"}
    return {}


def silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())

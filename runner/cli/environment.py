"""The input and output of one invocation: the consoles it prints to.

Tests and benchmarks swap it for in-memory consoles; nothing else in the
command line reaches for ``sys.stdout`` directly. The consoles on the process's
streams mask secrets in everything written to them, and go quiet when their
reader goes away. Rich is imported when a console is built: with ``lazy``, not
before something needs more than a plain line (``runner.report.lazy``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType
from typing import Any, TextIO, cast

from runner.report.lazy import LazyConsole, console_on
from runner.report.sink import MaskedStream
from runner.report.streams import GuardedStream, is_terminal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from rich.console import Console

    from runner.run.results import Invocation

EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass
class Environment:
    """Where output goes; tests swap it for in-memory consoles."""

    stdout: Console
    stderr: Console
    unmasked: TextIO | None = None
    """stdout without the secret mask: only ``sfjwt-run token`` writes here, on request."""
    results: list[Invocation] | None = None
    """Where a command that runs playbooks also hands over what they did, as data (the
    pytest plugin reads its failure's headline there); None: nowhere."""

    @classmethod
    def from_system(cls, color: str = "auto", environ: Mapping[str, str] = EMPTY, *,
                    lazy: bool = False) -> Environment:
        """Consoles on the process's stdout and stderr; ``color`` is ``--color``'s value,
        ``environ`` the run's environment variables (NO_COLOR); ``lazy``: rich's consoles
        are built on first need (for commands that print plain lines)."""
        return cls.on_streams(sys.stdout, sys.stderr, color, environ, lazy=lazy)

    @classmethod
    def on_streams(
        cls, stdout: TextIO, stderr: TextIO, color: str = "auto",
        environ: Mapping[str, str] = EMPTY, *, lazy: bool = False,
    ) -> Environment:
        """Consoles on two text streams, each masked, guarded and inert: a reader that goes
        away silences its console and the run goes on; no text can steer the terminal."""
        width = None if is_terminal(stdout) else 120
        out = cast(TextIO, GuardedStream(cast(TextIO, MaskedStream(stdout))))
        err = cast(TextIO, GuardedStream(cast(TextIO, MaskedStream(stderr))))
        consoles = []
        for stream, original, soft_wrap in ((out, stdout, True), (err, stderr, False)):
            build = partial(console_on, stream, width=width, soft_wrap=soft_wrap,
                            **_colors(color, original, environ))
            consoles.append(cast("Console", LazyConsole(stream, build, soft_wrap=soft_wrap))
                            if lazy else build())
        return cls(stdout=consoles[0], stderr=consoles[1],
                   unmasked=cast(TextIO, GuardedStream(stdout)))


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

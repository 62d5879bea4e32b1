"""Text a command prints for another program to read: a schema, a completion script, exports.

Written as is: no markup, wrapping or highlighting, so a shell or a parser gets the bytes.
"""

from __future__ import annotations

from typing import IO

from rich.console import Console


def print_raw(console: Console, text: str) -> None:
    """``text`` exactly, ending with one newline."""
    console.out(text.rstrip("\n"), highlight=False, end="\n")


def print_unmasked(stream: IO[str], text: str) -> None:
    """``text`` on a stream that bypasses the process's secret mask: only for
    ``sfjwt-run token``'s exports, the one output that carries a token, on request."""
    stream.write(text.rstrip("\n") + "\n")
    stream.flush()

"""Text a command prints for another program to read: a schema, a completion script, exports.

Written as is: no markup, wrapping or highlighting, so a shell or a parser gets the bytes.
"""

from __future__ import annotations

from rich.console import Console


def print_raw(console: Console, text: str) -> None:
    """``text`` exactly, ending with one newline."""
    console.out(text.rstrip("\n"), highlight=False, end="\n")

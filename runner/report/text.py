"""Text a command prints for another program to read: a schema, a completion script, exports.

Written as is: no markup, wrapping or highlighting, so a shell or a parser gets the bytes.
"""

from __future__ import annotations

from rich.console import Console


def print_raw(console: Console, text: str) -> None:
    """``text`` exactly, ending with one newline."""
    console.out(text.rstrip("\n"), highlight=False, end="\n")


def print_unmasked(console: Console, text: str) -> None:
    """``text`` past the process's secret mask: only for ``sfjwt-run token``'s exports, the
    one output that carries a token, because the user asked for it by name."""
    stream = console.file
    write = getattr(stream, "write_unmasked", stream.write)
    write(text.rstrip("\n") + "\n")
    stream.flush()

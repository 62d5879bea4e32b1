"""A recap table as plain lines, for a console that shows no styles (a pipe, a CI log).

There rich's output is the cells' characters alone, laid out in columns as wide as their
widest cell, two spaces apart; writing those lines directly spares rich's cost per cell,
most of a recap's time with hundreds of orgs. Text rich would not print as it is
(markup, emoji codes, tabs, control characters) is left to rich.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from runner.report.lazy import is_plain

GAP = 2  # a table's padding between two columns (pad_edge off: none at the edges)


def shows_no_style(console: Console) -> bool:
    """Whether the console writes text only: no colour system, nothing recorded."""
    return console.color_system is None and not console.record


def write_plain(console: Console, text: str) -> bool:
    """Write ``text`` and a line break as rich would on a console that shows no styles,
    without rich's rendering; False, with nothing written, where rich must do it."""
    if console.quiet or not shows_no_style(console) or not is_plain(text):
        return False
    console.file.write(text + "\n")
    console.file.flush()
    return True


def plain_lines(table: Table, rows: Sequence[Sequence[str]], widths: Sequence[int], *,
                soft_wrap: bool) -> list[str] | None:
    """The table's title, header and rows as rich lays them out (the title padded to the
    table's width unless the console soft-wraps); None when a cell or the title is text
    rich would change, or the title is wider than the table."""
    headers = [str(column.header) for column in table.columns]
    title = str(table.title) if table.title else ""
    total = sum(widths) + GAP * (len(widths) - 1)
    cells = [title, *headers, *(cell for row in rows for cell in row)]
    if cell_len(title) > total or not all(is_plain(cell) and "[" not in cell for cell in cells):
        return None
    lines = [title + ("" if soft_wrap else " " * (total - cell_len(title)))] if title else []
    right = [column.justify == "right" for column in table.columns]
    for row in (headers, *rows):
        lines.append((" " * GAP).join(
            _fit(cell, width, at_right) for cell, width, at_right in zip(row, widths, right,
                                                                         strict=True)))
    return lines


def _fit(cell: str, width: int, at_right: bool) -> str:
    room = " " * (width - cell_len(cell))
    return room + cell if at_right else cell + room

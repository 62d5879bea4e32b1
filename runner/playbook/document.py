"""A parsed YAML file as plain data plus where each key and value came from.

Positions are indexed by JSON path tuples such as ``("steps", 2, "expect",
"status")``, so any later stage (schema, model, templates) can point a
message at the exact line and column; the loader builds it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from runner.errors import PlaybookError, Position

JsonPath = tuple[str | int, ...]
Mark = tuple[int, int]

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def format_path(path: JsonPath) -> str:
    """Render a JSON path the way users read it: ``steps[2].expect.json['a.b']``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out or "(top level)"


@dataclass(frozen=True)
class Document:
    """A parsed YAML file: its text, plain data, and where each piece came from."""

    path: str
    text: str
    data: Any
    # (line, column) of each key and value, 1-based: a Position is made when one is asked for
    key_marks: dict[JsonPath, Mark] = field(default_factory=dict, repr=False)
    value_marks: dict[JsonPath, Mark] = field(default_factory=dict, repr=False)

    def position_of(self, path: JsonPath, *, key: bool = True) -> Position | None:
        """The key's position (or the value's), else the nearest ancestor's."""
        found = self._mark_of(tuple(path), key)
        return None if found is None else Position(self.path, *found)

    def _mark_of(self, path: JsonPath, key: bool) -> Mark | None:
        if key and path in self.key_marks:
            return self.key_marks[path]
        for depth in range(len(path), -1, -1):
            found = self.value_marks.get(path[:depth])
            if found is not None:
                return found
            if depth < len(path) and path[:depth] in self.key_marks:
                return self.key_marks[path[:depth]]
        return None

    def source_line(self, line: int) -> str:
        """The text of a 1-based line, or "" when there is no such line."""
        lines = self.text.splitlines()
        return lines[line - 1] if 1 <= line <= len(lines) else ""

    def error(
        self, path: JsonPath, message: str, *, hint: str | None = None, key: bool = True
    ) -> PlaybookError:
        """A PlaybookError positioned at ``path`` with its source line."""
        position = self.position_of(path, key=key)
        line = self.source_line(position.line) if position else None
        return PlaybookError(message, position=position, source_line=line, hint=hint)

"""Where a value sits in a YAML or JSON file, so an error can say ``emu.yml:12:9``.

The file is composed into YAML nodes only when an error needs a position (the
data itself comes from ``yaml.safe_load``); a path of keys and indexes leads to
the node, and a mapping key's own position is given, where a reader looks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import yaml

from runner.errors import Position

Path = Sequence[str | int]
Locate = Callable[[Path], Position | None]


def dotted(prefix: str, path: Path) -> str:
    """``orgs[0]`` and ``("records", "Account", 1)`` → ``orgs[0].records.Account[1]``."""
    text = ""
    for item in path:
        text += f"[{item}]" if isinstance(item, int) else f".{item}"
    text = text.lstrip(".")
    if not text:
        return prefix
    if prefix.endswith("]"):
        return f"{prefix}{text}" if text.startswith("[") else f"{prefix}.{text}"
    return f"{prefix}: {text}"


class SourceMap:
    """Positions of the values of one YAML/JSON text."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self._root: yaml.Node | None = None

    def position(self, path: Path) -> Position | None:
        """The position of the value at ``path`` (of its key, for a mapping entry), or of
        the deepest part of the path that exists; None if the text does not compose."""
        if self._root is None:
            try:
                self._root = yaml.compose(self.text, Loader=yaml.SafeLoader)
            except yaml.YAMLError:
                return None
        node = self._root
        if node is None:
            return None
        mark = node.start_mark
        for step in path:
            found = _child(node, step)
            if found is None:
                break
            mark, node = found
        return Position(self.name, mark.line + 1, mark.column + 1)

    def under(self, *prefix: str | int) -> Locate:
        """A locator for paths relative to ``prefix`` (an org of the file, say)."""
        return lambda path: self.position((*prefix, *path))


def _child(node: yaml.Node, step: str | int) -> tuple[yaml.Mark, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(step):
                return key.start_mark, value
    elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(
        node.value
    ):
        item = node.value[step]
        return item.start_mark, item
    return None

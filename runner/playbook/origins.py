"""Where a variable is written: its file position and the folder its relative paths use.

Every variable layer (playbook ``vars``, inventory, group and org ``vars``,
``-e``) keeps the origin of each name, so an error can point at the line that
defined a value and a relative path resolves against the file that holds it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.errors import Position
from runner.playbook.document import Document, JsonPath

COMMAND_LINE = Path(".")
"""Paths given on the command line resolve against the working directory."""


@dataclass(frozen=True)
class Origin:
    """A definition's place: ``position`` in a file (None on the command line)."""

    base_dir: Path
    position: Position | None = None
    label: str = ""

    def __str__(self) -> str:
        return str(self.position) if self.position else self.label


@dataclass(frozen=True)
class Defined:
    """One variable's raw value and where it was written; ``data`` values are never rendered."""

    value: Any
    origin: Origin
    data: bool = False


Layer = Mapping[str, Defined]


def document_layer(
    document: Document, values: Mapping[str, Any], path: JsonPath = ()
) -> dict[str, Defined]:
    """The variables ``values`` found at ``path`` of ``document``, each with its position."""
    if not values:
        return {}
    base = Path(document.path).parent
    return {
        name: Defined(value, Origin(base, document.position_of((*path, name))))
        for name, value in values.items()
    }


def command_line_layer(values: Mapping[str, Any]) -> dict[str, Defined]:
    """Variables typed on the command line (``-e name=value``)."""
    origin = Origin(COMMAND_LINE, label="-e")
    return {name: Defined(value, origin) for name, value in values.items()}


def merged(layers: Iterable[Layer]) -> dict[str, Defined]:
    """Layers from lowest to highest precedence; a later layer replaces a name whole."""
    result: dict[str, Defined] = {}
    for layer in layers:
        result.update(layer)
    return result


def values_of(layer: Layer) -> dict[str, Any]:
    return {name: defined.value for name, defined in layer.items()}

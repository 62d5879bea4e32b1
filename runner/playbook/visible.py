"""The names a template may read at one place of a playbook, kept layer by layer.

What the playbook and ``-e`` define, what earlier steps register, what a step's own
``vars``, loop and result add: each a layer of its own, looked through rather than
copied into one set for every template of every step.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass


@dataclass(frozen=True)
class Names:
    """What a template may read: bare names (``top``) and ``vars.NAME`` (``variables``)."""

    top: tuple[AbstractSet[str], ...]
    variables: tuple[AbstractSet[str], ...]

    def adding(self, top: AbstractSet[str], variables: AbstractSet[str] = frozenset()
               ) -> Names:
        return Names((*self.top, top), (*self.variables, variables))


def absent(names: Iterable[str], layers: tuple[AbstractSet[str], ...]) -> list[str]:
    """The names no layer holds, sorted."""
    if not names:
        return []
    left = list(names)
    for layer in layers:
        if not left:
            break
        left = [name for name in left if name not in layer]
    return sorted(left)

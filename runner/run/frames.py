"""Where a step stands when it runs: the includes around it, its role, its files.

A step's scope holds, besides the run's variables, what its place adds: the
items and ``vars`` of the includes it runs inside (``Frame``, one per include
and item), its role's ``defaults`` and its search path for files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from runner.playbook.model import Playbook, step_files
from runner.playbook.origins import Layer
from runner.playbook.project import FileSearch
from runner.playbook.steps import StepSpec


@dataclass(frozen=True)
class Frame:
    """What the steps of one include (and one of its items) see."""

    local: Mapping[str, Any] = field(default_factory=dict)
    params: Layer = field(default_factory=dict)


def where(playbook: Playbook, step: StepSpec, frames: Sequence[Frame],
          local: Mapping[str, Any], files: FileSearch | None = None) -> dict[str, Any]:
    """The arguments of ``build_scope`` that say where ``step`` stands (``files``: its search
    path for files, when the caller already knows it)."""
    params: dict[str, Any] = {}
    seen: dict[str, Any] = {}
    for frame in frames:
        params.update(frame.params)
        seen.update(frame.local)
    role = step.source.role if step.source is not None else None
    return {"local": {**seen, **local}, "params": params,
            "defaults": role.defaults if role is not None else None,
            "files": files or step_files(playbook, step)}

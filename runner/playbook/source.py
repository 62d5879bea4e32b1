"""Where a step is written: its file, its place in that file, and the chain of files that led there.

A step may come from the playbook itself, from a step file pulled in by
``import_steps`` or ``include_steps``, or from a role. Every message about it
points at its own file (``roles/limits/steps/main.yml:12:7``) and names the
imports, includes and roles that led there, outermost first, so a shared file
that breaks in one recipe says which recipe brought it in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from runner.errors import PlaybookError, Position
from runner.playbook.document import Document, JsonPath
from runner.playbook.origins import Defined, Layer
from runner.playbook.project import FileSearch, Project

ROLE_DATA = "files"


@dataclass(frozen=True)
class Role:
    """A role in Ansible's shape: ``roles/NAME/`` with ``steps/``, ``defaults/`` and ``files/``."""

    name: str
    folder: Path
    defaults: Mapping[str, Defined] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Link:
    """One import, include or role on the way to a step: what it is and where it is written."""

    keyword: str  # "import_steps", "include_steps", "roles", "include_role"
    target: str
    position: Position | None

    def __str__(self) -> str:
        where = f" at {self.position}" if self.position else ""
        return f"{self.keyword} {self.target}{where}"


@dataclass(frozen=True)
class StepSource:
    """A step's file, its JSON path there, the links that led to it and its role, if any."""

    document: Document
    path: JsonPath
    chain: tuple[Link, ...] = ()
    role: Role | None = None
    params: Layer = field(default_factory=dict)  # the vars of the includes around it
    items: frozenset[str] = frozenset()  # the loop variables of the includes around it

    @property
    def raw(self) -> Mapping[str, Any]:
        """The step as written."""
        value: Any = self.document.data
        for part in self.path:
            value = value[part]
        return value

    @cached_property
    def folder(self) -> Path:
        return Path(self.document.path).parent

    def search(self, playbook_folder: Path) -> tuple[Path, ...]:
        """Ansible's search path for a relative file name: the role, the file, the playbook
        (worked out once: every org's lane asks it for every step)."""
        found = self._searches.get(playbook_folder)
        if found is None:
            folders = [self.role.folder] if self.role else []
            found = self._searches[playbook_folder] = tuple(
                dict.fromkeys([*folders, self.folder, playbook_folder]))
        return found

    @cached_property
    def _searches(self) -> dict[Path, tuple[Path, ...]]:
        return {}

    def files(self, project: Project, playbook_folder: Path) -> FileSearch:
        return FileSearch(project, self.search(playbook_folder))

    def position(self, *field_path: str | int, key: bool = True) -> Position | None:
        return self.document.position_of((*self.path, *field_path), key=key)

    def error(
        self, field_path: JsonPath, message: str, *, hint: str | None = None, key: bool = True
    ) -> PlaybookError:
        """A PlaybookError at ``field_path`` of this step, naming the chain that led here."""
        error = self.document.error((*self.path, *field_path), message, hint=hint, key=key)
        return with_chain(error, self.chain)

    def where(self, field_path: str) -> str:
        """``file:line:col (field)`` for messages during a run."""
        parts: JsonPath = tuple(int(p) if p.isdigit() else p for p in field_path.split("."))
        position = self.position(*parts, key=False)
        shown = f"{position} ({field_path})" if position else field_path
        return shown + chain_text(self.chain)


def chain_text(chain: tuple[Link, ...]) -> str:
    """`` (from import_steps a.yml at p.yml:4:5 → ...)``, or "" for a step of the playbook."""
    if not chain:
        return ""
    return " (from " + " → ".join(str(link) for link in chain) + ")"


def with_chain(error: PlaybookError, chain: tuple[Link, ...]) -> PlaybookError:
    """The same error, its message naming the links that led to its file."""
    if not chain:
        return error
    return PlaybookError(error.message + chain_text(chain), position=error.position,
                         source_line=error.source_line, hint=error.hint)

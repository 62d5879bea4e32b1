"""Finding and reading step files and roles, as Ansible's ``import_tasks``, ``include_tasks``
and roles do, inside the project.

A step file's name resolves against the file that writes it; a role is
``roles/NAME/`` next to the including file or the playbook, with
``steps/main.yml``, optional ``defaults/main.yml`` and ``files/``. Each file is
read bounded and checked against ``schemas/steps.schema.json``; an error in it
names the chain of imports, includes and roles that led there. A file that
includes itself, directly or not, is refused with the chain; nesting and the
number of steps are bounded. The trees are built by ``runner.playbook.steps``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from runner.errors import PlaybookError
from runner.playbook.datafiles import read_document, variables_of
from runner.playbook.document import Document, JsonPath
from runner.playbook.origins import Defined, Layer
from runner.playbook.project import FileAccessError, Project
from runner.playbook.source import Link, Role, StepSource, chain_text, with_chain
from runner.playbook.validation import validate

MAX_NESTING = 16
"""Imports, includes and roles inside each other, at most this deep."""
MAX_STEPS = 10_000
"""Steps in one playbook once every import, include and role is read."""


class Expansion:
    """Reads one playbook's step files and roles, inside its project."""

    def __init__(self, project: Project, playbook_folder: Path) -> None:
        self.project = project
        self.playbook_folder = playbook_folder
        self.count = 0
        self.stack: list[tuple[Path, Link]] = []
        self.exported: dict[str, Defined] = {}  # the defaults of roles: entries, for every step

    def step_file(self, target: str, source: StepSource, keyword: str) -> tuple[Document, Link]:
        """A step file named by ``source`` (relative to its file), read and checked."""
        link = Link(keyword, target, source.position())
        path = self._find(target, source, (source.folder,), keyword)
        return self._load(path, link, source), link

    def role(self, name: str, steps_from: str, source: StepSource,
             keyword: str) -> tuple[Document, Link, Role]:
        """A role's steps file, its link and the role (its folder and defaults)."""
        link = Link(keyword, name, source.position())
        folder = self._role_folder(name, source, keyword)
        defaults = self._defaults(folder, link, source)
        if keyword == "roles":  # a play's roles give their defaults to the whole play (V-7)
            self.exported.update(defaults)
        path = self._find(f"steps/{steps_from}", source, (folder,), keyword)
        return self._load(path, link, source), link, Role(name, folder, defaults)

    @contextmanager
    def nested(self, document: Document, link: Link, source: StepSource) -> Iterator[None]:
        """While the steps of ``document`` are built: a file already on the way is a cycle."""
        real = Path(document.path).resolve()
        files = [seen for seen, _ in self.stack]
        if real in files:
            links = [str(step) for _, step in self.stack[files.index(real):]] + [str(link)]
            raise source.document.error((*source.path, link.keyword), f"{link.keyword}: "
                                        f"{link.target!r} includes itself: " + " → ".join(links),
                                        key=False, hint="a step file cannot import or include "
                                        "one of the files that brought it in")
        if len(self.stack) >= MAX_NESTING:
            raise self._error(source, link.keyword, f"{link.keyword}: step files nest deeper "
                              f"than {MAX_NESTING} levels")
        self.stack.append((real, link))
        try:
            yield
        finally:
            self.stack.pop()

    def counted(self, source: StepSource) -> None:
        self.count += 1
        if self.count > MAX_STEPS:
            raise source.error((), f"more than {MAX_STEPS} steps once step files and roles are "
                               "read", hint="split the playbook")

    # -- finding and reading -------------------------------------------------------------
    def _role_folder(self, name: str, source: StepSource, keyword: str) -> Path:
        """``roles/NAME`` next to the including file, then next to the playbook (RO-2)."""
        places = dict.fromkeys([source.folder / "roles", self.playbook_folder / "roles"])
        for place in places:
            try:
                found = self.project.find(name, (place,))
            except FileAccessError as exc:
                if "no such file" in exc.message:
                    continue
                raise self._error(source, keyword, f"{keyword}: {exc.message}") from None
            if found.is_dir():
                return found
        looked = ", ".join(str(place) for place in places)
        raise self._error(source, keyword, f"{keyword}: no role named {name!r} (looked in "
                          f"{looked})", hint="a role is a folder roles/NAME/ with steps/main.yml")

    def _defaults(self, folder: Path, link: Link, source: StepSource) -> Layer:
        for name in ("main.yml", "main.yaml"):
            path = folder / "defaults" / name
            if path.is_file():
                return variables_of(self._read(path, link, source), link)
        return {}

    def _find(self, target: str, source: StepSource, folders: tuple[Path, ...],
              keyword: str) -> Path:
        try:
            return self.project.find(target, folders)
        except FileAccessError as exc:
            raise self._error(source, keyword, f"{keyword}: {exc.message}") from None

    def _load(self, path: Path, link: Link, source: StepSource) -> Document:
        document = self._read(path, link, source)
        try:
            validate(document, "steps")
        except PlaybookError as exc:
            raise with_chain(exc, (*source.chain, link)) from None
        return document

    def _read(self, path: Path, link: Link, source: StepSource) -> Document:
        try:
            return read_document(self.project, path)
        except FileAccessError as exc:
            raise self._error(source, link.keyword, f"{link.keyword}: {exc.message}") from None
        except PlaybookError as exc:
            raise with_chain(exc, (*source.chain, link)) from None

    @staticmethod
    def _error(source: StepSource, keyword: str, message: str,
               hint: str | None = None) -> PlaybookError:
        field: JsonPath = (keyword,) if source.path and source.path[0] != "roles" else ()
        error = source.document.error((*source.path, *field), message, key=False, hint=hint)
        return PlaybookError(error.message + chain_text(source.chain), position=error.position,
                             source_line=error.source_line, hint=hint)

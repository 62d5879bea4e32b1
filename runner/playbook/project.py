"""The project folder: every data file a playbook reads or writes stays inside it.

Step files, roles, ``vars_files``, ``lookup('file', ...)``, request bodies from
files and ``save:`` all go through ``Project``. A relative path is looked up
along a search path (Ansible's: the role's folder, the step file's, the
playbook's; ``files/`` first for data), and refused when it leaves the project:
an absolute path, ``..`` that climbs out, or a symlink whose target is outside.
The project is the playbook's folder and the inventories' folders, or the one
folder given with ``--root``. Reads are capped in size; only regular files are read.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from runner.errors import SfjwtError
from runner.localfiles import FileRefused, read_bounded

MAX_DATA_BYTES = 16 * 1024 * 1024
"""The largest data file a lookup, ``vars_files`` entry or request body file may be."""


class FileAccessError(SfjwtError):
    """A path that is refused, missing or unreadable; callers add where it is written."""


class MissingFile(FileAccessError):
    """A path inside the project where no file is (yet)."""


@dataclass(frozen=True)
class Project:
    """The folders data files must stay inside: each as written and with symlinks resolved."""

    folders: tuple[Path, ...]
    explicit: bool = False  # named with --root: inventories do not widen it

    @classmethod
    def at(cls, *folders: Path, explicit: bool = False) -> Project:
        return cls(tuple(dict.fromkeys(_lexical(folder) for folder in folders)), explicit)

    @property
    def roots(self) -> tuple[Path, ...]:
        return tuple(dict.fromkeys([*self.folders, *map(_real, self.folders)]))

    def widened(self, folders: Iterable[Path]) -> Project:
        """The project with more folders (an inventory's), unless ``--root`` fixed it."""
        if self.explicit:
            return self
        return Project.at(*self.folders, *folders)

    def contains(self, path: Path) -> bool:
        return any(_inside(path, root) for root in self.roots)

    def describe(self) -> str:
        return ", ".join(map(str, self.folders)) or "(none)"

    def find(self, raw: str, search: Sequence[Path], *, subdir: str | None = None) -> Path:
        """The first existing ``raw`` along ``search`` (``subdir/raw`` before ``raw`` in each
        folder); FileAccessError when it escapes the project or is nowhere."""
        relative = self._relative(raw)
        candidates = [
            (folder / part / relative if part else folder / relative, bool(part))
            for folder in search for part in ((subdir, None) if subdir else (None,))
        ]
        for candidate, in_subdir in candidates:
            if not self.contains(_lexical(candidate)):
                if in_subdir:  # "files/../x" for "../x": the plain candidate decides
                    continue
                raise FileAccessError(f"{raw!r} is outside the project ({self.describe()}); "
                                      "files are read only from inside it (see --root)")
            if os.path.lexists(candidate):
                return self._confined(raw, candidate)
        places = ", ".join(str(folder) for folder in dict.fromkeys(search))
        raise MissingFile(f"{raw!r}: no such file (looked in {places})")

    def target(self, raw: str, base: Path) -> Path:
        """Where to write ``raw`` (relative to ``base``), refused outside the project."""
        lexical = _lexical(base / self._relative(raw))
        if not self.contains(lexical):
            raise FileAccessError(f"{raw!r} is outside the project ({self.describe()}); "
                                  "files are written only inside it (see --root)")
        parent = _real(lexical.parent)
        if not self.contains(parent):
            raise FileAccessError(f"{raw!r}: its folder leads outside the project through a "
                                  "symbolic link")
        if os.path.islink(lexical) and not self.contains(_real(lexical)):
            raise FileAccessError(f"{raw!r} is a symbolic link to a file outside the project")
        return lexical

    def read_text(self, path: Path, *, limit: int = MAX_DATA_BYTES) -> str:
        """A found file's text (UTF-8, a BOM dropped), at most ``limit`` bytes."""
        try:
            raw = read_bounded(path, limit)
        except FileRefused as exc:
            raise FileAccessError(f"{path} {exc.reason}") from None
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileAccessError(f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at "
                                  f"offset {exc.start})") from None

    def _relative(self, raw: str) -> Path:
        text = raw.strip()
        if not text:
            raise FileAccessError("an empty file name")
        path = Path(text)
        if path.is_absolute() or text.startswith("~"):
            raise FileAccessError(f"{raw!r} is an absolute path; write it relative to the file "
                                  "that names it, inside the project")
        return path

    def _confined(self, raw: str, candidate: Path) -> Path:
        """``candidate`` with ``..`` folded (as shown in messages), when it really is inside."""
        shown = Path(os.path.normpath(candidate))
        for form in (candidate, shown):
            real = _real(form)
            if not self.contains(real):
                raise FileAccessError(f"{raw!r} leads outside the project through a symbolic "
                                      f"link (to {real})")
        return shown


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (from ``Project.target``), creating folders inside the project;
    the file is replaced whole, so a reader never sees half of it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileAccessError(f"{path.parent}: cannot create the folder: {exc.strerror}") from None
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _lexical(path: Path) -> Path:
    """The absolute path with ``..`` folded, symlinks untouched."""
    return Path(os.path.normpath(os.path.abspath(path)))


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


@dataclass(frozen=True)
class FileSearch:
    """Where one place of a playbook looks up relative file names: Ansible's search path
    (the role's folder, the step file's, the playbook's), inside ``project``."""

    project: Project
    folders: tuple[Path, ...]

    def find(self, raw: str, *, subdir: str | None = "files") -> Path:
        return self.project.find(raw, self.folders, subdir=subdir)

    def read(self, raw: str, *, subdir: str | None = "files") -> str:
        return self.project.read_text(self.find(raw, subdir=subdir))

    def may_find(self, raw: str, paths: frozenset[Path]) -> bool:
        """Whether one of ``paths`` (files an earlier step writes) is where ``raw`` is looked
        up, so the file will be there when the step runs."""
        return any(_lexical(folder / part / raw) in paths
                   for folder in self.folders for part in ("files", ""))

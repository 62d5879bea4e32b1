"""``env.*`` in templates: the process environment over ``.env`` files, and where it looked.

``.env`` files are read, in this order, from the working directory, the
playbook's folder and each inventory's folder (the same file the JWT tutorial's
scripts read); the first file that sets a name wins, and a variable exported in
the shell wins over every file. A name that is set nowhere is an error that
lists the places searched.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from runner.context import current

DOTENV = ".env"


def as_text(value: str) -> str:
    """Environment and argv text as valid Unicode: bytes that are not UTF-8 (which Python
    keeps as lone surrogates) become U+FFFD, so no encoder downstream can fail on them."""
    if value.isascii():
        return value
    try:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate no byte became ("\ud800" given in-process)
        return re.sub("[\ud800-\udfff]", "\ufffd", value)


class Environ(Mapping[str, str]):
    """Environment variables by name, each knowing the ``.env`` file it came from, if any.

    Templates see only the mapping (``env.NAME``): no public attribute may hide a
    variable's name, so the rest is read through the functions below.
    """

    __slots__ = ("_files", "_searched", "_values")

    def __init__(
        self, values: Mapping[str, str], files: Mapping[str, Path] | None = None,
        searched: Iterable[Path] = (),
    ) -> None:
        self._values = dict(values)
        self._files = dict(files or {})
        self._searched = tuple(searched)

    def __getitem__(self, name: str) -> str:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def _describe_missing(self, name: str) -> str:
        """Why ``env.NAME`` is undefined (the template error shows this)."""
        return describe_missing(self, name)


def source_file(env: Mapping[str, str], name: str) -> Path | None:
    """The ``.env`` file a name was read from; None for the process environment."""
    return env._files.get(name) if isinstance(env, Environ) else None


def searched(env: Mapping[str, str]) -> str:
    """Where ``env`` names are looked up, as a person reads it."""
    paths = env._searched if isinstance(env, Environ) else ()
    files = [_shown(path) for path in paths]
    if not files:
        return "the environment"
    if any(path.is_file() for path in paths):
        return "the environment, " + ", ".join(files)
    return "the environment; no .env file at " + " or ".join(files)


def _shown(path: Path) -> str:
    """A ``.env`` path as given, or ``./.env`` for the run's working directory."""
    if path.parent in (current().cwd, Path(".")):
        return f"./{path.name}"
    return str(path)


def describe_missing(env: Mapping[str, str], name: str) -> str:
    return f"env.{name} is not set (looked in {searched(env)})"


def dotenv_files(directories: Iterable[Path]) -> list[Path]:
    """``.env`` in each directory, in order, each file once."""
    seen: dict[Path, Path] = {}
    for directory in directories:
        path = directory / DOTENV
        seen.setdefault(path.resolve(), path)
    return list(seen.values())


def load_env(*directories: Path, environ: Mapping[str, str] | None = None) -> Environ:
    """The run's environment variables (``environ``, by default the current run's) over the
    ``.env`` files of ``directories`` (first one wins)."""
    files = dotenv_files(directories)
    values: dict[str, str] = {}
    sources: dict[str, Path] = {}
    for path in files:
        if not path.is_file():
            continue
        for name, value in _dotenv_values(path).items():
            if value is not None and name not in values:
                values[name], sources[name] = value, path
    for name, value in (current().environ if environ is None else environ).items():
        values[as_text(name)] = as_text(value)
        sources.pop(as_text(name), None)
    return Environ(values, sources, files)


def _dotenv_values(path: Path) -> dict[str, str | None]:
    """python-dotenv's reading of one file, imported once a ``.env`` file is there: most
    runs have none, and the library (with ``logging``) would cost every syntax check."""
    values: dict[str, str | None] = importlib.import_module("dotenv").dotenv_values(path)
    return values

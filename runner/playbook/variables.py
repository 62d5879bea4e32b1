"""Where variables come from: ``-e`` options and the environment (with ``.env``).

``env.*`` in templates is the process environment over an optional ``.env``
file in the working directory — the same file the tutorial's scripts read —
so a variable exported in the shell always wins.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from runner.errors import PlaybookError, UsageError
from runner.playbook.loader import load_document


def load_env(directory: Path) -> Mapping[str, str]:
    """The process environment over ``directory/.env`` (if there is one)."""
    values: dict[str, str] = {}
    dotenv = directory / ".env"
    if dotenv.is_file():
        values.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
    values.update({as_text(name): as_text(value) for name, value in os.environ.items()})
    return values


def as_text(value: str) -> str:
    """Environment and argv text as valid Unicode: bytes that are not UTF-8 (which Python
    keeps as lone surrogates) become U+FFFD, so no encoder downstream can fail on them."""
    if value.isascii():
        return value
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def parse_extra_vars(options: Iterable[str]) -> dict[str, Any]:
    """``-e K=V``, ``-e '{"k": 1}'`` and ``-e @vars.yml``, later ones winning."""
    merged: dict[str, Any] = {}
    for option in options:
        merged.update(_parse_one(option))
    return merged


def _parse_one(option: str) -> dict[str, Any]:
    text = as_text(option.strip())
    if text.startswith("@"):
        return _from_file(text[1:])
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(
                f"-e {option!r}: not valid JSON ({exc.msg} at column {exc.colno})"
            ) from None
        if not isinstance(value, dict):
            raise UsageError(f"-e {option!r}: JSON extra vars must be an object")
        return value
    pairs: dict[str, Any] = {}
    for part in text.split():
        name, sep, value = part.partition("=")
        if not sep or not name.isidentifier():
            raise UsageError(
                f"-e {option!r}: expected NAME=VALUE, a JSON object, or @FILE",
                hint="for example: -e api=v60.0",
            )
        pairs[name] = value
    if not pairs:
        raise UsageError("-e needs NAME=VALUE, a JSON object, or @FILE")
    return pairs


def _from_file(path: str) -> dict[str, Any]:
    if not path:
        raise UsageError("-e @FILE needs a file name")
    document = load_document(path)
    if not isinstance(document.data, dict):
        raise PlaybookError(
            "extra vars file must hold a mapping of names to values",
            position=document.position_of(()),
        )
    return document.data

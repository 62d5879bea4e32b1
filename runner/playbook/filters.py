"""Filters that turn text into data: ``from_json``, ``from_yaml``, ``from_csv``.

As Ansible's (``from_csv`` is community.general's): ``from_csv`` gives one
mapping per data row keyed by the header row (or ``fieldnames``), every value a
string, ``null`` for the fields a short row lacks and a leading BOM dropped;
``from_yaml`` returns anything that is not text unchanged. YAML goes through the
project's own loader, so an alias bomb or a ``!!python`` tag is refused here too.
What they return is data: it is never rendered again.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from runner.errors import PlaybookError, SfjwtError
from runner.playbook.loader import load_text

DIALECTS = ("excel", "excel-tab", "unix")


class FilterError(SfjwtError):
    """A filter's input could not be read as what the filter expects."""


def _text(name: str, data: Any) -> str:
    if isinstance(data, bytes):
        return data.decode("utf-8")
    if not isinstance(data, str):
        raise FilterError(f"{name} expects text, got {type(data).__name__}")
    return data


def from_json(data: Any) -> Any:
    text = _text("from_json", data)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FilterError(f"from_json: not valid JSON at line {exc.lineno}, column {exc.colno}:"
                          f" {exc.msg}") from None


def from_yaml(data: Any) -> Any:
    if not isinstance(data, (str, bytes)):
        return data
    text = _text("from_yaml", data)
    if not text.strip():
        return None
    try:
        return load_text(text, "from_yaml").data
    except PlaybookError as exc:
        raise FilterError(f"{exc}") from None


def from_csv(
    data: Any,
    dialect: str = "excel",
    fieldnames: Sequence[str] | None = None,
    delimiter: str | None = None,
    skipinitialspace: bool | None = None,
    strict: bool | None = None,
) -> list[dict[Any, Any]]:
    """CSV text as a list of mappings, one per data row."""
    text = _text("from_csv", data).removeprefix("\ufeff")
    if dialect not in DIALECTS:
        raise FilterError(f"from_csv: unknown dialect {dialect!r} (one of {', '.join(DIALECTS)})")
    options: dict[str, Any] = {"delimiter": delimiter, "skipinitialspace": skipinitialspace,
                               "strict": strict}
    names = list(fieldnames) if fieldnames is not None else None
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), fieldnames=names, dialect=dialect,
                                **{name: value for name, value in options.items()
                                   if value is not None})
        return [dict(row) for row in reader]
    except (csv.Error, TypeError) as exc:
        raise FilterError(f"from_csv: {exc}") from None


FILTERS = {"from_json": from_json, "from_yaml": from_yaml, "from_csv": from_csv}

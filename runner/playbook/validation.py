"""Documents checked against the JSON Schemas in ``schemas/``: at once when they are valid.

A compiled validator (jsonschema-rs) answers whether a document is valid, in a
fraction of the time jsonschema takes to be imported; a document it finds at
fault, or cannot read (a key that is not text, a YAML date), goes to
``runner.playbook.schema``, which jsonschema backs, for the one message that
says what is wrong and where. A valid playbook is thus checked without
importing jsonschema, and the verdict on an invalid one is jsonschema's.
"""

from __future__ import annotations

import importlib
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jsonschema_rs

from runner.playbook.document import Document

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def schema_dir() -> Path:
    """The schemas directory: inside an installed wheel, else the source checkout's."""
    installed = resources.files("runner") / "schemas"
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parents[2] / "schemas"


def schema_names() -> list[str]:
    """The names of the packaged schemas (``playbook``, ``inventory``, ...)."""
    return [path.name.removesuffix(".schema.json")
            for path in sorted(schema_dir().glob("*.schema.json"))]


@lru_cache(maxsize=8)
def _compiled(name: str) -> Any:
    """``name``'s schema compiled, the packaged schemas registered under their file names
    (as ``runner.playbook.schema.registry`` registers them) for the ``$ref`` between
    them; formats are annotations, as jsonschema's validator treats them."""
    pairs = [(path.name, json.loads(path.read_text(encoding="utf-8")))
             for path in sorted(schema_dir().glob("*.schema.json"))]
    return jsonschema_rs.validator_for(dict(pairs)[f"{name}.schema.json"],
                                       registry=jsonschema_rs.Registry(pairs),
                                       validate_formats=False)


def is_valid(data: Any, schema: str = "playbook") -> bool:
    """Whether ``data`` is valid; False too when the compiled validator cannot read it."""
    if _has_tuple(data):  # an array to the compiled validator, not to jsonschema
        return False
    try:
        return bool(_compiled(schema).is_valid(data))
    except ValueError:  # a value JSON has no word for (a date, bytes): jsonschema decides
        return False


def _has_tuple(data: Any) -> bool:
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, tuple):
            return True
    return False


def validate(document: Document, schema: str = "playbook") -> None:
    """Raise one positioned PlaybookError for the most useful schema error, if any."""
    if not is_valid(document.data, schema):
        importlib.import_module("runner.playbook.schema").validate(document, schema)

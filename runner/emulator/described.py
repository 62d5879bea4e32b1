"""Describe files captured from a real org, loaded as an object's metadata.

Takes the body of ``GET /sobjects/{Type}/describe`` or what ``sf sobject
describe --json`` prints (the same body inside ``{"status": 0, "result": …}``).
Every field keeps its name, type, label, length, nillability, permissions,
picklist values, lookups and external-id flags; the object keeps the whole body,
which describe then answers as the real org did.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from runner.emulator.metadata import Field, SObject
from runner.errors import Position

MAX_DESCRIBE_BYTES = 32 * 1024 * 1024
AUTO_NUMBER_FORMAT = "{00000000}"
Fail = Callable[[str, Position | None], Exception]
ChildNames = dict[tuple[str, str], str]


def load_describe(path: Path, fail: Fail) -> tuple[SObject, ChildNames]:
    """The object a describe file defines, and the child relationship names it lists.

    ``fail(message, position)`` makes the error to raise; ``position`` is in the file
    when the JSON itself is broken.
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_DESCRIBE_BYTES + 1)
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror}", None) from None
    if len(data) > MAX_DESCRIBE_BYTES:
        raise fail(f"{path} is larger than {MAX_DESCRIBE_BYTES // 2**20} MB", None)
    try:
        body = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise fail(f"{path} is not UTF-8 text", None) from None
    except json.JSONDecodeError as exc:
        where = Position(str(path), exc.lineno, exc.colno)
        raise fail(f"not valid JSON: {exc.msg}", where) from None
    body = _unwrapped(body)
    if not isinstance(body, dict) or not isinstance(body.get("name"), str):
        raise fail(f"{path} is not a describe body (no object 'name')", None)
    fields = body.get("fields")
    if not isinstance(fields, list) or not all(isinstance(f, dict) for f in fields):
        raise fail(f"{path} is not a describe body (no 'fields' list)", None)
    try:
        sobject = SObject(
            name=body["name"],
            key_prefix=str(body.get("keyPrefix") or ""),
            label=str(body.get("label") or body["name"]),
            label_plural=str(body.get("labelPlural") or body.get("label") or body["name"]),
            fields=tuple(_field(f) for f in fields),
            createable=bool(body.get("createable", True)),
            updateable=bool(body.get("updateable", True)),
            deletable=bool(body.get("deletable", True)),
            custom=bool(body.get("custom", False)),
            describe=body,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise fail(f"{path}: a field is not as describe gives it ({exc})", None) from None
    return _with_child_names(sobject), _child_names(body)


def _with_child_names(sobject: SObject) -> SObject:
    """Custom lookups get the child relationship name Setup proposes (``Invoices__r``); the
    parent's own describe, when loaded, names them as the real org does."""
    default = sobject.label_plural.replace(" ", "") + "__r"
    fields = tuple(
        replace(f, child_relationship=default) if f.type == "reference" and f.custom else f
        for f in sobject.fields
    )
    return replace(sobject, fields=fields)


def _unwrapped(body: Any) -> Any:
    """The describe body inside the Salesforce CLI's ``--json`` envelope, if there is one."""
    if isinstance(body, dict) and "result" in body and "status" in body and "name" not in body:
        return body["result"]
    return body


def _field(raw: Mapping[str, Any]) -> Field:
    kind = str(raw["type"])
    nillable = bool(raw.get("nillable", True))
    createable = bool(raw.get("createable", False))
    defaulted = bool(raw.get("defaultedOnCreate", False))
    values = [p for p in raw.get("picklistValues") or [] if p.get("active", True)]
    default = raw.get("defaultValue")
    if kind in ("picklist", "multipicklist"):
        default = next((p["value"] for p in values if p.get("defaultValue")), None)
    elif isinstance(default, dict):  # {"value": …} in some versions' examples
        default = default.get("value")
    return Field(
        name=str(raw["name"]),
        type=kind,
        label=str(raw.get("label") or raw["name"]),
        length=int(raw.get("length") or 0),
        nillable=nillable,
        createable=createable,
        updateable=bool(raw.get("updateable", False)),
        required=not nillable and createable and not defaulted and kind != "boolean",
        reference_to=tuple(str(t) for t in raw.get("referenceTo") or ()),
        relationship_name=raw.get("relationshipName"),
        picklist=tuple(str(p["value"]) for p in values),
        picklist_labels=tuple(
            (str(p["value"]), str(p["label"]))
            for p in values
            if p.get("label") and p["label"] != p["value"]
        ),
        default=default if isinstance(default, (str, int, float, bool)) else None,
        precision=int(raw.get("precision") or 0),
        scale=int(raw.get("scale") or 0),
        digits=int(raw.get("digits") or 0),
        name_field=bool(raw.get("nameField", False)),
        external_id=bool(raw.get("externalId", False)),
        unique=bool(raw.get("unique", False)),
        custom=bool(raw.get("custom", False)),
        restricted=bool(raw.get("restrictedPicklist", False)),
        case_sensitive=bool(raw.get("caseSensitive", False)),
        id_lookup=bool(raw.get("idLookup", False)),
        auto_number=AUTO_NUMBER_FORMAT if raw.get("autoNumber") else None,
        cascade_delete=bool(raw.get("cascadeDelete", False)),
        calculated=bool(raw.get("calculated", False)),
    )


def _child_names(body: Mapping[str, Any]) -> ChildNames:
    """(child object, field) → relationship name, from the parent's ``childRelationships``."""
    names: ChildNames = {}
    for entry in body.get("childRelationships") or []:
        if isinstance(entry, dict) and entry.get("relationshipName"):
            key = (str(entry.get("childSObject", "")).lower(), str(entry.get("field", "")).lower())
            names[key] = str(entry["relationshipName"])
    return names

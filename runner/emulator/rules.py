"""The API's rules for record bodies: what a client may send, and what Salesforce computes.

Pure functions over metadata, shared by create, update and the collections
resource, raising the same REST errors Salesforce gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runner.emulator import errors, ids
from runner.emulator.catalog import STAGES
from runner.emulator.errors import RestApiError
from runner.emulator.metadata import Field, SObject
from runner.emulator.values import to_storage


def resolve_id(meta: SObject, record_id: str) -> str:
    """The 18-character id of a record URL segment; 404s as Salesforce words them."""
    try:
        normalized = ids.normalize(record_id)
    except ValueError:
        raise errors.not_an_id(record_id) from None
    if ids.key_prefix(normalized) != meta.key_prefix:
        raise errors.not_found()
    return normalized


def check_body(meta: SObject, fields: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """Apply the API's rules to a create/update body; return it keyed by canonical names."""
    body = {k: v for k, v in fields.items() if k != "attributes"}
    if creating and any(k.lower() == "id" for k in body):
        raise RestApiError(
            400, "INVALID_FIELD", "The Id field should not be specified in the sobject data."
        )
    resolved: dict[str, Any] = {}
    for key, value in body.items():
        f = meta.field(key)
        if f is None:
            raise errors.no_such_column(key, meta.name)
        resolved[f.name] = value
    allowed = (lambda f: f.createable) if creating else (lambda f: f.updateable)
    locked = [name for name in resolved if not allowed(meta.by_lower_name[name.lower()])]
    if locked:
        raise RestApiError(
            400,
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            f"Unable to create/update fields: {', '.join(locked)}. Please check the security "
            "settings of this field and verify that it is read/write for your profile or "
            "permission set.",
            locked,
        )
    for name, value in resolved.items():
        to_storage(meta.by_lower_name[name.lower()], value)
    missing = [
        f.name
        for f in meta.fields
        if (f.required and creating and resolved.get(f.name) in (None, ""))
        or (f.required and not creating and f.name in resolved and resolved[f.name] in (None, ""))
    ]
    if missing:
        raise RestApiError(
            400,
            "REQUIRED_FIELD_MISSING",
            f"Required fields are missing: [{', '.join(missing)}]",
            missing,
        )
    return resolved


def resolve_fields(meta: SObject, values: Mapping[str, Any]) -> list[tuple[Field, Any]]:
    """(field, value) pairs of a body, names in any case; ``attributes`` is not a field."""
    resolved = []
    for key, value in values.items():
        if key == "attributes":
            continue
        f = meta.field(key)
        if f is None:
            raise errors.no_such_column(key, meta.name)
        resolved.append((f, value))
    return resolved


def named_fields(meta: SObject, names: list[str]) -> list[Field]:
    """The fields of ``?fields=A,B`` in the order asked, each once; INVALID_FIELD if unknown."""
    wanted = []
    for name in names:
        f = meta.field(name.strip())
        if f is None:
            raise RestApiError(
                400, "INVALID_FIELD", errors.no_such_column_on_entity(name.strip(), meta.name)
            )
        if f not in wanted:
            wanted.append(f)
    return wanted


def same_id(value: Any, record_id: str) -> bool:
    """True when a body's ``Id`` names the record being updated (15 or 18 characters)."""
    return isinstance(value, str) and ids.is_valid_id(value) and ids.normalize(value) == record_id


def derive(meta: SObject, changes: dict[str, Any], current: Mapping[str, Any], now: str) -> None:
    """Fields Salesforce computes: full names, closed/won flags, stage probability."""

    def value(name: str) -> Any:
        return changes[name] if name in changes else current.get(name)

    name = meta.field("Name")
    computed_name = (
        name is not None and not name.createable and name.auto_number is None
        and meta.field("LastName") is not None
    )  # fmt: skip
    if computed_name and ("FirstName" in changes or "LastName" in changes or not current):
        parts = [value("FirstName"), value("LastName")]
        changes["Name"] = " ".join(p for p in parts if p)
    if meta.name == "Opportunity" and "StageName" in changes:
        stage = value("StageName")
        changes["IsClosed"] = int(stage in ("Closed Won", "Closed Lost"))
        changes["IsWon"] = int(stage == "Closed Won")
        if "Probability" not in changes or changes["Probability"] is None:
            probability = STAGES.get(stage or "")
            changes["Probability"] = float(probability) if probability is not None else None
    if meta.name == "Task" and "Status" in changes:
        changes["IsClosed"] = int(value("Status") == "Completed")
    if meta.name == "Case" and "Status" in changes:
        closed = value("Status") == "Closed"
        changes["IsClosed"] = int(closed)
        if closed and value("ClosedDate") is None:
            changes["ClosedDate"] = now
        elif not closed:
            changes["ClosedDate"] = None

"""Lookups named by the parent's external id in a body: ``"Account__r": {"Erp_Id__c": "E-1"}``.

Salesforce lets a create or update body (and so an upsert, a collection item, a
tree record or a seed record) set a lookup through its relationship name and a
field of the parent that can find it (an external id, an id lookup, or ``Id``);
the parent must exist, once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from runner.emulator import ids
from runner.emulator.errors import RestApiError
from runner.emulator.metadata import Field, SObject
from runner.emulator.schema import Schema
from runner.emulator.values import to_storage

Match = Callable[[str, str, Any], list[str]]  # (object, field, stored value) → record ids


def match_key(f: Field, value: Any) -> Any:
    """``value`` as the store keeps it in ``f``, for matching; None when no record can have it."""
    if f.type == "id":
        text = str(value)
        return ids.normalize(text) if ids.is_valid_id(text) else None
    try:
        key = to_storage(f, value)
    except RestApiError:
        return None
    return None if key == "" else key


def resolve_references(
    schema: Schema, meta: SObject, body: Mapping[str, Any], match: Match
) -> dict[str, Any]:
    """``body`` with each relationship given by a parent's external id replaced by its lookup."""
    resolved: dict[str, Any] = {}
    for key, value in body.items():
        rel = meta.relationship(key) if isinstance(value, dict) else None
        if rel is None:
            resolved[key] = value
            continue
        resolved[rel.name] = _parent_id(schema, rel, value, match)
    return resolved


def _parent_id(schema: Schema, rel: Field, given: Mapping[str, Any], match: Match) -> str:
    attributes = given.get("attributes")
    named = attributes.get("type") if isinstance(attributes, dict) else None
    target = schema.find(str(named)) if named else schema.target(rel)
    if target is None or target.name.lower() not in {t.lower() for t in rel.reference_to}:
        raise RestApiError(400, "INVALID_TYPE", f"Invalid type for {rel.relationship_name}")
    pairs = [(k, v) for k, v in given.items() if k != "attributes"]
    if len(pairs) != 1:
        raise RestApiError(
            400, "INVALID_FIELD",
            f"{rel.relationship_name}: a reference names its parent by exactly one field",
            [rel.name],
        )  # fmt: skip
    name, value = pairs[0]
    f = target.field(name)
    if f is None or not f.matchable:
        raise RestApiError(
            400, "INVALID_FIELD", f"{name} is not an External ID or indexed field for {target.name}"
        )
    key = match_key(f, value)
    found = match(target.name, f.name, key) if key is not None else []
    if len(found) != 1:
        outcome = "not found" if not found else "matched more than one record"
        text = f"Foreign key external ID: {value} {outcome} for field {f.name} in entity "
        raise RestApiError(400, "INVALID_FIELD", text + target.name)
    return found[0]

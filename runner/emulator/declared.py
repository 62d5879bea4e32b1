"""Objects and fields declared in an org's ``objects:`` option, as the org's metadata.

A declaration either makes a new object (``Invoice__c``, with the fields every
custom object has: Id, Name, OwnerId, audit fields) or adds fields to one the
org already has. Field types are describe's, with the names of Setup's field
types accepted too. Defaults follow what Salesforce's Setup gives a new field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from runner.emulator.catalog import audit_fields
from runner.emulator.metadata import Field, SObject

Fail = Callable[[str, tuple[str | int, ...]], Exception]
ALIASES = {"text": "string", "checkbox": "boolean", "number": "double", "lookup": "reference"}
LENGTHS = {"string": 255, "textarea": 255, "email": 80, "phone": 40, "url": 255,
           "picklist": 255, "multipicklist": 4099, "auto_number": 30}  # fmt: skip
_PREFIX_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def label_of(name: str) -> str:
    """``Due_Date__c`` → ``Due Date``."""
    base = name[:-3] if name.lower().endswith(("__c", "__r")) else name
    return base.replace("_", " ").strip() or name


def declare(
    declarations: Sequence[Mapping[str, Any]],
    existing: Mapping[str, SObject],
    fail: Fail,
) -> dict[str, SObject]:
    """``existing`` (by lowercase name) with the declared objects and fields applied."""
    objects = dict(existing)
    used = {o.key_prefix for o in objects.values()}
    for index, spec in enumerate(declarations):
        where: tuple[str | int, ...] = ("objects", index)
        name = str(spec["name"])
        current = objects.get(name.lower())
        if current is None:
            prefix = str(spec.get("key_prefix") or free_prefix(name, used))
            if prefix in used:
                raise fail(f"key prefix {prefix} is already used by another object", where)
            used.add(prefix)
            current = _new_object(spec, prefix)
        fields = {f.name.lower(): f for f in current.fields}
        for position, field_spec in enumerate(spec.get("fields", [])):
            f = make_field(field_spec, current, (*where, "fields", position), fail)
            fields[f.name.lower()] = f
        objects[name.lower()] = replace(current, fields=tuple(fields.values()))
    return objects


def free_prefix(name: str, used: set[str]) -> str:
    """A key prefix starting with ``a``, from the name (stable when objects are reordered)."""
    digest = int(hashlib.sha256(name.lower().encode()).hexdigest(), 16)
    size = len(_PREFIX_ALPHABET)
    for step in range(size * size):
        number = (digest + step) % (size * size)
        prefix = "a" + _PREFIX_ALPHABET[number // size] + _PREFIX_ALPHABET[number % size]
        if prefix not in used:
            return prefix
    raise ValueError("no key prefix left")  # 3,844 custom objects: not a real org


def _new_object(spec: Mapping[str, Any], prefix: str) -> SObject:
    name = str(spec["name"])
    label = str(spec.get("label") or label_of(name))
    name_spec = spec.get("name_field", {})
    name_label = str(name_spec.get("label") or f"{label} Name")
    if name_spec.get("auto_number"):
        name_field = Field(
            "Name", "string", name_label, length=30, nillable=False, createable=False,
            updateable=False, name_field=True, id_lookup=True,
            auto_number=str(name_spec["auto_number"]),
        )  # fmt: skip
    else:
        name_field = Field(
            "Name", "string", name_label, length=80, nillable=False, required=True,
            name_field=True, id_lookup=True,
        )  # fmt: skip
    fields = (
        Field("Id", "id", "Record ID", length=18, nillable=False, createable=False,
              updateable=False),
        Field("OwnerId", "reference", "Owner ID", length=18, nillable=False,
              reference_to=("User",), relationship_name="Owner"),
        Field("IsDeleted", "boolean", "Deleted", nillable=False, createable=False,
              updateable=False, default=False),
        name_field,
        *audit_fields(),
    )  # fmt: skip
    return SObject(
        name, prefix, label, str(spec.get("plural_label") or f"{label}s"), fields,
        custom=name.lower().endswith("__c"),
    )  # fmt: skip


def make_field(
    spec: Mapping[str, Any], owner: SObject, where: tuple[str | int, ...], fail: Fail
) -> Field:
    """One declared field of ``owner``."""
    name = str(spec["name"])
    kind = ALIASES.get(str(spec["type"]), str(spec["type"]))
    custom = name.lower().endswith("__c")
    required = bool(spec.get("required", False))
    values, labels, default = _picklist(spec)
    common: dict[str, Any] = {
        "label": str(spec.get("label") or label_of(name)),
        "custom": custom,
        "required": required,
        "nillable": not required,
        "unique": bool(spec.get("unique", False)),
        "case_sensitive": bool(spec.get("case_sensitive", False)),
        "external_id": bool(spec.get("external_id", False)),
        "restricted": bool(spec.get("restricted", False)),
        "picklist": values,
        "picklist_labels": labels,
        "default": spec.get("default", default),
    }
    if spec.get("values") and kind not in ("picklist", "multipicklist"):
        raise fail(f"values are for picklist fields, not {spec['type']}", (*where, "values"))
    if kind in ("reference", "master_detail"):
        return _reference(spec, kind, owner, common, where, fail)
    if kind == "auto_number":
        common.update(nillable=False, required=False, createable=False, updateable=False,
                      auto_number=str(spec.get("format") or "{0}"))  # fmt: skip
        return Field(name, "string", length=LENGTHS["auto_number"], **common)
    if kind == "boolean":
        common.update(nillable=False, required=False, default=bool(spec.get("default", False)))
        return Field(name, kind, **common)
    if kind == "int":
        return Field(name, kind, digits=int(spec.get("precision", 9)), **common)
    if kind in ("double", "currency", "percent"):
        precision = int(spec.get("precision", 18))
        scale = int(spec.get("scale", 2 if kind == "currency" else 0))
        if scale > precision:
            raise fail("scale must not be greater than precision", (*where, "scale"))
        return Field(name, kind, precision=precision, scale=scale, **common)
    if kind in ("date", "datetime", "time"):
        return Field(name, kind, **common)
    return Field(name, kind, length=int(spec.get("length", LENGTHS.get(kind, 255))), **common)


def _picklist(spec: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...], Any]:
    values: list[str] = []
    labels: list[tuple[str, str]] = []
    default = None
    for entry in spec.get("values", []):
        if isinstance(entry, str):
            values.append(entry)
            continue
        value = str(entry["value"])
        values.append(value)
        if entry.get("label") and entry["label"] != value:
            labels.append((value, str(entry["label"])))
        if entry.get("default"):
            default = value
    return tuple(values), tuple(labels), default


def _reference(
    spec: Mapping[str, Any], kind: str, owner: SObject, common: dict[str, Any],
    where: tuple[str | int, ...], fail: Fail,
) -> Field:
    name = str(spec["name"])
    if "reference_to" not in spec:
        raise fail(f"a {spec['type']} field needs reference_to", where)
    if name.lower().endswith("__c"):
        relationship = name[:-3] + "__r"
    else:
        relationship = name[:-2] if name.lower().endswith("id") and len(name) > 2 else name
    child = str(spec.get("child_relationship") or owner.label_plural.replace(" ", ""))
    if common["custom"] and not child.lower().endswith("__r"):
        child += "__r"
    master = kind == "master_detail"
    if master:
        common.update(nillable=False, required=True, updateable=False)
    return Field(
        name, "reference", length=18, reference_to=(str(spec["reference_to"]),),
        relationship_name=str(spec.get("relationship_name") or relationship),
        child_relationship=child, cascade_delete=master, **common,
    )  # fmt: skip

"""An org's schema from its options: the standard objects, its describe files, its declarations.

Order: the built-in standard objects; each ``describe`` file replaces (or adds)
its object; each ``objects`` entry adds an object or fields. Then every lookup
must point to an object the org has, and a parent's child relationship names
must differ, as Salesforce's Setup insists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from runner.emulator.catalog import CATALOG
from runner.emulator.declared import declare, free_prefix
from runner.emulator.described import ChildNames, load_describe
from runner.emulator.errors import RestApiError
from runner.emulator.metadata import SObject
from runner.emulator.rules import check_body
from runner.emulator.schema import STANDARD, Schema
from runner.errors import Position

Path_ = tuple[str | int, ...]
Fail = Callable[[str, Path_, Position | None], Exception]


def org_schema(options: Mapping[str, Any], base_dir: Path | None, fail: Fail) -> Schema:
    """The schema the options describe; the shared standard one when they add nothing."""
    describe_paths = list(options.get("describe", []))
    declarations = list(options.get("objects", []))
    if not describe_paths and not declarations:
        return STANDARD
    objects = {o.name.lower(): o for o in CATALOG}
    child_names: ChildNames = {}
    for index, name in enumerate(describe_paths):
        path = Path(name)
        if base_dir is not None and not path.is_absolute():
            path = base_dir / path

        def at_file(message: str, position: Position | None, index: int = index) -> Exception:
            return fail(message, ("describe", index), position)

        loaded, names = load_describe(path, at_file)
        if not loaded.key_prefix:
            used = {o.key_prefix for o in objects.values()}
            loaded = _with_prefix(loaded, free_prefix(loaded.name, used))
        objects[loaded.name.lower()] = loaded
        child_names.update(names)
    objects = declare(declarations, objects, lambda message, where: fail(message, where, None))
    _check_children(declarations, objects, fail)
    return Schema(objects.values(), child_names)


def _with_prefix(sobject: SObject, prefix: str) -> SObject:
    """A loaded object without a key prefix gets one; its describe body says so too."""
    body = {**sobject.describe, "keyPrefix": prefix} if sobject.describe else None
    return replace(sobject, key_prefix=prefix, describe=body)


def _check_children(
    declarations: list[Mapping[str, Any]], objects: Mapping[str, SObject], fail: Fail
) -> None:
    """Declared lookups point to known objects; a parent's child relationship names differ."""
    seen: dict[tuple[str, str], str] = {}
    for index, spec in enumerate(declarations):
        owner = objects[str(spec["name"]).lower()]
        for position, field_spec in enumerate(spec.get("fields", [])):
            f = owner.field(str(field_spec["name"]))
            if f is None or f.type != "reference":
                continue
            where: Path_ = ("objects", index, "fields", position)
            target = str(field_spec.get("reference_to", ""))
            if target.lower() not in objects:
                raise fail(f"no object named {target} in this org", (*where, "reference_to"), None)
            key = (target.lower(), str(f.child_relationship).lower())
            if key in seen and seen[key] != f"{owner.name}.{f.name}":
                raise fail(
                    f"{target} already has a child relationship named {f.child_relationship} "
                    f"({seen[key]}); give this field another child_relationship",
                    where,
                    None,
                )
            seen[key] = f"{owner.name}.{f.name}"


def check_records(
    schema: Schema, records: Mapping[str, Any], fail: Fail
) -> None:
    """Seed records must be valid create bodies of objects the org has."""
    for name, items in records.items():
        meta = schema.find(name)
        if meta is None:
            raise fail(
                f"no sObject type {name} in this org (declare it under objects, or load its "
                "describe)",
                ("records", name),
                None,
            )
        for index, given in enumerate(items):
            # a lookup by the parent's external id is checked when the record is saved
            item = {k: v for k, v in given.items()
                    if not (isinstance(v, dict) and meta.relationship(k))}  # fmt: skip
            for key in item:
                if key != "attributes" and meta.field(key) is None:
                    raise fail(
                        f"No such column '{key}' on sobject of type {meta.name}",
                        ("records", name, index, key),
                        None,
                    )
            try:
                check_body(meta, item, creating=True)
            except RestApiError as error:
                where: Path_ = ("records", name, index)
                named = [k for k in item if error.fields and k.lower() == error.fields[0].lower()]
                raise fail(f"{error.error_code}: {error.message}", (*where, *named), None) from None

"""``GET /query?q=…&columns=true``: the column metadata of a query instead of its rows.

Undocumented but relied upon: the Salesforce CLI's ``sf data query`` asks for
it to lay out its table, and stops with "Value is not a JsonArray" without a
``columnMetadata`` array. Parent fields (``Account.Name``) nest as
``joinColumns``; aggregates are named ``expr0``, ``expr1``… unless aliased.
"""

from __future__ import annotations

from typing import Any

from runner.emulator import sobjects
from runner.emulator.metadata import Field, SObject
from runner.emulator.soql.parser import Aggregate, FieldPath, FieldsMacro, SubQuery, parse

_NUMBER_TYPES = frozenset({"int", "double", "currency", "percent", "long"})
_TEXT_TYPES = frozenset(
    {"string", "textarea", "picklist", "multipicklist", "combobox", "email", "phone", "url"}
)
_APEX_TYPES = {"id": "Id", "reference": "Id", "boolean": "Boolean", "int": "Integer",
               "double": "Double", "currency": "Double", "percent": "Double", "date": "Date",
               "datetime": "Datetime", "long": "Long"}  # fmt: skip


def _column(
    name: str, display: str, f: Field | None, joins: list[dict[str, Any]]
) -> dict[str, Any]:
    kind = f.type if f is not None else ""
    return {
        "aggregate": False,
        "apexType": _APEX_TYPES.get(kind, "String") if f is not None and not joins else None,
        "booleanType": kind == "boolean",
        "columnName": name,
        "custom": name.endswith("__c"),
        "displayName": display,
        "foreignKeyName": None,
        "insertable": bool(f and f.createable),
        "joinColumns": joins,
        "numberType": kind in _NUMBER_TYPES,
        "textType": kind in _TEXT_TYPES,
        "updatable": bool(f and f.updateable),
    }


def _path_column(meta: SObject, parts: tuple[str, ...], prefix: str = "") -> dict[str, Any]:
    if len(parts) == 1:
        f = meta.field(parts[0])
        name = f.name if f is not None else parts[0]
        return _column(name, prefix + name, f, [])
    link = meta.relationship(parts[0])
    target = sobjects.find(link.reference_to[0]) if link and link.reference_to else None
    name = link.relationship_name or parts[0] if link else parts[0]
    joins = [_path_column(target, parts[1:], f"{prefix}{name}.")] if target is not None else []
    return _column(name, prefix + name, None, joins)


def _aggregate_column(item: Aggregate, index: int) -> dict[str, Any]:
    arg = ".".join(item.arg.parts) if item.arg is not None else ""
    column = _column(item.alias or f"expr{index}", f"{item.function}({arg})", None, [])
    column.update({"aggregate": True, "apexType": None})
    return column


def column_metadata(soql: str) -> dict[str, Any]:
    """The answer to ``columns=true`` for a query the store has already accepted."""
    query = parse(soql)
    meta = sobjects.get(query.sobject.text)
    columns: list[dict[str, Any]] = []
    aggregates = 0
    for item in query.select:
        if isinstance(item, FieldPath):
            parts = item.parts[1:] if query.alias and item.parts[0] == query.alias else item.parts
            columns.append(_path_column(meta, parts))
        elif isinstance(item, Aggregate):
            columns.append(_aggregate_column(item, aggregates))
            aggregates += 1
        elif isinstance(item, FieldsMacro):
            columns.extend(_path_column(meta, (f.name,)) for f in meta.fields)
        elif isinstance(item, SubQuery):
            name = item.query.sobject.text
            columns.append(_column(name, name, None, []))
    return {
        "columnMetadata": columns,
        "entityName": meta.name,
        "groupBy": bool(query.group_by),
        "idSelected": any(c["columnName"] == "Id" for c in columns),
        "keyPrefix": meta.key_prefix,
    }

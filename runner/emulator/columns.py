"""``GET /query?q=…&columns=true``: the column metadata of a query instead of its rows.

Undocumented but relied upon: the Salesforce CLI's ``sf data query`` asks for
it to lay out its table, and stops with "Value is not a JsonArray" without a
``columnMetadata`` array. Parent fields (``Account.Name``) nest as
``joinColumns``; aggregates are named ``expr0``, ``expr1``… unless aliased.
"""

from __future__ import annotations

from typing import Any

from runner.emulator.metadata import Field, SObject
from runner.emulator.schema import Schema
from runner.emulator.soql.ast import (
    Aggregate,
    DateFunction,
    FieldPath,
    FieldsMacro,
    Grouping,
    Query,
    SubQuery,
    TypeOf,
    Wrapped,
)
from runner.emulator.soql.parser import parse

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
        "custom": name.endswith(("__c", "__r")),
        "displayName": display,
        "foreignKeyName": None,
        "insertable": bool(f and f.createable),
        "joinColumns": joins,
        "numberType": kind in _NUMBER_TYPES,
        "textType": kind in _TEXT_TYPES,
        "updatable": bool(f and f.updateable),
    }


def _path_column(
    schema: Schema, meta: SObject, parts: tuple[str, ...], prefix: str = ""
) -> dict[str, Any]:
    if len(parts) == 1:
        f = meta.field(parts[0])
        name = f.name if f is not None else parts[0]
        return _column(name, prefix + name, f, [])
    link = meta.relationship(parts[0])
    target = schema.target(link) if link else None
    name = link.relationship_name or parts[0] if link else parts[0]
    joins = (
        [_path_column(schema, target, parts[1:], f"{prefix}{name}.")] if target is not None else []
    )
    column = _column(name, prefix + name, None, joins)
    column["foreignKeyName"] = link.name if link else None
    return column


def _function_column(
    item: Aggregate | DateFunction | Grouping, index: int, alias: str | None = None
) -> dict[str, Any]:
    """An aggregate, date function or GROUPING(): ``expr0``… unless aliased."""
    arg = ".".join(item.arg.parts) if item.arg is not None else ""
    name = item.function if isinstance(item, (Aggregate, DateFunction)) else "GROUPING"
    column = _column(alias or item.alias or f"expr{index}", f"{name}({arg})", None, [])
    column.update({"aggregate": True, "apexType": None, "numberType": name != "DAY_ONLY"})
    return column


def _type_of_column(schema: Schema, meta: SObject, item: TypeOf) -> dict[str, Any]:
    """A TYPEOF: the relationship, with the columns of every branch joined."""
    rel = meta.relationship(item.relationship.text)
    name = rel.relationship_name or item.relationship.text if rel else item.relationship.text
    joins: list[dict[str, Any]] = []
    for sobject, fields in item.whens:
        target = schema.find(sobject.text)
        if target is not None:
            joins += [_path_column(schema, target, f.parts, f"{name}.") for f in fields]
    column = _column(name, name, None, joins)
    column["foreignKeyName"] = rel.name if rel else None
    return column


def _columns(schema: Schema, meta: SObject, query: Query) -> list[dict[str, Any]]:
    columns: list[dict[str, Any]] = []
    unnamed = 0
    for item in query.select:
        inner = item.inner if isinstance(item, Wrapped) else item
        if isinstance(inner, FieldPath):
            columns.append(_path_column(schema, meta, _own_path(meta, query, inner.parts)))
            if isinstance(item, Wrapped) and item.alias:
                columns[-1].update(columnName=item.alias, displayName=item.alias)
        elif isinstance(inner, (Aggregate, DateFunction, Grouping)):
            alias = item.alias if isinstance(item, Wrapped) else None
            columns.append(_function_column(inner, unnamed, alias))
            unnamed += inner.alias is None and alias is None
        elif isinstance(item, TypeOf):
            columns.append(_type_of_column(schema, meta, item))
        elif isinstance(item, FieldsMacro):
            columns.extend(_path_column(schema, meta, (f.name,)) for f in meta.fields)
        elif isinstance(item, SubQuery):
            columns.append(_child_column(schema, meta, item))
    return columns


def _own_path(meta: SObject, query: Query, parts: tuple[str, ...]) -> tuple[str, ...]:
    """``Account.Name`` FROM Account (or ``a.Name`` FROM Account a) is the base's ``Name``."""
    prefixes = (meta.name.lower(), (query.alias or "").lower())
    if len(parts) > 1 and parts[0].lower() in prefixes and not meta.relationship(parts[0]):
        return parts[1:]
    return parts


def _child_column(schema: Schema, meta: SObject, item: SubQuery) -> dict[str, Any]:
    """A child sub-query: ``aggregate: true``, named by the relationship, its columns joined."""
    name = item.query.sobject.text
    link = schema.child(meta, name)
    joins = _columns(schema, link.child, item.query) if link is not None else []
    column = _column(link.name if link else name, link.name if link else name, None, joins)
    column["aggregate"] = True
    return column


def column_metadata(soql: str, schema: Schema) -> dict[str, Any]:
    """The answer to ``columns=true`` for a query the store has already accepted."""
    query = parse(soql)
    meta = schema.get(query.sobject.text)
    columns = _columns(schema, meta, query)
    return {
        "columnMetadata": columns,
        "entityName": meta.name,
        "groupBy": bool(query.group_by),
        "idSelected": any(c["columnName"] == "Id" for c in columns),
        "keyPrefix": meta.key_prefix,
    }

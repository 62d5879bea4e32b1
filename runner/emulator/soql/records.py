"""Queries that answer records: fields, parent paths, child sub-queries, TYPEOF, toLabel, FORMAT.

Each selected column lands in a tree of nodes mirroring the record: the base
object, a node per parent relationship, leaves for fields. A polymorphic
relationship (``TYPEOF What …``, ``What.Name``) has one branch per object it
may point to; a row fills the branch of the object its id belongs to.
Child sub-queries compile to their own statement, run per parent row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from runner.emulator import errors
from runner.emulator.metadata import SObject
from runner.emulator.soql.ast import FieldPath, FieldsMacro, SubQuery, TypeOf, Wrapped
from runner.emulator.soql.functions import converter, format_converter, label_converter
from runner.emulator.soql.translate import Child, Compiled, Shaper, Translator

MAX_FIELDS_ALL_LIMIT = 200


@dataclass
class _Leaf:
    index: int
    convert: Callable[[Any], Any]


@dataclass
class _Node:
    sobject: SObject
    id_index: int
    children: dict[str, _Leaf | _Node | _Branches | None] = field(default_factory=dict)


@dataclass
class _Branches:
    """A polymorphic parent: the first branch whose object the row points to."""

    nodes: list[_Node] = field(default_factory=list)


def compile_records(t: Translator) -> Compiled:
    """A query whose rows are records (with their child sub-queries)."""
    shape = record_shaper(t)
    sql = t.statement(t.where_sql(), t.order_sql("records"))
    return Compiled(sql, t.params, "records", shape, tuple(t.children), t.env.user_id)


def record_shaper(t: Translator) -> Shaper:
    """Add the select list's columns to ``t`` and return how to build a record from a row."""
    root = _Node(t.base, t.add_select('t0."Id"'))
    for item in _expanded(t):
        if isinstance(item, SubQuery):
            child = _child(t, item)
            _put(t, root, child.key, None, item.token)
            t.children.append(child)
        elif isinstance(item, TypeOf):
            _type_of(t, root, item)
        elif isinstance(item, Wrapped):
            _wrapped(t, root, item)
        else:
            _path(t, root, item, None, None)

    def shape(row: Sequence[Any], api_version: str) -> dict[str, Any]:
        record = _build(root, row, api_version)
        assert record is not None
        return record

    return shape


def _expanded(t: Translator) -> list[Any]:
    """The select list with ``FIELDS(…)`` replaced by the fields it stands for."""
    items: list[Any] = []
    for item in t.query.select:
        if isinstance(item, FieldsMacro):
            limit = t.query.limit
            if item.kind != "STANDARD" and (limit is None or limit > MAX_FIELDS_ALL_LIMIT):
                raise t.error(
                    item.token,
                    "The SOQL FIELDS function must have a LIMIT of at most 200",
                    "MALFORMED_QUERY",
                )
            wanted = {"ALL": (True, False), "STANDARD": (False,), "CUSTOM": (True,)}[item.kind]
            items += [FieldPath((f.name,), item.token) for f in t.base.fields if f.custom in wanted]
        elif isinstance(item, (FieldPath, SubQuery, TypeOf, Wrapped)):
            items.append(item)
        else:
            raise t.error(item.token, "unexpected token: '('", "MALFORMED_QUERY")
    return items


def _put(t: Translator, node: _Node, key: str, value: Any, token: Any) -> None:
    clash = not isinstance(value, _Leaf) or isinstance(node.children.get(key), _Leaf)
    if key in node.children and value is not None and clash:
        raise t.error(token, f"duplicate field selected: {key}", "MALFORMED_QUERY")
    node.children.setdefault(key, value)


def _path(
    t: Translator, root: _Node, item: FieldPath, convert: Callable[[Any], Any] | None,
    alias: str | None,
) -> None:
    col = t.column(item)
    node = root
    for rel, target, join in col.chain:
        key = rel.relationship_name or rel.name
        branch = node.children.get(key)
        if not isinstance(branch, _Node):
            branch = _Node(target, t.add_select(f'{join}."Id"'))
            node.children[key] = branch
        node = branch
    if col.polymorphic is not None:
        key = col.polymorphic.relationship_name or col.polymorphic.name
        branches = node.children.setdefault(key, _Branches())
        if not isinstance(branches, _Branches):
            raise t.error(item.token, f"duplicate field selected: {key}", "MALFORMED_QUERY")
        for target, join, f in col.branches:
            _branch(t, branches, target, join).children.setdefault(
                f.name, _Leaf(t.add_select(f'{join}."{f.name}"'), converter(f))
            )
        return
    leaf = _Leaf(t.add_select(col.sql), convert or converter(col.field))
    name = alias or col.field.name
    if alias is None and name in node.children and convert is None:
        return  # the same field twice is the same column
    _put(t, node, name, leaf, item.token)


def _branch(t: Translator, branches: _Branches, target: SObject, join: str) -> _Node:
    for node in branches.nodes:
        if node.sobject is target:
            return node
    node = _Node(target, t.add_select(f'{join}."Id"'))
    branches.nodes.append(node)
    return node


def _wrapped(t: Translator, root: _Node, item: Wrapped) -> None:
    """``toLabel(Status)`` / ``FORMAT(Amount)``: the field's value, translated or formatted."""
    if not isinstance(item.inner, FieldPath):
        raise t.error(item.token, f"unexpected token: '{item.function}'", "MALFORMED_QUERY")
    f = t.column(item.inner).field
    if item.function == "TOLABEL":
        if f.type not in ("picklist", "multipicklist"):
            text = f"toLabel() can only be used on picklist fields: {f.name}"
            raise t.error(item.token, text, "INVALID_FIELD")
        convert = label_converter(f)
    else:
        convert = format_converter(f)
    _path(t, root, item.inner, convert, item.alias)


def _type_of(t: Translator, root: _Node, item: TypeOf) -> None:
    """One branch per object the relationship may point to: its WHEN fields, or ELSE's."""
    rel = t.base.relationship(item.relationship.text)
    if rel is None or len(rel.reference_to) < 2:
        text = f"TYPEOF can only be used on a polymorphic relationship: {item.relationship.text}"
        raise t.error(item.relationship, text, "INVALID_FIELD")
    allowed = {name.lower() for name in rel.reference_to}
    whens = {}
    for sobject, fields in item.whens:
        if sobject.text.lower() not in allowed:
            text = f"{sobject.text} is not a type of {rel.relationship_name}"
            raise t.error(sobject, text, "INVALID_TYPE")
        whens[sobject.text.lower()] = fields
    branches = _Branches()
    key = rel.relationship_name or rel.name
    _put(t, root, key, branches, item.token)
    for target in t.env.schema.targets(rel):
        join = t.join(("typeof", key.lower(), target.name.lower()), target, f't0."{rel.name}"')
        node = _branch(t, branches, target, join)
        chosen = whens.get(target.name.lower())
        for path in chosen if chosen is not None else item.otherwise:
            f = target.field(path.parts[0]) if len(path.parts) == 1 else None
            if f is None and chosen is not None:
                text = errors.no_such_column_on_entity(".".join(path.parts), target.name)
                raise t.error(path.token, text)
            if f is not None:
                node.children[f.name] = _Leaf(t.add_select(f'{join}."{f.name}"'), converter(f))


def _child(t: Translator, sub: SubQuery) -> Child:
    """Compile ``(SELECT … FROM Contacts)`` against the child object of that relationship."""
    name = sub.query.sobject.text
    link = t.env.schema.child(t.base, name)
    if link is not None:
        inner = Translator(t.text, sub.query, link.child, t.env, link.field)
        return Child(link.name, compile_records(inner))
    raise t.error(
        sub.query.sobject,
        f"Didn't understand relationship '{name}' in FROM part of query call. If you are "
        "attempting to use a custom relationship, be sure to append the '__r' after the "
        "custom relationship name. Please reference your WSDL or the describe call for the "
        "appropriate names.",
        "INVALID_TYPE",
    )


def _build(node: _Node, row: Sequence[Any], api_version: str) -> dict[str, Any] | None:
    record_id = row[node.id_index]
    if record_id is None:
        return None
    name = node.sobject.name
    record: dict[str, Any] = {
        "attributes": {
            "type": name,
            "url": f"/services/data/v{api_version}/sobjects/{name}/{record_id}",
        }
    }
    for key, child in node.children.items():
        if isinstance(child, _Leaf):
            record[key] = child.convert(row[child.index])
        elif isinstance(child, _Branches):
            built = (_build(n, row, api_version) for n in child.nodes)
            record[key] = next((b for b in built if b is not None), None)
        elif child is None:
            record[key] = None  # a sub-query, filled in by whoever runs it
        else:
            record[key] = _build(child, row, api_version)
    return record

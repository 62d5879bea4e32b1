"""SOQL subset → one SQL statement over the store's tables, plus how to shape its rows.

The parser gives a syntax tree; this module checks names against metadata
(``INVALID_TYPE``, ``INVALID_FIELD`` with the caret at the offending token),
joins parent objects for paths such as ``Account.Owner.Name`` and translates the
filter into SQL with parameters, so SQLite does the filtering, sorting and
limiting, fast for tens of thousands of records. Child sub-queries
(``(SELECT … FROM Contacts)``) compile to their own statement, run per parent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from runner.emulator import errors, sobjects
from runner.emulator.errors import RestApiError, soql_error
from runner.emulator.metadata import Field, SObject
from runner.emulator.soql.ast import (
    Aggregate,
    FieldPath,
    FieldsMacro,
    Query,
    SubQuery,
)
from runner.emulator.soql.filter import Column, FilterTranslator
from runner.emulator.soql.lexer import Token
from runner.emulator.soql.parser import parse
from runner.emulator.values import from_storage

MAX_OFFSET = 2000
ORG = "\x00org"  # placeholder parameters, replaced by bind()
PARENT = "\x00parent"
MAX_FIELDS_ALL_LIMIT = 200
_COUNT_FIELD = Field("expr", "int", "Count", nillable=False)
Shaper = Callable[[Sequence[Any], str], dict[str, Any]]


@dataclass(frozen=True)
class Child:
    """A compiled sub-query: the record key it fills and its statement (parent id 2nd param)."""

    key: str
    compiled: Compiled


@dataclass(frozen=True)
class Compiled:
    """SQL whose first parameter is the org id; ``kind`` is records, count or aggregate."""

    sql: str
    params: list[Any]
    kind: str
    shape: Shaper
    children: tuple[Child, ...] = ()

    def bind(self, org_id: str, parent_id: str | None = None) -> list[Any]:
        """The parameters, with the org id (and a sub-query's parent id) in place."""
        slots = {ORG: org_id, PARENT: parent_id}
        return [slots.get(p, p) if isinstance(p, str) else p for p in self.params]


@dataclass
class _Leaf:
    field: Field
    index: int


@dataclass
class _Node:
    sobject: SObject
    id_index: int
    children: dict[str, _Leaf | _Node | None] = field(default_factory=dict)


def compile_query(text: str, *, include_deleted: bool, today: dt.date) -> Compiled:
    """Parse, check and translate one query; RestApiError with Salesforce's codes on error."""
    query = parse(text)
    found = sobjects.find(query.sobject.text)
    if found is None:
        token = query.sobject
        raise soql_error(
            "INVALID_TYPE", text, token.row, token.col, errors.unsupported_type(token.text)
        )
    return _Translator(text, query, found, include_deleted, today).compile()


class _Translator:
    def __init__(
        self,
        text: str,
        query: Query,
        base: SObject,
        include_deleted: bool,
        today: dt.date,
        parent_link: Field | None = None,
    ) -> None:
        self.text = text
        self.query = query
        self.base = base
        self.today = today
        self.include_deleted = include_deleted
        self.parent_link = parent_link
        self.joins: dict[tuple[str, ...], str] = {}
        self.join_sql: list[str] = []
        self.select_sql: list[str] = []
        self.params: list[Any] = []
        self.children: list[Child] = []

    def error(self, token: Token, text: str, code: str = "INVALID_FIELD") -> RestApiError:
        return soql_error(code, self.text, token.row, token.col, text)

    # -- names -------------------------------------------------------------------------------

    def column(self, path: FieldPath) -> Column:
        """Resolve a field path, adding LEFT JOINs for each parent relationship on the way."""
        parts = self._without_object_prefix(list(path.parts))
        current, alias, chain = self.base, "t0", []
        for depth, part in enumerate(parts[:-1]):
            rel = current.relationship(part)
            target = sobjects.find(rel.reference_to[0]) if rel else None
            if rel is None or target is None:
                raise self.error(path.token, errors.unknown_relationship(part))
            key = tuple(p.lower() for p in parts[: depth + 1])
            if key not in self.joins:
                self.joins[key] = f"j{len(self.joins) + 1}"
                self.join_sql.append(
                    f'LEFT JOIN "{target.name}" {self.joins[key]} '
                    f'ON {self.joins[key]}."Id" = {alias}."{rel.name}"'
                )
            alias = self.joins[key]
            chain.append((rel, target, alias))
            current = target
        found = current.field(parts[-1])
        if found is None:
            raise self.error(path.token, errors.no_such_column_on_entity(parts[-1], current.name))
        return Column(found, f'{alias}."{found.name}"', tuple(chain))

    def operand(self, item: FieldPath | Aggregate) -> Column:
        """A field path, or an aggregate over one (HAVING, ORDER BY of grouped queries)."""
        if isinstance(item, FieldPath):
            return self.column(item)
        if item.arg is None:
            return Column(_COUNT_FIELD, "COUNT(*)", ())
        col = self.column(item.arg)
        if item.function in ("COUNT", "COUNT_DISTINCT"):
            result = _COUNT_FIELD
        elif item.function in ("SUM", "AVG"):
            result = replace(col.field, type="double", digits=0, precision=0, scale=0)
        else:
            result = col.field
        return Column(result, _aggregate_sql(item, col), ())

    def where_column(self, item: FieldPath | Aggregate) -> Column:
        if isinstance(item, Aggregate):
            raise self.error(item.token, f"unexpected token: '{item.function}'", "MALFORMED_QUERY")
        return self.column(item)

    def _without_object_prefix(self, parts: list[str]) -> list[str]:
        """``Account.Name`` FROM Account (or ``a.Name`` FROM Account a) is a base field."""
        first = parts[0].lower()
        names = {self.base.name.lower(), (self.query.alias or "").lower()}
        if len(parts) > 1 and self.base.relationship(first) is None and first in names:
            return parts[1:]
        return parts

    def add_select(self, sql: str) -> int:
        self.select_sql.append(sql)
        return len(self.select_sql) - 1

    # -- statement ---------------------------------------------------------------------------

    def compile(self) -> Compiled:
        query = self.query
        if query.offset is not None and query.offset > MAX_OFFSET:
            raise RestApiError(
                400, "NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {MAX_OFFSET}"
            )
        shape: Shaper
        if query.count_only:
            kind, shape = "count", _no_shape
            self.add_select("1")
        elif query.group_by or any(isinstance(s, Aggregate) for s in query.select):
            kind, shape = "aggregate", self._aggregate_select()
        else:
            kind, shape = "records", self._record_select()
        where = self._where_sql()
        group = ""
        if kind == "aggregate" and query.group_by:
            group = " GROUP BY " + ", ".join(self.column(p).sql for p in query.group_by)
        if query.having is not None:
            having = FilterTranslator(
                self.operand, self.error, self.today, self.params, self._semi_join
            )
            group += " HAVING " + having.condition(query.having)
        order = self._order_sql(kind)  # resolves names first: it may add joins
        sql = f'SELECT {", ".join(self.select_sql)} FROM "{self.base.name}" t0 '
        sql += " ".join(self.join_sql) + f" WHERE {where}{group}{order}"
        if query.limit is not None or query.offset is not None:
            limit = -1 if query.limit is None else query.limit
            sql += f" LIMIT {limit} OFFSET {query.offset or 0}"
        if kind == "count":
            sql = f"SELECT COUNT(*) FROM ({sql})"
        return Compiled(sql, self.params, kind, shape, tuple(self.children))

    def _expanded(self) -> list[FieldPath | SubQuery]:
        """The select list with ``FIELDS(…)`` replaced by the fields it stands for."""
        items: list[FieldPath | SubQuery] = []
        for item in self.query.select:
            if isinstance(item, FieldsMacro):
                limit = self.query.limit
                if item.kind != "STANDARD" and (limit is None or limit > MAX_FIELDS_ALL_LIMIT):
                    raise self.error(
                        item.token,
                        "The SOQL FIELDS function must have a LIMIT of at most 200",
                        "MALFORMED_QUERY",
                    )
                if item.kind != "CUSTOM":
                    items += [FieldPath((f.name,), item.token) for f in self.base.fields]
            else:
                assert not isinstance(item, Aggregate)
                items.append(item)
        return items

    def _record_select(self) -> Shaper:
        root = _Node(self.base, self.add_select('t0."Id"'))
        for item in self._expanded():
            if isinstance(item, SubQuery):
                child = self._child(item)
                root.children[child.key] = None
                self.children.append(child)
                continue
            col = self.column(item)
            node = root
            for rel, target, alias in col.chain:
                key = rel.relationship_name or rel.name
                branch = node.children.get(key)
                if not isinstance(branch, _Node):
                    branch = _Node(target, self.add_select(f'{alias}."Id"'))
                    node.children[key] = branch
                node = branch
            node.children.setdefault(col.field.name, _Leaf(col.field, self.add_select(col.sql)))

        def shape(row: Sequence[Any], api_version: str) -> dict[str, Any]:
            record = _build(root, row, api_version)
            assert record is not None
            return record

        return shape

    def _child(self, sub: SubQuery) -> Child:
        """Compile ``(SELECT … FROM Contacts)`` against the child object of that relationship."""
        name = sub.query.sobject.text
        for child in sorted(sobjects.SOBJECTS.values(), key=lambda s: s.name):
            for f in child.fields:
                rel = f.child_relationship
                if rel and rel.lower() == name.lower() and self.base.name in f.reference_to:
                    translator = _Translator(
                        self.text, sub.query, child, self.include_deleted, self.today, f
                    )
                    return Child(rel, translator.compile())
        raise self.error(
            sub.query.sobject,
            f"Didn't understand relationship '{name}' in FROM part of query call. If you are "
            "attempting to use a custom relationship, be sure to append the '__r' after the "
            "custom relationship name. Please reference your WSDL or the describe call for the "
            "appropriate names.",
            "INVALID_TYPE",
        )

    def _aggregate_select(self) -> Shaper:
        grouped = {self.column(p).sql for p in self.query.group_by}
        keys: list[tuple[str, int, Callable[[Any], Any]]] = []
        unnamed = 0
        for item in self.query.select:
            if isinstance(item, (FieldsMacro, SubQuery)):
                raise self.error(item.token, "unexpected token: '('", "MALFORMED_QUERY")
            if isinstance(item, FieldPath):
                col = self.column(item)
                if col.sql not in grouped:
                    raise self.error(
                        item.token,
                        f"Field must be grouped or aggregated: {col.field.name}",
                        "MALFORMED_QUERY",
                    )
                keys.append((col.field.name, self.add_select(col.sql), _converter(col.field)))
                continue
            assert item.arg is not None
            col = self.column(item.arg)
            name = item.alias or f"expr{unnamed}"
            unnamed += item.alias is None
            sql = _aggregate_sql(item, col)
            keys.append((name, self.add_select(sql), _agg_converter(item, col)))

        def shape(row: Sequence[Any], api_version: str) -> dict[str, Any]:
            record: dict[str, Any] = {"attributes": {"type": "AggregateResult"}}
            for name, index, convert in keys:
                record[name] = convert(row[index])
            return record

        return shape

    def _order_sql(self, kind: str) -> str:
        if kind == "count":
            return ""
        terms = []
        for item in self.query.order_by:
            if isinstance(item.field, Aggregate) and kind != "aggregate":
                raise self.error(item.field.token, "unexpected token: '('", "MALFORMED_QUERY")
            sql = self.operand(item.field).sql
            nulls_first = True if item.nulls_first is None else item.nulls_first
            terms.append(f"({sql} IS NULL) {'DESC' if nulls_first else 'ASC'}")
            terms.append(f"{sql} {'DESC' if item.descending else 'ASC'}")
        if kind == "records":
            terms.append("t0._seq ASC")
        return " ORDER BY " + ", ".join(terms) if terms else ""

    def _where_sql(self) -> str:
        clauses = ["t0._org = ?"]
        self.params.append(ORG)
        if self.parent_link is not None:
            clauses.append(f't0."{self.parent_link.name}" = ?')
            self.params.append(PARENT)
        if not self.include_deleted and self.base.field("IsDeleted"):
            clauses.append('t0."IsDeleted" = 0')
        if self.query.where is not None:
            translator = FilterTranslator(
                self.where_column, self.error, self.today, self.params, self._semi_join
            )
            clauses.append(translator.condition(self.query.where))
        return " AND ".join(clauses)

    def _semi_join(self, sub: SubQuery) -> str:
        """``Id IN (SELECT AccountId FROM Contact …)``: one id column of another object."""
        inner = sub.query
        target = sobjects.find(inner.sobject.text)
        if target is None:
            token = inner.sobject
            raise self.error(token, errors.unsupported_type(token.text), "INVALID_TYPE")
        translator = _Translator(self.text, inner, target, False, self.today)
        fields = [s for s in inner.select if isinstance(s, FieldPath)]
        if len(fields) != 1 or len(inner.select) != 1:
            raise self.error(sub.token, "unexpected token: 'SELECT'", "MALFORMED_QUERY")
        col = translator.column(fields[0])
        if col.field.type not in ("id", "reference"):
            raise self.error(
                fields[0].token,
                f"The selected field '{col.field.name}' in the subquery and the left operand "
                "field in the where expression in the outer query should point to the same "
                "object type",
                "INVALID_FIELD",
            )
        where = translator._where_sql()
        self.params.extend(translator.params)
        joins = " ".join(translator.join_sql)
        where += f" AND {col.sql} IS NOT NULL"
        return f'SELECT {col.sql} FROM "{target.name}" t0 {joins} WHERE {where}'


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
            record[key] = from_storage(child.field, row[child.index])
        elif child is None:
            record[key] = None  # a sub-query, filled in by whoever runs it
        else:
            record[key] = _build(child, row, api_version)
    return record


def _no_shape(row: Sequence[Any], api_version: str) -> dict[str, Any]:
    raise AssertionError("COUNT() queries have no records")


def _aggregate_sql(item: Aggregate, col: Column) -> str:
    if item.function == "COUNT_DISTINCT":
        return f"COUNT(DISTINCT {col.sql})"
    return f"{item.function}({col.sql})"


def _converter(f: Field) -> Callable[[Any], Any]:
    return lambda value: from_storage(f, value)


def _agg_converter(item: Aggregate, col: Column) -> Callable[[Any], Any]:
    if item.function in ("COUNT", "COUNT_DISTINCT"):
        return lambda value: int(value or 0)
    if item.function in ("SUM", "AVG"):
        return lambda value: None if value is None else float(value)
    return _converter(col.field)

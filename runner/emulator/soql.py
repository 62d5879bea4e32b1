"""SOQL subset → one SQL statement over the store's tables, plus how to shape its rows.

The parser gives a syntax tree; this module checks names against metadata
(``INVALID_TYPE``, ``INVALID_FIELD`` with the caret at the offending token),
joins parent objects for paths such as ``Account.Owner.Name`` and translates the
filter into SQL with parameters, so SQLite does the filtering, sorting and
limiting, fast for tens of thousands of records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from runner.emulator import errors, ids, sobjects
from runner.emulator.errors import RestApiError, soql_error
from runner.emulator.sobjects import Field, SObject
from runner.emulator.soql_dates import date_range
from runner.emulator.soql_lexer import Token
from runner.emulator.soql_parser import (
    Aggregate,
    Comparison,
    Condition,
    FieldPath,
    Literal,
    Logical,
    Query,
    parse,
)
from runner.emulator.values import format_datetime, from_storage, parse_date, parse_datetime

MAX_OFFSET = 2000
Shaper = Callable[[Sequence[Any], str], dict[str, Any]]
_TYPE_WORDS = {
    "boolean": "boolean",
    "int": "integer",
    "double": "double",
    "currency": "currency",
    "percent": "percent",
    "date": "date",
    "datetime": "dateTime",
}


@dataclass(frozen=True)
class Compiled:
    """SQL whose first parameter is the org id; ``kind`` is records, count or aggregate."""

    sql: str
    params: list[Any]
    kind: str
    shape: Shaper

    def bind(self, org_id: str) -> list[Any]:
        """The parameters, with the org id in its place."""
        return [org_id, *self.params[1:]]


@dataclass
class _Leaf:
    field: Field
    index: int


@dataclass
class _Node:
    sobject: SObject
    id_index: int
    children: dict[str, _Leaf | _Node] = field(default_factory=dict)


@dataclass(frozen=True)
class _Column:
    field: Field
    sql: str
    chain: tuple[tuple[Field, SObject, str], ...]


def compile_query(text: str, *, include_deleted: bool, today: dt.date) -> Compiled:
    """Parse, check and translate one query; RestApiError with Salesforce's codes on error."""
    return _Translator(text, parse(text), include_deleted, today).compile()


class _Translator:
    def __init__(self, text: str, query: Query, include_deleted: bool, today: dt.date) -> None:
        self.text = text
        self.query = query
        self.today = today
        self.include_deleted = include_deleted
        found = sobjects.find(query.sobject.text)
        if found is None:
            raise self.error(query.sobject, errors.unsupported_type(query.sobject.text),
                             "INVALID_TYPE")  # fmt: skip
        self.base = found
        self.joins: dict[tuple[str, ...], str] = {}
        self.join_sql: list[str] = []
        self.select_sql: list[str] = []
        self.params: list[Any] = []

    def error(self, token: Token, text: str, code: str = "INVALID_FIELD") -> RestApiError:
        return soql_error(code, self.text, token.row, token.col, text)

    # -- names -------------------------------------------------------------------------------

    def column(self, path: FieldPath) -> _Column:
        """Resolve a field path, adding LEFT JOINs for each parent relationship on the way."""
        parts = list(path.parts)
        first = parts[0].lower()
        if (
            len(parts) > 1
            and self.base.relationship(first) is None
            and (
                first == self.base.name.lower()
                or (self.query.alias and first == self.query.alias.lower())
            )
        ):
            parts = parts[1:]
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
        return _Column(found, f'{alias}."{found.name}"', tuple(chain))

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
        order = self._order_sql(kind)
        sql = f'SELECT {", ".join(self.select_sql)} FROM "{self.base.name}" t0 '
        sql += " ".join(self.join_sql) + f" WHERE {where}"
        if kind == "aggregate" and query.group_by:
            sql += " GROUP BY " + ", ".join(self.column(p).sql for p in query.group_by)
        sql += order
        if query.limit is not None or query.offset is not None:
            limit = -1 if query.limit is None else query.limit
            sql += f" LIMIT {limit} OFFSET {query.offset or 0}"
        if kind == "count":
            sql = f"SELECT COUNT(*) FROM ({sql})"
        return Compiled(sql, self.params, kind, shape)

    def _record_select(self) -> Shaper:
        root = _Node(self.base, self.add_select('t0."Id"'))
        for item in self.query.select:
            assert isinstance(item, FieldPath)
            col = self.column(item)
            node = root
            for rel, target, alias in col.chain:
                key = rel.relationship_name or rel.name
                child = node.children.get(key)
                if not isinstance(child, _Node):
                    child = _Node(target, self.add_select(f'{alias}."Id"'))
                    node.children[key] = child
                node = child
            node.children.setdefault(col.field.name, _Leaf(col.field, self.add_select(col.sql)))

        def shape(row: Sequence[Any], api_version: str) -> dict[str, Any]:
            record = _build(root, row, api_version)
            assert record is not None
            return record

        return shape

    def _aggregate_select(self) -> Shaper:
        grouped = {self.column(p).sql for p in self.query.group_by}
        keys: list[tuple[str, int, Callable[[Any], Any]]] = []
        unnamed = 0
        for item in self.query.select:
            if isinstance(item, FieldPath):
                col = self.column(item)
                if col.sql not in grouped:
                    raise self.error(
                        item.token, f"Field must be grouped or aggregated: {col.field.name}",
                        "MALFORMED_QUERY",
                    )  # fmt: skip
                keys.append((col.field.name, self.add_select(col.sql), _converter(col.field)))
                continue
            assert item.arg is not None
            col = self.column(item.arg)
            name = item.alias or f"expr{unnamed}"
            unnamed += item.alias is None
            keys.append(
                (name, self.add_select(_aggregate_sql(item, col)), _agg_converter(item, col))
            )

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
            sql = self.column(item.field).sql
            nulls_first = True if item.nulls_first is None else item.nulls_first
            terms.append(f"({sql} IS NULL) {'DESC' if nulls_first else 'ASC'}")
            terms.append(f"{sql} {'DESC' if item.descending else 'ASC'}")
        if kind == "records":
            terms.append("t0._seq ASC")
        return " ORDER BY " + ", ".join(terms) if terms else ""

    # -- filter ------------------------------------------------------------------------------

    def _where_sql(self) -> str:
        clauses = ["t0._org = ?"]
        self.params.append(None)  # replaced by the org id at execution
        if not self.include_deleted and self.base.field("IsDeleted"):
            clauses.append('t0."IsDeleted" = 0')
        if self.query.where is not None:
            clauses.append(self._condition(self.query.where))
        return " AND ".join(clauses)

    def _condition(self, cond: Condition) -> str:
        if isinstance(cond, Logical):
            return "(" + f" {cond.op} ".join(self._condition(c) for c in cond.items) + ")"
        if isinstance(cond, Comparison):
            return self._comparison(cond)
        return f"(NOT {self._condition(cond.item)})"

    def _comparison(self, cond: Comparison) -> str:
        col = self.column(cond.field)
        if isinstance(cond.value, tuple):
            return self._in_list(col, cond)
        value = cond.value
        if value.kind == "null":
            if cond.op not in ("=", "!="):
                raise self.error(value.token, f"unexpected token: '{value.token.text}'",
                                 "MALFORMED_QUERY")  # fmt: skip
            return f"{col.sql} IS {'NOT ' if cond.op == '!=' else ''}NULL"
        if value.kind == "dateliteral":
            return self._date_range(col, cond.op, value)
        if cond.op == "LIKE":
            if not (col.field.is_text or col.field.type == "reference") or value.kind != "string":
                raise self.error(
                    cond.token, f"invalid operator on field '{col.field.name}'",
                    "INVALID_QUERY_FILTER_OPERATOR",
                )  # fmt: skip
            self.params.append(value.like)
            return f"{col.sql} LIKE ? ESCAPE '\\'"
        self.params.append(self._param(col.field, value))
        if cond.op == "!=":
            return f"{col.sql} IS NOT ?"
        return f"{col.sql} {cond.op} ?"

    def _in_list(self, col: _Column, cond: Comparison) -> str:
        assert isinstance(cond.value, tuple)
        values = [v for v in cond.value if v.kind != "null"]
        has_null = len(values) < len(cond.value)
        for v in values:
            self.params.append(self._param(col.field, v))
        marks = ", ".join("?" for _ in values)
        if cond.op == "IN":
            parts = [f"{col.sql} IN ({marks})"] if values else []
            parts += [f"{col.sql} IS NULL"] if has_null else []
            return "(" + " OR ".join(parts) + ")"
        parts = [f"{col.sql} NOT IN ({marks})"] if values else []
        parts.append(f"{col.sql} IS NOT NULL" if has_null else f"{col.sql} IS NULL")
        return "(" + (" AND " if has_null else " OR ").join(parts) + ")"

    def _param(self, f: Field, value: Literal) -> Any:
        """The SQL parameter for a literal compared with ``f``, or the error Salesforce gives."""
        expected = _expected_kind(f)
        if value.kind not in expected:
            raise self.error(value.token, _filter_type_message(f))
        if f.type in ("id", "reference"):
            if not ids.is_valid_id(value.value):
                raise self.error(
                    value.token, f"invalid ID field: {value.value}",
                    "INVALID_QUERY_FILTER_OPERATOR",
                )  # fmt: skip
            return ids.normalize(value.value)
        if value.kind == "boolean":
            return int(value.value)
        if value.kind == "date":
            if parse_date(value.value) is None:
                raise self.error(value.token, f"invalid date: {value.value}", "MALFORMED_QUERY")
            return value.value
        if value.kind == "datetime":
            moment = parse_datetime(value.value)
            if moment is None:
                raise self.error(value.token, f"invalid date: {value.value}", "MALFORMED_QUERY")
            return format_datetime(moment)
        return value.value

    def _date_range(self, col: _Column, op: str, value: Literal) -> str:
        if col.field.type not in ("date", "datetime") or op in ("LIKE",):
            raise self.error(value.token, _filter_type_message(col.field))
        start, end = date_range(value.value, value.n, self.today)
        bounds = [_date_bound(col.field, start), _date_bound(col.field, end)]
        sql = col.sql
        forms = {
            "=": (f"({sql} >= ? AND {sql} < ?)", bounds),
            "!=": (f"({sql} IS NULL OR {sql} < ? OR {sql} >= ?)", bounds),
            "<": (f"{sql} < ?", bounds[:1]),
            "<=": (f"{sql} < ?", bounds[1:]),
            ">": (f"{sql} >= ?", bounds[1:]),
            ">=": (f"{sql} >= ?", bounds[:1]),
        }
        clause, params = forms[op]
        self.params.extend(params)
        return clause


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
        else:
            record[key] = _build(child, row, api_version)
    return record


def _no_shape(row: Sequence[Any], api_version: str) -> dict[str, Any]:
    raise AssertionError("COUNT() queries have no records")


def _expected_kind(f: Field) -> set[str]:
    if f.type == "boolean":
        return {"boolean"}
    if f.type in ("int", "double", "currency", "percent"):
        return {"number"}
    if f.type in ("date", "datetime"):
        return {f.type}
    return {"string"}


def _filter_type_message(f: Field) -> str:
    if f.type in _TYPE_WORDS:
        return (
            f"value of filter criterion for field '{f.name}' must be of type "
            f"{_TYPE_WORDS[f.type]} and should not be enclosed in quotes"
        )
    return (
        f"value of filter criterion for field '{f.name}' must be of type string and should be "
        "enclosed in quotes"
    )


def _date_bound(f: Field, day: dt.date) -> str:
    return day.isoformat() if f.type == "date" else f"{day.isoformat()}T00:00:00.000+0000"


def _aggregate_sql(item: Aggregate, col: _Column) -> str:
    if item.function == "COUNT_DISTINCT":
        return f"COUNT(DISTINCT {col.sql})"
    return f"{item.function}({col.sql})"


def _converter(f: Field) -> Callable[[Any], Any]:
    return lambda value: from_storage(f, value)


def _agg_converter(item: Aggregate, col: _Column) -> Callable[[Any], Any]:
    if item.function in ("COUNT", "COUNT_DISTINCT"):
        return lambda value: int(value or 0)
    if item.function in ("SUM", "AVG"):
        return lambda value: None if value is None else float(value)
    return _converter(col.field)

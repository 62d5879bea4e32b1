"""The translation of one SOQL query to SQL: names, joins, WHERE, ORDER BY, LIMIT.

Names are checked against the org's schema (``INVALID_TYPE``, ``INVALID_FIELD``
with the caret at the offending token), parent objects are joined for paths
such as ``Account__r.Owner.Name``, and the filter becomes SQL with parameters,
so SQLite does the filtering, sorting and limiting. The select list is the
business of ``records`` (rows as records, sub-queries, TYPEOF) and ``grouped``
(aggregates, ROLLUP and CUBE); ``compiler`` puts them together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from runner.emulator import errors
from runner.emulator.errors import RestApiError, soql_error
from runner.emulator.metadata import Field, SObject
from runner.emulator.schema import Schema
from runner.emulator.soql.ast import (
    Aggregate,
    DateFunction,
    FieldPath,
    Grouping,
    Operand,
    Query,
    SubQuery,
    Wrapped,
)
from runner.emulator.soql.filter import Column, FilterTranslator
from runner.emulator.soql.functions import (
    COUNT_FIELD,
    DATETIME_ONLY,
    aggregate_field,
    aggregate_sql,
    date_function_field,
    date_function_sql,
)
from runner.emulator.soql.lexer import Token

MAX_OFFSET = 2000
ORG = "\x00org"  # placeholder parameters, replaced by bind()
PARENT = "\x00parent"
USER = "\x00user"
Shaper = Callable[[Sequence[Any], str], dict[str, Any]]


@dataclass(frozen=True)
class QueryEnv:
    """What a query is compiled against: the org's objects, its day, user and fiscal year."""

    schema: Schema
    today: dt.date
    user_id: str | None = None
    fiscal_start_month: int = 1
    include_deleted: bool = False


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
    user_id: str | None = None

    def bind(self, org_id: str, parent_id: str | None = None) -> list[Any]:
        """The parameters, with the org id (and a sub-query's parent id) in place."""
        slots = {ORG: org_id, PARENT: parent_id, USER: self.user_id}
        return [slots.get(p, p) if isinstance(p, str) else p for p in self.params]


class Translator:
    """The state of one (sub-)query's translation: joins, selected columns, parameters."""

    def __init__(
        self,
        text: str,
        query: Query,
        base: SObject,
        env: QueryEnv,
        parent_link: Field | None = None,
    ) -> None:
        self.text = text
        self.query = query
        self.base = base
        self.env = env
        self.parent_link = parent_link
        self.joins: dict[tuple[str, ...], str] = {}
        self.join_sql: list[str] = []
        self.select_sql: list[str] = []
        self.params: list[Any] = []
        self.children: list[Child] = []
        self.rolled: frozenset[str] = frozenset()  # group columns of a ROLLUP/CUBE subtotal

    def error(self, token: Token, text: str, code: str = "INVALID_FIELD") -> RestApiError:
        return soql_error(code, self.text, token.row, token.col, text)

    # -- names -------------------------------------------------------------------------------

    def join(self, key: tuple[str, ...], target: SObject, on: str) -> str:
        """The alias of a LEFT JOIN of ``target`` (made once per ``key``) matching ``on``."""
        if key not in self.joins:
            alias = self.joins[key] = f"j{len(self.joins) + 1}"
            self.join_sql.append(f'LEFT JOIN "{target.name}" {alias} ON {alias}."Id" = {on}')
        return self.joins[key]

    def column(self, path: FieldPath) -> Column:
        """Resolve a field path, adding LEFT JOINs for each parent relationship on the way.

        The last relationship may be polymorphic (``What.Name``): every object it may
        point to is joined, and the value is the one of the object the row points to.
        """
        parts = self._without_object_prefix(list(path.parts))
        current, alias = self.base, "t0"
        chain: list[tuple[Field, SObject, str]] = []
        for depth, part in enumerate(parts[:-1]):
            rel = current.relationship(part)
            targets = self.env.schema.targets(rel) if rel else []
            if rel is None or not targets:
                raise self.error(path.token, errors.unknown_relationship(part))
            key = tuple(p.lower() for p in parts[: depth + 1])
            if len(targets) > 1 and depth == len(parts) - 2:
                return self._polymorphic(path, key, rel, targets, f'{alias}."{rel.name}"', chain)
            alias = self.join(key, targets[0], f'{alias}."{rel.name}"')
            chain.append((rel, targets[0], alias))
            current = targets[0]
        found = current.field(parts[-1])
        if found is None:
            raise self.error(path.token, errors.no_such_column_on_entity(parts[-1], current.name))
        return Column(found, f'{alias}."{found.name}"', tuple(chain))

    def _polymorphic(
        self, path: FieldPath, key: tuple[str, ...], rel: Field, targets: list[SObject],
        on: str, chain: list[tuple[Field, SObject, str]],
    ) -> Column:
        name = path.parts[-1]
        branches = []
        for target in targets:
            f = target.field(name)
            if f is not None:
                alias = self.join((*key, target.name.lower()), target, on)
                branches.append((target, alias, f))
        if not branches:
            raise self.error(path.token, errors.no_such_column_on_entity(name, "Name"))
        sql = "COALESCE(" + ", ".join(f'{a}."{f.name}"' for _, a, f in branches) + ")"
        if len(branches) == 1:
            sql = f'{branches[0][1]}."{branches[0][2].name}"'
        return Column(branches[0][2], sql, tuple(chain), rel, tuple(branches))

    def operand(self, item: Operand | Wrapped) -> Column:
        """A field path, date function, aggregate or ``GROUPING()`` as a typed SQL expression."""
        if isinstance(item, FieldPath):
            col = self.column(item)
            return replace(col, sql="NULL") if col.sql in self.rolled else col
        if isinstance(item, DateFunction):
            col = self.column(item.arg)
            if col.field.type not in ("date", "datetime") or (
                item.function in DATETIME_ONLY and col.field.type != "datetime"
            ):
                kinds = "dateTime" if item.function in DATETIME_ONLY else "date or dateTime"
                text = f"{item.function} can only be used with {kinds} fields: {col.field.name}"
                raise self.error(item.token, text, "MALFORMED_QUERY")
            sql = date_function_sql(item.function, col.sql, self.env.fiscal_start_month)
            return Column(date_function_field(item), "NULL" if sql in self.rolled else sql, ())
        if isinstance(item, Grouping):
            grouped = self.column(item.arg).sql
            if not self.query.group_mode:
                raise self.error(item.token, "GROUPING requires ROLLUP or CUBE", "MALFORMED_QUERY")
            return Column(COUNT_FIELD, "1" if grouped in self.rolled else "0", ())
        if isinstance(item, Wrapped):
            return self.operand(item.inner)
        if item.arg is None:
            return Column(COUNT_FIELD, "COUNT(*)", ())
        col = self.column(item.arg)
        return Column(aggregate_field(item, col.field), aggregate_sql(item, col.sql), ())

    def where_column(self, item: Operand) -> Column:
        if isinstance(item, (Aggregate, Grouping)):
            name = item.function if isinstance(item, Aggregate) else "GROUPING"
            raise self.error(item.token, f"unexpected token: '{name}'", "MALFORMED_QUERY")
        return self.operand(item)

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

    def check_offset(self) -> None:
        if self.query.offset is not None and self.query.offset > MAX_OFFSET:
            raise RestApiError(
                400, "NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {MAX_OFFSET}"
            )

    def statement(self, where: str, order: str, group: str = "") -> str:
        """``SELECT … FROM … WHERE …`` with the joins, grouping, order, limit and offset."""
        sql = f'SELECT {", ".join(self.select_sql)} FROM "{self.base.name}" t0 '
        sql += " ".join(self.join_sql) + f" WHERE {where}{group}{order}"
        return sql + self.limit_sql()

    def limit_sql(self) -> str:
        query = self.query
        if query.limit is None and query.offset is None:
            return ""
        limit = -1 if query.limit is None else query.limit
        return f" LIMIT {limit} OFFSET {query.offset or 0}"

    def order_sql(self, kind: str) -> str:
        if kind == "count":
            return ""
        terms = []
        for item in self.query.order_by:
            if isinstance(item.field, (Aggregate, Grouping)) and kind != "aggregate":
                raise self.error(item.field.token, "unexpected token: '('", "MALFORMED_QUERY")
            sql = self.operand(item.field).sql
            terms += order_terms(sql, item.descending, item.nulls_first)
        if kind == "records":
            terms.append("t0._seq ASC")
        return " ORDER BY " + ", ".join(terms) if terms else ""

    def where_sql(self) -> str:
        clauses = ["t0._org = ?"]
        self.params.append(ORG)
        if self.parent_link is not None:
            clauses.append(f't0."{self.parent_link.name}" = ?')
            self.params.append(PARENT)
        if not self.env.include_deleted and self.base.field("IsDeleted"):
            clauses.append('t0."IsDeleted" = 0')
        if self.query.scope is not None:
            clauses += self._scope_sql(self.query.scope)
        if self.query.where is not None:
            clauses.append(self.filter(self.where_column).condition(self.query.where))
        return " AND ".join(clauses)

    def filter(self, column: Callable[[Operand], Column]) -> FilterTranslator:
        return FilterTranslator(
            column, self.error, self.env.today, self.params, self.semi_join,
            self.env.fiscal_start_month,
        )  # fmt: skip

    def _scope_sql(self, scope: Token) -> list[str]:
        """``USING SCOPE``: ``everything`` sees all, ``mine`` (and ``mine_and_my_groups``) the
        user's own records; the others need features (teams, territories, delegation) that the
        embedded org does not have."""
        name = scope.text.lower()
        if name == "everything":
            return []
        if name in ("mine", "mine_and_my_groups") and self.base.field("OwnerId") is not None:
            self.params.append(USER)
            return ['t0."OwnerId" = ?']
        raise self.error(
            scope, f"Scope {scope.text} is not supported for {self.base.name}", "MALFORMED_QUERY"
        )

    def semi_join(self, sub: SubQuery) -> str:
        """``Id IN (SELECT AccountId FROM Contact …)``: one id column of another object."""
        inner = sub.query
        target = self.env.schema.find(inner.sobject.text)
        if target is None:
            token = inner.sobject
            raise self.error(token, errors.unsupported_type(token.text), "INVALID_TYPE")
        translator = Translator(self.text, inner, target, replace(self.env, include_deleted=False))
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
        where = translator.where_sql()
        self.params.extend(translator.params)
        joins = " ".join(translator.join_sql)
        where += f" AND {col.sql} IS NOT NULL"
        return f'SELECT {col.sql} FROM "{target.name}" t0 {joins} WHERE {where}'


def order_terms(sql: str, descending: bool, nulls_first: bool | None) -> list[str]:
    """ORDER BY terms for one item: SOQL puts nulls first unless told otherwise."""
    first = True if nulls_first is None else nulls_first
    direction = "DESC" if descending else "ASC"
    return [f"({sql} IS NULL) {'DESC' if first else 'ASC'}", f"{sql} {direction}"]



"""SOQL WHERE conditions → SQL with parameters, with Salesforce's checks of literal types.

Strings compare case-insensitively (the columns are ``COLLATE NOCASE``), ``!=``
and ``NOT IN`` keep nulls as SOQL does, ids match in 15 or 18 characters, and
date literals become half-open ranges of days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from runner.emulator import ids
from runner.emulator.errors import RestApiError
from runner.emulator.metadata import Field, SObject
from runner.emulator.soql.ast import (
    Comparison,
    Condition,
    Literal,
    Logical,
    Operand,
    SubQuery,
)
from runner.emulator.soql.dates import date_range
from runner.emulator.values import format_datetime, parse_date, parse_datetime

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
class Column:
    """A resolved field path: the field, its SQL expression, and the parents joined for it.

    A path ending through a polymorphic relationship (``What.Name``) also has that
    relationship and one (object, join alias, field) branch per object it may point to.
    """

    field: Field
    sql: str
    chain: tuple[tuple[Field, SObject, str], ...]
    polymorphic: Field | None = None
    branches: tuple[tuple[SObject, str, Field], ...] = ()


ErrorFactory = Callable[..., RestApiError]


class FilterTranslator:
    """Translates one condition tree; appends its parameters to ``params`` in order."""

    def __init__(
        self,
        column: Callable[[Operand], Column],
        error: ErrorFactory,
        today: dt.date,
        params: list[Any],
        semi_join: Callable[[SubQuery], str],
        fiscal_start_month: int = 1,
    ) -> None:
        self.column = column
        self.error = error
        self.today = today
        self.params = params
        self.semi_join = semi_join
        self.fiscal_start_month = fiscal_start_month

    def condition(self, cond: Condition) -> str:
        if isinstance(cond, Logical):
            return "(" + f" {cond.op} ".join(self.condition(c) for c in cond.items) + ")"
        if isinstance(cond, Comparison):
            return self._comparison(cond)
        # SOQL logic has two values: a comparison with null is false, so its negation is true.
        return f"(NOT COALESCE({self.condition(cond.item)}, 0))"

    def _comparison(self, cond: Comparison) -> str:
        col = self.column(cond.field)
        if isinstance(cond.value, tuple):
            return self._in_list(col, cond)
        if isinstance(cond.value, SubQuery):
            if col.field.type not in ("id", "reference"):
                raise self.error(cond.field.token, f"invalid semi join on '{col.field.name}'")
            inner = self.semi_join(cond.value)
            if cond.op == "IN":
                return f"{col.sql} IN ({inner})"
            return f"({col.sql} IS NULL OR {col.sql} NOT IN ({inner}))"
        value = cond.value
        if value.kind == "null":
            if cond.op not in ("=", "!="):
                text = f"unexpected token: '{value.token.text}'"
                raise self.error(value.token, text, "MALFORMED_QUERY")
            if col.field.type == "boolean":  # SOQL reads null as false on checkboxes
                return f"COALESCE({col.sql}, 0) = {1 if cond.op == '!=' else 0}"
            return f"{col.sql} IS {'NOT ' if cond.op == '!=' else ''}NULL"
        if value.kind == "dateliteral":
            return self._date_range(col, cond.op, value)
        if cond.op == "LIKE":
            if not (col.field.is_text or col.field.type == "reference") or value.kind != "string":
                text = f"invalid operator on field '{col.field.name}'"
                raise self.error(cond.token, text, "INVALID_QUERY_FILTER_OPERATOR")
            self.params.append(value.like)
            return f"{col.sql} LIKE ? ESCAPE '\\'"
        self.params.append(self._param(col.field, value))
        if cond.op == "!=":
            return f"{col.sql} IS NOT ?"
        return f"{col.sql} {cond.op} ?"

    def _in_list(self, col: Column, cond: Comparison) -> str:
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
                text = f"invalid ID field: {value.value}"
                raise self.error(value.token, text, "INVALID_QUERY_FILTER_OPERATOR")
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

    def _date_range(self, col: Column, op: str, value: Literal) -> str:
        if col.field.type not in ("date", "datetime") or op in ("LIKE",):
            raise self.error(value.token, _filter_type_message(col.field))
        try:
            start, end = date_range(value.value, value.n, self.today, self.fiscal_start_month)
        except (OverflowError, ValueError):  # a range beyond year 9999
            raise self.error(
                value.token, f"invalid date literal: {value.value}:{value.n}", "MALFORMED_QUERY"
            ) from None
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

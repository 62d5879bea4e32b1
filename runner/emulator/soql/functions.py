"""SOQL functions: aggregates, date functions, ``toLabel()`` and ``FORMAT()``, as SQL and values.

Dates are stored as ``YYYY-MM-DD`` and datetimes as ``YYYY-MM-DDTHH:MM:SS.mmm+0000``
(UTC), so their first 19 characters are what SQLite's ``strftime`` reads. Date
functions work in UTC (``convertTimezone()`` changes nothing: every user of the
embedded org is on GMT). ``FORMAT()`` formats as the en_US locale does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from runner.emulator.metadata import Field
from runner.emulator.soql.ast import Aggregate, DateFunction
from runner.emulator.values import from_storage, parse_datetime

Convert = Callable[[Any], Any]
COUNT_FIELD = Field("expr", "int", "Count", nillable=False)
DATETIME_ONLY = frozenset({"DAY_ONLY", "HOUR_IN_DAY"})


def _part(sql: str, code: str) -> str:
    return f"CAST(strftime('{code}', substr({sql}, 1, 19)) AS INTEGER)"


def date_function_sql(function: str, sql: str, fiscal_start_month: int) -> str:
    """The SQL of ``function(column)``; NULL in, NULL out."""
    month, day, year = _part(sql, "%m"), _part(sql, "%d"), _part(sql, "%Y")
    fiscal_month = f"((({month}) - {fiscal_start_month} + 12) % 12 + 1)"
    later = 1 if fiscal_start_month > 1 else 0
    forms = {
        "CALENDAR_MONTH": month,
        "CALENDAR_QUARTER": f"((({month}) + 2) / 3)",
        "CALENDAR_YEAR": year,
        "DAY_IN_MONTH": day,
        "DAY_IN_WEEK": f"({_part(sql, '%w')} + 1)",
        "DAY_IN_YEAR": _part(sql, "%j"),
        "DAY_ONLY": f"substr({sql}, 1, 10)",
        "FISCAL_MONTH": fiscal_month,
        "FISCAL_QUARTER": f"(({fiscal_month} + 2) / 3)",
        "FISCAL_YEAR": f"({year} + CASE WHEN ({month}) >= {fiscal_start_month} THEN {later} "
        "ELSE 0 END)",
        "HOUR_IN_DAY": _part(sql, "%H"),
        "WEEK_IN_MONTH": f"((({day}) - 1) / 7 + 1)",
        "WEEK_IN_YEAR": f"((({_part(sql, '%j')}) - 1) / 7 + 1)",
    }
    return f"(CASE WHEN {sql} IS NULL THEN NULL ELSE {forms[function]} END)"


def date_function_field(item: DateFunction) -> Field:
    """The value a date function gives: a number, or a date for ``DAY_ONLY``."""
    if item.function == "DAY_ONLY":
        return Field(item.function, "date", item.function)
    return Field(item.function, "int", item.function, digits=4)


def aggregate_sql(item: Aggregate, sql: str) -> str:
    if item.function == "COUNT_DISTINCT":
        return f"COUNT(DISTINCT {sql})"
    return f"{item.function}({sql})"


def aggregate_field(item: Aggregate, f: Field) -> Field:
    """The field an aggregate's value is typed as."""
    if item.function in ("COUNT", "COUNT_DISTINCT"):
        return COUNT_FIELD
    if item.function in ("SUM", "AVG"):
        kind = "currency" if f.type == "currency" else "double"
        return Field(f.name, kind, f.label, precision=f.precision, scale=f.scale)
    return f


def converter(f: Field) -> Convert:
    """A stored value of ``f`` → its JSON value."""
    if f is COUNT_FIELD:
        return lambda value: int(value or 0)
    return lambda value: from_storage(f, value)


def label_converter(f: Field) -> Convert:
    """``toLabel()``: a picklist value → its label (each value of a multi-select picklist)."""

    def convert(value: Any) -> Any:
        if not isinstance(value, str):
            return from_storage(f, value)
        if f.type == "multipicklist":
            return ";".join(f.label_of(v) for v in value.split(";"))
        return f.label_of(value)

    return convert


def format_converter(f: Field) -> Convert:
    """``FORMAT()``: numbers, currency, percentages, dates and times as en_US shows them."""

    def convert(value: Any) -> Any:
        value = from_storage(f, value)
        if value is None:
            return None
        if isinstance(value, bool):
            return str(value).lower()
        if f.type == "currency":
            return f"${value:,.{f.scale}f}" if value >= 0 else f"-${-value:,.{f.scale}f}"
        if f.type == "percent":
            return f"{value:,.{f.scale}f}%"
        if f.type in ("double", "int", "long"):
            if f.scale or not float(value).is_integer():
                return f"{value:,.{f.scale}f}" if f.scale else f"{value:,}"
            return f"{round(value):,}"
        if f.type == "date":
            day = dt.date.fromisoformat(value)
            return f"{day.month}/{day.day}/{day.year}"
        if f.type == "datetime":
            moment = parse_datetime(value)
            if moment is not None:
                clock = moment.strftime("%I:%M %p").lstrip("0")
                return f"{moment.month}/{moment.day}/{moment.year}, {clock}"
        return str(value)

    return convert

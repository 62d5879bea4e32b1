"""The syntax tree of a SOQL query: what the parser builds and the translator reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from runner.emulator.soql.lexer import Token


@dataclass(frozen=True)
class FieldPath:
    """``Name`` or ``Account.Owner.Name`` as written."""

    parts: tuple[str, ...]
    token: Token


@dataclass(frozen=True)
class Aggregate:
    """``COUNT(Id)``, ``MAX(Amount) biggest``…; ``arg`` is None for ``COUNT()``."""

    function: str
    arg: FieldPath | None
    alias: str | None
    token: Token


@dataclass(frozen=True)
class DateFunction:
    """``CALENDAR_YEAR(CreatedDate)``, ``HOUR_IN_DAY(convertTimezone(CreatedDate))``…"""

    function: str
    arg: FieldPath
    alias: str | None
    token: Token


@dataclass(frozen=True)
class Grouping:
    """``GROUPING(LeadSource)``: 1 on a ROLLUP/CUBE subtotal row for that field, else 0."""

    arg: FieldPath
    alias: str | None
    token: Token


@dataclass(frozen=True)
class Wrapped:
    """``toLabel(Status)`` or ``FORMAT(Amount)`` / ``FORMAT(MIN(CloseDate))``."""

    function: str
    inner: FieldPath | Aggregate | DateFunction
    alias: str | None
    token: Token


@dataclass(frozen=True)
class TypeOf:
    """``TYPEOF What WHEN Account THEN Phone WHEN Opportunity THEN Amount ELSE Name END``."""

    relationship: Token
    whens: tuple[tuple[Token, tuple[FieldPath, ...]], ...]
    otherwise: tuple[FieldPath, ...]
    token: Token


@dataclass(frozen=True)
class FieldsMacro:
    """``FIELDS(ALL)``, ``FIELDS(STANDARD)`` or ``FIELDS(CUSTOM)``."""

    kind: str
    token: Token


@dataclass(frozen=True)
class SubQuery:
    """``(SELECT LastName FROM Contacts)``: the children of each record, by relationship name."""

    query: Query
    token: Token


@dataclass(frozen=True)
class Literal:
    """A value in WHERE: kind is string, number, boolean, null, date, datetime or dateliteral."""

    kind: str
    value: Any
    token: Token
    like: str = ""
    n: int | None = None


Operand: TypeAlias = "FieldPath | Aggregate | DateFunction | Grouping"


@dataclass(frozen=True)
class Comparison:
    field: Operand  # aggregates and GROUPING only in HAVING
    op: str
    value: Literal | tuple[Literal, ...] | SubQuery
    token: Token


@dataclass(frozen=True)
class Logical:
    op: str
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


Condition: TypeAlias = "Comparison | Logical | Not"
SelectItem: TypeAlias = (
    "FieldPath | Aggregate | FieldsMacro | SubQuery | DateFunction | Grouping | Wrapped | TypeOf"
)
GroupItem: TypeAlias = "FieldPath | DateFunction"


@dataclass(frozen=True)
class OrderItem:
    field: Operand
    descending: bool
    nulls_first: bool | None


@dataclass(frozen=True)
class Query:
    select: tuple[SelectItem, ...]
    sobject: Token
    alias: str | None
    where: Condition | None
    group_by: tuple[GroupItem, ...]
    order_by: tuple[OrderItem, ...]
    limit: int | None
    offset: int | None
    having: Condition | None = None
    group_mode: str = ""  # "", "ROLLUP" or "CUBE"
    scope: Token | None = None

    @property
    def count_only(self) -> bool:
        return any(isinstance(s, Aggregate) and s.arg is None for s in self.select)

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


@dataclass(frozen=True)
class Comparison:
    field: FieldPath | Aggregate  # an aggregate only in HAVING
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
SelectItem: TypeAlias = "FieldPath | Aggregate | FieldsMacro | SubQuery"


@dataclass(frozen=True)
class OrderItem:
    field: FieldPath | Aggregate
    descending: bool
    nulls_first: bool | None


@dataclass(frozen=True)
class Query:
    select: tuple[SelectItem, ...]
    sobject: Token
    alias: str | None
    where: Condition | None
    group_by: tuple[FieldPath, ...]
    order_by: tuple[OrderItem, ...]
    limit: int | None
    offset: int | None
    having: Condition | None = None

    @property
    def count_only(self) -> bool:
        return any(isinstance(s, Aggregate) and s.arg is None for s in self.select)

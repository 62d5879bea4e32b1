"""The SELECT list of a SOQL query: fields, sub-queries, FIELDS(), functions and TYPEOF.

Function calls are aggregates (``COUNT``, ``MAX``…), date functions
(``CALENDAR_YEAR``…, optionally around ``convertTimezone``), ``GROUPING``, and the
wrappers ``toLabel`` and ``FORMAT``; each may carry an alias.
"""

from __future__ import annotations

from runner.emulator.soql.ast import (
    Aggregate,
    DateFunction,
    FieldPath,
    FieldsMacro,
    Grouping,
    Query,
    SelectItem,
    SubQuery,
    TypeOf,
    Wrapped,
)
from runner.emulator.soql.lexer import Token
from runner.emulator.soql.literals import LiteralParser

AGGREGATES = frozenset({"COUNT", "COUNT_DISTINCT", "MIN", "MAX", "SUM", "AVG"})
DATE_FUNCTIONS = frozenset(
    {
        "CALENDAR_MONTH", "CALENDAR_QUARTER", "CALENDAR_YEAR", "DAY_IN_MONTH", "DAY_IN_WEEK",
        "DAY_IN_YEAR", "DAY_ONLY", "FISCAL_MONTH", "FISCAL_QUARTER", "FISCAL_YEAR", "HOUR_IN_DAY",
        "WEEK_IN_MONTH", "WEEK_IN_YEAR",
    }
)  # fmt: skip
RESERVED = frozenset(
    {
        "SELECT", "FROM", "WHERE", "ORDER", "GROUP", "BY", "LIMIT", "OFFSET", "AND", "OR", "NOT",
        "ASC", "DESC", "NULLS", "FIRST", "LAST", "IN", "LIKE", "WITH", "FOR", "USING", "HAVING",
        "TRUE", "FALSE", "NULL", "INCLUDES", "EXCLUDES", "ROLLUP", "CUBE", "TYPEOF", "WHEN",
        "THEN", "ELSE", "END",
    }
)  # fmt: skip
Call = Aggregate | DateFunction | Grouping | Wrapped


class SelectParser(LiteralParser):
    """Select items; the query grammar itself comes from the class that extends this one."""

    def query(self, *, nested: bool) -> Query:
        raise NotImplementedError

    def select_list(self, nested: bool) -> tuple[SelectItem, ...]:
        items = [self._select_item(nested)]
        while self.token.kind == "COMMA":
            self.advance()
            items.append(self._select_item(nested))
        counts = [i for i in items if isinstance(i, Aggregate) and i.arg is None]
        if counts and len(items) > 1:
            raise self.unexpected(counts[0].token if items[0] is not counts[0] else items[1].token)
        return tuple(items)

    def _select_item(self, nested: bool) -> SelectItem:
        if self.token.kind == "LPAREN" and not nested:
            start = self.advance()
            query = self.query(nested=True)
            self.expect("RPAREN")
            return SubQuery(query, start)
        token = self.expect("IDENT")
        if token.upper == "TYPEOF" and self.token.kind == "IDENT":
            return self._type_of(token)
        if token.upper == "FIELDS" and self.token.kind == "LPAREN":
            self.advance()
            kind = self.expect("IDENT")
            if kind.upper not in ("ALL", "STANDARD", "CUSTOM"):
                raise self.unexpected(kind)
            self.expect("RPAREN")
            return FieldsMacro(kind.upper, token)
        if self.token.kind != "LPAREN":
            if token.upper in RESERVED:
                raise self.unexpected(token)
            return FieldPath(tuple(token.text.split(".")), token)
        call = self.call(token)
        if isinstance(call, Aggregate) and call.arg is None:
            return call
        if self.token.kind == "IDENT" and self.token.upper not in RESERVED:
            alias = self.advance().text
            if isinstance(call, Aggregate):
                return Aggregate(call.function, call.arg, alias, call.token)
            if isinstance(call, DateFunction):
                return DateFunction(call.function, call.arg, alias, call.token)
            if isinstance(call, Grouping):
                return Grouping(call.arg, alias, call.token)
            return Wrapped(call.function, call.inner, alias, call.token)
        return call

    def call(self, token: Token) -> Call:
        """The function call whose name is ``token`` (the name is already read)."""
        name = token.upper
        self.expect("LPAREN")
        if name in AGGREGATES:
            arg = None
            if self.token.kind != "RPAREN" or name != "COUNT":
                arg = self.field_path()
            self.expect("RPAREN")
            return Aggregate(name, arg, None, token)
        if name in DATE_FUNCTIONS:
            converted = self.at("CONVERTTIMEZONE") and self.peek().kind == "LPAREN"
            if converted:
                self.advance()
                self.advance()
            arg = self.field_path()
            if converted:
                self.expect("RPAREN")
            self.expect("RPAREN")
            return DateFunction(name, arg, None, token)
        if name == "GROUPING":
            arg = self.field_path()
            self.expect("RPAREN")
            return Grouping(arg, None, token)
        if name in ("TOLABEL", "FORMAT"):
            inner: FieldPath | Call = self.field_path()
            if self.token.kind == "LPAREN" and name == "FORMAT":
                assert isinstance(inner, FieldPath)
                inner = self.call(inner.token)
            if isinstance(inner, (Grouping, Wrapped)):
                raise self.unexpected(inner.token)
            self.expect("RPAREN")
            return Wrapped(name, inner, None, token)
        raise self.unexpected(token)

    def field_path(self) -> FieldPath:
        token = self.expect("IDENT")
        if token.upper in RESERVED:
            raise self.unexpected(token)
        return FieldPath(tuple(token.text.split(".")), token)

    def _type_of(self, start: Token) -> TypeOf:
        relationship = self.expect("IDENT")
        if "." in relationship.text:
            raise self.unexpected(relationship)
        whens: list[tuple[Token, tuple[FieldPath, ...]]] = []
        while self.at("WHEN"):
            self.advance()
            sobject = self.expect("IDENT")
            self.expect_keyword("THEN")
            whens.append((sobject, self._fields()))
        otherwise: tuple[FieldPath, ...] = ()
        if self.at("ELSE"):
            self.advance()
            otherwise = self._fields()
        if not whens:
            raise self.unexpected()
        self.expect_keyword("END")
        return TypeOf(relationship, tuple(whens), otherwise, start)

    def _fields(self) -> tuple[FieldPath, ...]:
        fields = [self.field_path()]
        while self.token.kind == "COMMA":
            self.advance()
            fields.append(self.field_path())
        return tuple(fields)

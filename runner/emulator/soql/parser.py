"""SOQL tokens → a small syntax tree (the part of SOQL the embedded org answers).

The tree's node types live in ``ast``; the SELECT list is read by ``selectlist``
and literals by ``literals``. Syntax errors carry Salesforce's wording
(``unexpected token: 'X'``) and the row/column of the offending token. Names
are checked later, against the org's schema, by the translator.
"""

from __future__ import annotations

from runner.emulator.soql.ast import (
    Aggregate,
    Comparison,
    Condition,
    DateFunction,
    FieldPath,
    FieldsMacro,
    Grouping,
    GroupItem,
    Logical,
    Not,
    Operand,
    OrderItem,
    Query,
    SubQuery,
)
from runner.emulator.soql.lexer import Token
from runner.emulator.soql.selectlist import AGGREGATES, DATE_FUNCTIONS, RESERVED, SelectParser

MAX_CLAUSE_NUMBER = 2**31 - 1
MAX_ROLLUP_FIELDS = 3
SCOPES = frozenset(
    {
        "delegated", "everything", "mine", "mine_and_my_groups", "my_territory",
        "my_team_territory", "scopingrule", "team",
    }
)  # fmt: skip
__all__ = ["Aggregate", "FieldPath", "FieldsMacro", "Parser", "SubQuery", "parse"]


class Parser(SelectParser):
    """Recursive descent over the tokens of one query."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._in_having = False

    def parse(self) -> Query:
        query = self.query(nested=False)
        if self.token.kind != "EOF":
            raise self.unexpected()
        return query

    def query(self, *, nested: bool) -> Query:
        self.expect_keyword("SELECT")
        select = self.select_list(nested)
        self.expect_keyword("FROM")
        sobject = self.expect("IDENT")
        if "." in sobject.text:
            raise self.unexpected(sobject)
        alias = None
        if self.token.kind == "IDENT" and self.token.upper not in RESERVED:
            alias = self.advance().text
        scope = self._scope()
        where = self._where()
        self._ignored_with()
        mode, group_by = ("", ()) if nested else self._group_by()
        having = self._having() if group_by else None
        order_by = self._order_by()
        limit = self._number_clause("LIMIT")
        offset = None if nested else self._number_clause("OFFSET")
        self._ignored_for()
        return Query(
            select, sobject, alias, where, group_by, order_by, limit, offset, having, mode, scope
        )

    def _scope(self) -> Token | None:
        """``USING SCOPE mine``: whose records the query sees."""
        if not self.at("USING"):
            return None
        self.advance()
        self.expect_keyword("SCOPE")
        scope = self.expect("IDENT")
        if scope.text.lower() not in SCOPES:
            raise self.unexpected(scope)
        return scope

    def _having(self) -> Condition | None:
        if not self.at("HAVING"):
            return None
        self.advance()
        self._in_having = True
        try:
            return self._condition()
        finally:
            self._in_having = False

    def _ignored_with(self) -> None:
        """``WITH SECURITY_ENFORCED`` / ``USER_MODE`` / ``SYSTEM_MODE``: one user, nothing to do."""
        if self.at("WITH"):
            self.advance()
            if self.token.upper not in ("SECURITY_ENFORCED", "USER_MODE", "SYSTEM_MODE"):
                raise self.unexpected()
            self.advance()

    def _ignored_for(self) -> None:
        """``FOR VIEW`` / ``FOR REFERENCE`` / ``FOR UPDATE`` change nothing here."""
        if self.at("FOR"):
            self.advance()
            if self.token.upper not in ("VIEW", "REFERENCE", "UPDATE"):
                raise self.unexpected()
            self.advance()

    def _operand(self, *, aggregates: bool) -> Operand:
        """A field path or a date function; in HAVING and ORDER BY also an aggregate or
        ``GROUPING()``."""
        if self.token.kind == "IDENT" and self.peek().kind == "LPAREN":
            name = self.token.upper
            wanted = DATE_FUNCTIONS | (AGGREGATES | {"GROUPING"} if aggregates else frozenset())
            if name in wanted:
                call = self.call(self.advance())
                assert isinstance(call, (Aggregate, DateFunction, Grouping))
                return call
        return self.field_path()

    def _where(self) -> Condition | None:
        if not self.at("WHERE"):
            return None
        self.advance()
        return self._condition()

    def _condition(self) -> Condition:
        """Terms joined by one connector; SOQL rejects AND and OR mixed without parentheses."""
        items = [self._unary()]
        connector = None
        while self.at("AND", "OR"):
            if connector is not None and self.token.upper != connector:
                raise self.unexpected()
            connector = self.advance().upper
            items.append(self._unary())
        return items[0] if connector is None else Logical(connector, tuple(items))

    def _unary(self) -> Condition:
        if self.at("NOT"):
            self.advance()
            return Not(self._unary())
        if self.token.kind == "LPAREN":
            self.advance()
            inner = self._condition()
            self.expect("RPAREN")
            return inner
        return self._comparison()

    def _comparison(self) -> Comparison:
        field = self._operand(aggregates=self._in_having)
        token = self.token
        if token.kind == "OP":
            self.advance()
            op = "!=" if token.text == "<>" else token.text
            return Comparison(field, op, self.literal(), token)
        if self.at("LIKE"):
            self.advance()
            return Comparison(field, "LIKE", self.literal(), token)
        negated = self.at("NOT")
        if negated:
            self.advance()
        if self.at("IN"):
            self.advance()
            op = "NOT IN" if negated else "IN"
            if self.token.kind == "LPAREN" and self.peek().upper == "SELECT":
                start = self.advance()
                inner = self.query(nested=True)
                self.expect("RPAREN")
                return Comparison(field, op, SubQuery(inner, start), token)
            return Comparison(field, op, self.literal_list(), token)
        raise self.unexpected()

    def _group_by(self) -> tuple[str, tuple[GroupItem, ...]]:
        """``GROUP BY a, b``, ``GROUP BY ROLLUP(a, b)`` or ``CUBE(a, b)`` (up to 3 fields)."""
        if not self.at("GROUP"):
            return "", ()
        self.advance()
        self.expect_keyword("BY")
        mode = ""
        if self.at("ROLLUP", "CUBE") and self.peek().kind == "LPAREN":
            mode = self.advance().upper
            self.advance()
        items = [self._group_item()]
        while self.token.kind == "COMMA":
            self.advance()
            items.append(self._group_item())
        if mode:
            if len(items) > MAX_ROLLUP_FIELDS:
                raise self.unexpected(self.token)
            self.expect("RPAREN")
        return mode, tuple(items)

    def _group_item(self) -> GroupItem:
        item = self._operand(aggregates=False)
        assert isinstance(item, (FieldPath, DateFunction))
        return item

    def _order_by(self) -> tuple[OrderItem, ...]:
        if not self.at("ORDER"):
            return ()
        self.advance()
        self.expect_keyword("BY")
        items = [self._order_item()]
        while self.token.kind == "COMMA":
            self.advance()
            items.append(self._order_item())
        return tuple(items)

    def _order_item(self) -> OrderItem:
        field = self._operand(aggregates=True)
        descending = False
        if self.at("ASC", "DESC"):
            descending = self.advance().upper == "DESC"
        nulls_first = None
        if self.at("NULLS"):
            self.advance()
            if not self.at("FIRST", "LAST"):
                raise self.unexpected()
            nulls_first = self.advance().upper == "FIRST"
        return OrderItem(field, descending, nulls_first)

    def _number_clause(self, keyword: str) -> int | None:
        if not self.at(keyword):
            return None
        self.advance()
        token = self.expect("NUMBER")
        if not token.text.isdigit() or int(token.text) > MAX_CLAUSE_NUMBER:
            raise self.unexpected(token)
        return int(token.text)


def parse(text: str) -> Query:
    """Parse one SOQL query; RestApiError MALFORMED_QUERY with the caret preamble on error."""
    return Parser(text).parse()

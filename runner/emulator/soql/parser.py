"""SOQL tokens → a small syntax tree (the subset the embedded org answers).

The tree's node types live in ``soql_ast`` (re-exported here). Syntax errors
carry Salesforce's wording (``unexpected token: 'X'``) and the
row/column of the offending token. Names are checked later, against metadata,
by the translator in ``soql``.
"""

from __future__ import annotations

from runner.emulator.errors import RestApiError, soql_error
from runner.emulator.soql.ast import (
    Aggregate,
    Comparison,
    Condition,
    FieldPath,
    FieldsMacro,
    Literal,
    Logical,
    Not,
    OrderItem,
    Query,
    SelectItem,
    SubQuery,
)
from runner.emulator.soql.lexer import Lexer, Token

MAX_EXACT_INT = 2**53  # larger integers compare as floats, as SQLite stores them
MAX_CLAUSE_NUMBER = 2**31 - 1
AGGREGATES = frozenset({"COUNT", "COUNT_DISTINCT", "MIN", "MAX", "SUM", "AVG"})
RESERVED = frozenset(
    {
        "SELECT", "FROM", "WHERE", "ORDER", "GROUP", "BY", "LIMIT", "OFFSET", "AND", "OR", "NOT",
        "ASC", "DESC", "NULLS", "FIRST", "LAST", "IN", "LIKE", "WITH", "FOR", "USING", "HAVING",
        "TRUE", "FALSE", "NULL", "INCLUDES", "EXCLUDES", "ROLLUP", "CUBE",
    }
)  # fmt: skip
DATE_LITERALS = frozenset(
    {
        "TODAY", "YESTERDAY", "TOMORROW", "LAST_WEEK", "THIS_WEEK", "NEXT_WEEK", "LAST_MONTH",
        "THIS_MONTH", "NEXT_MONTH", "LAST_YEAR", "THIS_YEAR", "NEXT_YEAR", "LAST_90_DAYS",
        "NEXT_90_DAYS",
    }
)  # fmt: skip
DATE_LITERALS_N = frozenset(
    {
        "LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO", "LAST_N_WEEKS", "NEXT_N_WEEKS",
        "LAST_N_MONTHS", "NEXT_N_MONTHS", "LAST_N_YEARS", "NEXT_N_YEARS",
    }
)  # fmt: skip


class Parser:
    """Recursive descent over the tokens of one query."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lexer = Lexer(text)
        self.tokens = self.lexer.tokens()
        self.pos = 0
        self._in_having = False

    # -- token helpers -----------------------------------------------------------------------

    @property
    def token(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != "EOF":
            self.pos += 1
        return token

    def at(self, *keywords: str) -> bool:
        return self.token.upper in keywords

    def unexpected(self, token: Token | None = None) -> RestApiError:
        token = token or self.token
        return soql_error(
            "MALFORMED_QUERY", self.text, token.row, token.col, f"unexpected token: '{token.text}'"
        )

    def expect_keyword(self, keyword: str) -> Token:
        if not self.at(keyword):
            raise self.unexpected()
        return self.advance()

    def expect(self, kind: str) -> Token:
        if self.token.kind != kind:
            raise self.unexpected()
        return self.advance()

    # -- grammar -----------------------------------------------------------------------------

    def parse(self) -> Query:
        query = self._query(nested=False)
        if self.token.kind != "EOF":
            raise self.unexpected()
        return query

    def _query(self, *, nested: bool) -> Query:
        self.expect_keyword("SELECT")
        select = self._select_list(nested)
        self.expect_keyword("FROM")
        sobject = self.expect("IDENT")
        if "." in sobject.text:
            raise self.unexpected(sobject)
        alias = None
        if self.token.kind == "IDENT" and self.token.upper not in RESERVED:
            alias = self.advance().text
        where = self._where()
        self._ignored_with()
        group_by = () if nested else self._group_by()
        having = self._having() if group_by else None
        order_by = self._order_by()
        limit = self._number_clause("LIMIT")
        offset = None if nested else self._number_clause("OFFSET")
        self._ignored_for()
        return Query(select, sobject, alias, where, group_by, order_by, limit, offset, having)

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

    def _select_list(self, nested: bool) -> tuple[SelectItem, ...]:
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
            query = self._query(nested=True)
            self.expect("RPAREN")
            return SubQuery(query, start)
        token = self.expect("IDENT")
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
        call = self._aggregate_call(token)
        if call.arg is not None and self.token.kind == "IDENT" and self.token.upper not in RESERVED:
            return Aggregate(call.function, call.arg, self.advance().text, token)
        return call

    def _aggregate_call(self, token: Token) -> Aggregate:
        """``COUNT()``, ``MAX(Amount)``…: the call after its name ``token``."""
        if token.upper not in AGGREGATES:
            raise self.unexpected(token)
        self.expect("LPAREN")
        arg = None
        if self.token.kind != "RPAREN" or token.upper != "COUNT":
            arg = self._field_path()
        self.expect("RPAREN")
        return Aggregate(token.upper, arg, None, token)

    def _operand(self, *, aggregates: bool) -> FieldPath | Aggregate:
        """A field path, or (in HAVING and ORDER BY) an aggregate call."""
        if aggregates and self.token.kind == "IDENT" and self.tokens[self.pos + 1].kind == "LPAREN":
            return self._aggregate_call(self.advance())
        return self._field_path()

    def _field_path(self) -> FieldPath:
        token = self.expect("IDENT")
        if token.upper in RESERVED:
            raise self.unexpected(token)
        return FieldPath(tuple(token.text.split(".")), token)

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
            return Comparison(field, op, self._literal(), token)
        if self.at("LIKE"):
            self.advance()
            return Comparison(field, "LIKE", self._literal(), token)
        negated = self.at("NOT")
        if negated:
            self.advance()
        if self.at("IN"):
            self.advance()
            op = "NOT IN" if negated else "IN"
            if self.token.kind == "LPAREN" and self.tokens[self.pos + 1].upper == "SELECT":
                start = self.advance()
                inner = self._query(nested=True)
                self.expect("RPAREN")
                return Comparison(field, op, SubQuery(inner, start), token)
            return Comparison(field, op, self._literal_list(), token)
        raise self.unexpected()

    def _literal_list(self) -> tuple[Literal, ...]:
        self.expect("LPAREN")
        values = [self._literal()]
        while self.token.kind == "COMMA":
            self.advance()
            values.append(self._literal())
        self.expect("RPAREN")
        return tuple(values)

    def _literal(self) -> Literal:
        token = self.token
        if token.kind == "STRING":
            self.advance()
            return Literal("string", token.value, token, like=token.like)
        if token.kind == "NUMBER":
            self.advance()
            number = float(token.text)
            exact = number.is_integer() and abs(number) < MAX_EXACT_INT
            return Literal("number", int(number) if exact else number, token)
        if token.kind in ("DATE", "DATETIME"):
            self.advance()
            return Literal(token.kind.lower(), token.text, token)
        if token.kind == "IDENT":
            return self._word_literal(token)
        raise self.unexpected()

    def _word_literal(self, token: Token) -> Literal:
        word = token.upper
        if word in ("TRUE", "FALSE"):
            self.advance()
            return Literal("boolean", word == "TRUE", token)
        if word == "NULL":
            self.advance()
            return Literal("null", None, token)
        if word in DATE_LITERALS:
            self.advance()
            return Literal("dateliteral", word, token)
        if word in DATE_LITERALS_N:
            self.advance()
            self.expect("COLON")
            number = self.expect("NUMBER")
            if not number.text.isdigit():
                raise self.unexpected(number)
            return Literal("dateliteral", word, token, n=int(number.text))
        raise self.unexpected()

    def _group_by(self) -> tuple[FieldPath, ...]:
        if not self.at("GROUP"):
            return ()
        self.advance()
        self.expect_keyword("BY")
        fields = [self._field_path()]
        while self.token.kind == "COMMA":
            self.advance()
            fields.append(self._field_path())
        return tuple(fields)

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

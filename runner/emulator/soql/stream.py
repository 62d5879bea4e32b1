"""A cursor over the tokens of one query, with Salesforce's wording for syntax errors."""

from __future__ import annotations

from runner.emulator.errors import RestApiError, soql_error
from runner.emulator.soql.lexer import Lexer, Token


class TokenStream:
    """The tokens of ``text`` and the position of the next one."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = Lexer(text).tokens()
        self.pos = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, ahead: int = 1) -> Token:
        """The token ``ahead`` places after the current one (the EOF token at the end)."""
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

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

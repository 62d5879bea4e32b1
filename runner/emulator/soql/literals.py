"""SOQL literals in WHERE and HAVING: strings, numbers, booleans, null, dates and date literals."""

from __future__ import annotations

from runner.emulator.soql.ast import Literal
from runner.emulator.soql.lexer import Token
from runner.emulator.soql.stream import TokenStream

MAX_EXACT_INT = 2**53  # larger integers compare as floats, as SQLite stores them
_UNITS = ("WEEK", "MONTH", "QUARTER", "YEAR", "FISCAL_QUARTER", "FISCAL_YEAR")
DATE_LITERALS = frozenset(
    {"TODAY", "YESTERDAY", "TOMORROW", "LAST_90_DAYS", "NEXT_90_DAYS"}
    | {f"{when}_{unit}" for when in ("LAST", "THIS", "NEXT") for unit in _UNITS}
)
DATE_LITERALS_N = frozenset(
    {"LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO"}
    | {f"{form}_{unit}S" for form in ("LAST_N", "NEXT_N") for unit in _UNITS}
    | {f"N_{unit}S_AGO" for unit in _UNITS}
)


class LiteralParser(TokenStream):
    """Reads one literal, or a parenthesised list of them."""

    def literal_list(self) -> tuple[Literal, ...]:
        self.expect("LPAREN")
        values = [self.literal()]
        while self.token.kind == "COMMA":
            self.advance()
            values.append(self.literal())
        self.expect("RPAREN")
        return tuple(values)

    def literal(self) -> Literal:
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

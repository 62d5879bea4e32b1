"""The search expression inside ``FIND {…}``, and matching it against a record's text.

Words and record text are split the way Salesforce's search index splits them:
at spaces and punctuation and where letters turn to digits, case-insensitively.
A word that splits into several pieces (``jane@acme.test``) matches them in
sequence, like a phrase. ``*`` stands for any characters, ``?`` for one.
Adjacent terms must all match (an implicit ``AND``); ``OR`` and ``AND NOT``
combine terms, parentheses group them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from runner.emulator.errors import RestApiError, soql_error

_TEXT_TOKEN = re.compile(r"\d+|[^\W\d_]+")
_TERM_TOKEN = re.compile(r"(?:\d|[*?])+|(?:[^\W\d_]|[*?])+")
_PIECE = re.compile(r'\s+|\(|\)|"(?:\\.|[^"\\])*"?|(?:\\.|[^\s()"\\])+')
MIN_TERM = 2

Fields = Sequence[Sequence[str]]


def malformed(text: str, offset: int, message: str, code: str = "MALFORMED_SEARCH") -> RestApiError:
    """A SOSL error with the caret preamble (0-based column, as Salesforce's SOSL errors)."""
    before = text[:offset]
    row = before.count("\n") + 1
    column = offset - (before.rfind("\n") + 1)
    return soql_error(code, text, row, max(column, 1), message)


def tokens(text: str) -> list[str]:
    """Index tokens of a field value."""
    return _TEXT_TOKEN.findall(text.lower())


@dataclass(frozen=True)
class Word:
    """A word or phrase: consecutive tokens, each a compiled pattern."""

    patterns: tuple[re.Pattern[str], ...]

    def matches(self, fields: Fields) -> bool:
        size = len(self.patterns)
        for words in fields:
            for start in range(len(words) - size + 1):
                if all(p.fullmatch(words[start + i]) for i, p in enumerate(self.patterns)):
                    return True
        return False


@dataclass(frozen=True)
class Both:
    items: tuple[Term, ...]

    def matches(self, fields: Fields) -> bool:
        return all(item.matches(fields) for item in self.items)


@dataclass(frozen=True)
class Either:
    items: tuple[Term, ...]

    def matches(self, fields: Fields) -> bool:
        return any(item.matches(fields) for item in self.items)


@dataclass(frozen=True)
class Without:
    item: Term

    def matches(self, fields: Fields) -> bool:
        return not self.item.matches(fields)


Term = Word | Both | Either | Without


def _pattern(token: str) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in token)
    return re.compile(body)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


class _Parser:
    def __init__(self, sosl: str, raw: str, at: int) -> None:
        self.sosl = sosl
        self.at = at
        self.pieces = [(m.group(), m.start()) for m in _PIECE.finditer(raw) if m.group().strip()]
        self.index = 0

    def error(self, offset: int, message: str) -> RestApiError:
        return malformed(self.sosl, self.at + offset, message)

    def peek(self) -> str:
        return self.pieces[self.index][0] if self.index < len(self.pieces) else ""

    def take(self) -> tuple[str, int]:
        piece = self.pieces[self.index]
        self.index += 1
        return piece

    def expression(self) -> Term:
        items = [self.conjunction()]
        while self.peek().upper() == "OR":
            self.take()
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else Either(tuple(items))

    def conjunction(self) -> Term:
        items = [self.unary()]
        while self.peek() and self.peek() != ")" and self.peek().upper() != "OR":
            if self.peek().upper() == "AND":
                self.take()
                if self.peek().upper() == "NOT":
                    self.take()
                    items.append(Without(self.unary()))
                    continue
            items.append(self.unary())
        return items[0] if len(items) == 1 else Both(tuple(items))

    def unary(self) -> Term:
        if not self.peek():
            end = len(self.pieces[-1][0]) + self.pieces[-1][1] if self.pieces else 0
            raise self.error(end, "unexpected token: '<EOF>'")
        piece, offset = self.take()
        if piece == "(":
            inner = self.expression()
            if self.peek() != ")":
                raise self.error(offset, "unexpected token: '('")
            self.take()
            return inner
        if piece == ")" or piece.upper() in ("AND", "OR", "NOT"):
            raise self.error(offset, f"unexpected token: '{piece}'")
        text = piece[1:-1] if piece.startswith('"') and len(piece) > 1 else piece
        words = _TERM_TOKEN.findall(_unescape(text).lower())
        if not words or len(re.sub(r"[*?]", "", "".join(words))) < MIN_TERM:
            message = f"search term must be longer than one character: {_unescape(text)}"
            raise RestApiError(400, "INVALID_SEARCH", message)
        return Word(tuple(_pattern(w) for w in words))


def parse_terms(sosl: str, raw: str, at: int) -> Term:
    """The term expression of ``FIND {raw}`` (``raw`` starts at offset ``at`` of ``sosl``)."""
    parser = _Parser(sosl, raw, at)
    if not parser.pieces:
        raise RestApiError(400, "MALFORMED_SEARCH", "No search term found. The search term must "
                           "be enclosed in braces.")  # fmt: skip
    term = parser.expression()
    if parser.peek():
        piece, offset = parser.take()
        raise parser.error(offset, f"unexpected token: '{piece}'")
    return term

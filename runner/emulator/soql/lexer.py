"""SOQL text → tokens, each knowing its row and column for the caret in error messages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from runner.emulator.errors import RestApiError, soql_error

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "'": "'", '"': '"', "\\": "\\"}
_PATTERNS = [
    ("DATETIME", r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})"),
    ("DATE", r"\d{4}-\d{2}-\d{2}(?![\w:])"),
    ("NUMBER", r"[+-]?(?:\d+\.?\d*|\.\d+)(?![\w.])"),
    ("IDENT", r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"),
    ("OP", r"!=|<>|<=|>=|=|<|>"),
    ("COMMA", r","),
    ("LPAREN", r"\("),
    ("RPAREN", r"\)"),
    ("COLON", r":"),
]
_TOKEN = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _PATTERNS))
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Token:
    """One token; a string keeps its ``value`` and its LIKE pattern ``like`` (``\\`` escapes)."""

    kind: str
    text: str
    row: int
    col: int
    value: str = ""
    like: str = ""

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "IDENT" else ""


class Lexer:
    """Splits one query; ``tokens()`` ends with an EOF token."""

    def __init__(self, query: str) -> None:
        self.query = query
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(query) if ch == "\n"]

    def where(self, offset: int) -> tuple[int, int]:
        """1-based (row, column) of a character offset."""
        row = max(i for i, start in enumerate(self._line_starts) if start <= offset)
        return row + 1, offset - self._line_starts[row] + 1

    def error(self, offset: int, text: str, code: str = "MALFORMED_QUERY") -> RestApiError:
        row, col = self.where(offset)
        return soql_error(code, self.query, row, col, text)

    def tokens(self) -> list[Token]:
        out: list[Token] = []
        pos = 0
        while True:
            space = _SPACE.match(self.query, pos)
            if space:
                pos = space.end()
            if pos >= len(self.query):
                row, col = self.where(pos)
                out.append(Token("EOF", "<EOF>", row, col))
                return out
            if self.query[pos] == "'":
                token, pos = self._string(pos)
                out.append(token)
                continue
            match = _TOKEN.match(self.query, pos)
            if not match or not match.lastgroup:
                raise self.error(pos, f"no viable alternative at character '{self.query[pos]}'")
            row, col = self.where(pos)
            out.append(Token(match.lastgroup, match.group(), row, col))
            pos = match.end()

    def _string(self, start: int) -> tuple[Token, int]:
        """A quoted literal with SOQL escapes; ``\\%`` and ``\\_`` stay literal in LIKE."""
        value: list[str] = []
        like: list[str] = []
        pos = start + 1
        while pos < len(self.query):
            char = self.query[pos]
            if char == "'":
                row, col = self.where(start)
                text = self.query[start : pos + 1]
                return Token("STRING", text, row, col, "".join(value), "".join(like)), pos + 1
            if char == "\\":
                pos += 1
                escaped = self.query[pos] if pos < len(self.query) else ""
                if escaped in ("%", "_"):
                    value.append("\\" + escaped)
                    like.append("\\" + escaped)
                elif escaped in _ESCAPES:
                    value.append(_ESCAPES[escaped])
                    like.append("\\\\" if escaped == "\\" else _ESCAPES[escaped])
                else:
                    raise self.error(
                        pos - 1,
                        "Invalid string literal '\\" + escaped + "'. "
                        "Illegal character sequence '\\" + escaped + "' in string "
                        "literal.",
                    )
            else:
                value.append(char)
                like.append(char)
            pos += 1
        raise self.error(len(self.query), "mismatched character '<EOF>' expecting '''")

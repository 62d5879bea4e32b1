"""SOSL text → a search: the term expression, the field scope, and one SOQL query per object.

``FIND {terms} [IN ALL|NAME|EMAIL|PHONE|SIDEBAR FIELDS] [RETURNING Obj[(fields
[WHERE …] [ORDER BY …] [LIMIT n] [OFFSET n])], …] [WITH …] [LIMIT n]``. The
braces hold words (``*`` and ``?`` wildcards), ``"phrases"``, ``AND``, ``OR``,
``AND NOT`` and parentheses; reserved characters need a backslash, else the
search is refused with ``MALFORMED_SEARCH`` as Salesforce does. What sits in an
object's parentheses is SOQL and is checked by the SOQL compiler, its errors
pointing back into the search text. Columns in SOSL errors are 0-based, as in
Salesforce's own (``FIND {name} IN ALL TYPE`` → ``Column:19``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from runner.emulator.errors import RestApiError
from runner.emulator.sosl_terms import Term, malformed, parse_terms

SCOPES = ("ALL", "NAME", "EMAIL", "PHONE", "SIDEBAR")
MAX_LIMIT = 2000
MAX_LENGTH = 10_000
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+|\S")
_SPACE = re.compile(r"\s*")
_ROW_COLUMN = re.compile(r"ERROR at Row:(\d+):Column:(\d+)\n")


@dataclass(frozen=True)
class Returning:
    """One object of ``RETURNING``: its name, and the SOQL that lists its fields and filters."""

    name: str
    soql: str
    segments: tuple[tuple[int, int, int], ...]  # (offset in soql, offset in sosl, length)


@dataclass
class Search:
    """A parsed SOSL statement."""

    text: str
    terms: Term
    scope: str = "ALL"
    returning: list[Returning] = field(default_factory=list)
    limit: int = MAX_LIMIT


class _Reader:
    """Walks the SOSL text outside the braces, word by word."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip(self) -> None:
        self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def peek(self) -> tuple[str, int]:
        self.skip()
        found = _WORD.match(self.text, self.pos)
        return (found.group(), self.pos) if found else ("", self.pos)

    def take(self) -> tuple[str, int]:
        word, at = self.peek()
        self.pos = at + len(word)
        return word, at

    def expect(self, wanted: str) -> int:
        word, at = self.take()
        if word.upper() != wanted:
            shown = word or "<EOF>"
            raise malformed(self.text, at, f"unexpected token: '{shown}'")
        return at

    def braces(self) -> tuple[str, int]:
        """The raw text between ``{`` and its unescaped ``}``; errors for reserved characters."""
        start = self.expect("{") + 1
        pos = start
        while pos < len(self.text):
            char = self.text[pos]
            if char == "\\":
                pos += 2
                continue
            if char == "}":
                self.pos = pos + 1
                return self.text[start:pos], start
            if char in "{[]^~|&!:":
                raise malformed(
                    self.text, pos, f"line 1:{pos} mismatched character '{char}' expecting '}}'"
                )
            pos += 1
        raise malformed(
            self.text,
            len(self.text),
            f"line 1:{len(self.text)} mismatched character '<EOF>' expecting '}}'",
        )

    def parenthesized(self) -> tuple[str, int]:
        """The raw text of a balanced ``( … )`` group (quotes respected), without the parens."""
        start = self.expect("(") + 1
        depth, pos, quoted = 1, start, False
        while pos < len(self.text):
            char = self.text[pos]
            if quoted and char == "\\":
                pos += 2
                continue
            if char == "'":
                quoted = not quoted
            elif not quoted and char == "(":
                depth += 1
            elif not quoted and char == ")":
                depth -= 1
                if depth == 0:
                    self.pos = pos + 1
                    return self.text[start:pos], start
            pos += 1
        raise malformed(self.text, len(self.text), "unexpected token: '<EOF>'")


def parse(text: str) -> Search:
    """Parse one SOSL statement; MALFORMED_SEARCH (or INVALID_SEARCH) as Salesforce words them."""
    if not text.strip():
        raise RestApiError(400, "MALFORMED_SEARCH", "No search term found. The search term must "
                           "be enclosed in braces.")  # fmt: skip
    if len(text) > MAX_LENGTH:
        raise RestApiError(400, "MALFORMED_SEARCH", "Search query is too long")
    reader = _Reader(text)
    reader.expect("FIND")
    raw, at = reader.braces()
    search = Search(text, parse_terms(text, raw, at))
    word, pos = reader.peek()
    if word.upper() == "IN":
        reader.take()
        scope, pos = reader.take()
        if scope.upper() not in SCOPES:
            raise malformed(text, pos, f"Malformed search token: {scope}")
        search.scope = scope.upper()
        fields, pos = reader.take()
        if fields.upper() != "FIELDS":
            raise malformed(text, pos, f"Malformed search token: {fields or '<EOF>'}")
        word, pos = reader.peek()
    if word.upper() == "RETURNING":
        reader.take()
        search.returning = _returning(reader)
        word, pos = reader.peek()
    while word.upper() in ("WITH", "UPDATE"):
        word, pos = _skip_clause(reader)
    if word.upper() == "LIMIT":
        reader.take()
        number, pos = reader.take()
        if not number.isdigit():
            raise malformed(text, pos, f"unexpected token: '{number or '<EOF>'}'")
        search.limit = min(int(number), MAX_LIMIT)
        word, pos = reader.peek()
    if word:
        raise malformed(text, pos, f"unexpected token: '{word}'")
    return search


def _skip_clause(reader: _Reader) -> tuple[str, int]:
    """``WITH …`` / ``UPDATE …`` clauses are accepted and have no effect here."""
    reader.take()
    while True:
        word, pos = reader.peek()
        if not word or word.upper() in ("LIMIT", "WITH", "UPDATE"):
            return word, pos
        if word == "{":
            reader.braces()
        elif word == "(":
            reader.parenthesized()
        elif word == "'":
            end = reader.text.find("'", pos + 1)
            reader.pos = len(reader.text) if end < 0 else end + 1
        else:
            reader.take()


def _returning(reader: _Reader) -> list[Returning]:
    items = []
    while True:
        name, at = reader.take()
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise malformed(reader.text, at, f"unexpected token: '{name or '<EOF>'}'")
        if reader.peek()[0] == "(":
            body, body_at = reader.parenthesized()
            items.append(_object_query(name, at, body, body_at))
        else:
            soql = f"SELECT Id FROM {name}"
            items.append(Returning(name, soql, ((15, at, len(name)),)))
        if reader.peek()[0] != ",":
            return items
        reader.take()


def _object_query(name: str, name_at: int, body: str, body_at: int) -> Returning:
    """``Obj(A, B WHERE …)`` → ``SELECT A, B FROM Obj WHERE …`` with offsets back into SOSL."""
    keyword = re.search(r"\b(WHERE|ORDER\s+BY|LIMIT|OFFSET|USING|WITH)\b", body, re.IGNORECASE)
    split = keyword.start() if keyword else len(body)
    fields, tail = body[:split].rstrip(), body[split:]
    if not fields.strip():
        fields = "Id"
    head = f"SELECT {fields} FROM {name} "
    soql = head + tail
    segments = (
        (7, body_at, len(fields)),
        (len(f"SELECT {fields} FROM "), name_at, len(name)),
        (len(head), body_at + split, len(tail)),
    )
    return Returning(name, soql, segments)


def remap(error: RestApiError, search: Search, item: Returning) -> RestApiError:
    """A SOQL error about an object's query, pointed at the same spot of the search text."""
    found = _ROW_COLUMN.search(error.message)
    if found is None:
        return error
    lines = item.soql.split("\n")
    row, column = int(found.group(1)), int(found.group(2))
    offset = sum(len(line) + 1 for line in lines[: row - 1]) + column - 1
    target = item.segments[-1][1]
    for soql_at, sosl_at, length in item.segments:
        if soql_at <= offset <= soql_at + length:
            target = sosl_at + (offset - soql_at)
            break
    text = error.message[found.end() :]
    return malformed(search.text, target, text, error.error_code)

"""The registry of secret values, and the masking every output goes through.

A secret is registered the moment it exists (key PEM read, passphrase taken
from the environment, assertion signed, token received); every reporter then
passes its text through :func:`redact`.  Registered values are masked whatever
their length, in the forms a server or a template may echo them back
(JSON-escaped, URL-encoded, HTML-escaped, base64 at any alignment, wrapped into
lines); a few patterns (Salesforce access tokens, JWTs, PEM private key blocks,
``Bearer``/``assertion=`` values) are a safety net for secrets that reached some
text before anyone registered them.

Each run has its own registry (``runner.context`` starts one per run and makes it
current with :func:`use`); the module functions register into and mask with the
current one, so two runs in one process never see each other's secrets. Code
outside any run (a library caller, a unit test) shares one default registry.

Matching uses Aho-Corasick automata (``pyahocorasick``): one pass over the text
finds every registered form at once, so masking costs the same with one secret
or a thousand.  Automata are rebuilt lazily and in tiers of doubling size, so a
run that registers a token per org rebuilds O(total · log total), not O(total²).
"""

from __future__ import annotations

import base64
import bisect
import html
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

import ahocorasick

MASK = "***"
_PEM_LINE_MIN = 16
_SHIFTED_BASE64_MIN = 8
"""A secret seen inside a longer base64 text at another alignment: only long enough ones."""
_LINE_BREAK = re.compile(r"\r\n?[ \t]*|\n[ \t]*")

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----(?:.*?-----END [A-Z ]*PRIVATE KEY-----|.*\Z)",
            re.DOTALL,
        ),
        MASK,
    ),
    (re.compile(r"00D\w{12,15}![.\w]+"), MASK),
    (re.compile(r"eyJ[\w-]*\.eyJ[\w-]*\.[\w-]*"), MASK),
    # a shell variable ($SF_ACCESS_TOKEN in a -v curl line) names a token, it is not one;
    # a backslash ends a token too, so a JSON-escaped quote after one stays intact
    (re.compile(r"(?i)\b(bearer)([ \t]+)(?!\*\*\*|\$\{?[A-Za-z_]\w*\}?(?:[\s\"',;&\\]|\Z))"
                r"[^\s\"',;&\\]+"), r"\1\2" + MASK),
    (re.compile(r"(?i)\b(assertion=)(?!\*\*\*)[^&\s\"']+"), r"\1" + MASK),
    (re.compile(r"(?i)(\"access_token\"\s*:\s*\")(?!\*\*\*)[^\"]+"), r"\1" + MASK),
    (re.compile(r"(?i)\b(access_token=)(?!\*\*\*)[^&\s\"']+"), r"\1" + MASK),
)


def _base64_forms(raw: bytes) -> set[str]:
    """The secret's base64 (standard and URL-safe) at each of the three byte alignments.

    Only the characters that depend on the secret's bytes alone are kept, so the
    form is found inside a longer base64 text too.
    """
    found: set[str] = set()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw).decode("ascii")
        start, end = (shift * 8 + 5) // 6, ((shift + len(raw)) * 8) // 6
        form = encoded[start:end]
        if shift == 0 or len(form) >= _SHIFTED_BASE64_MIN:
            found.update({form, form.replace("+", "-").replace("/", "_")})
    return found


def _forms(value: str) -> set[str]:
    """The forms a secret takes in output: as is, escaped or encoded, and each long PEM line."""
    raw = value.encode("utf-8", "surrogatepass")  # environment values may hold lone surrogates
    escaped = json.dumps(value)[1:-1]
    found = {
        value,
        escaped,
        escaped.replace("/", "\\/"),
        json.dumps(value, ensure_ascii=False)[1:-1],
        quote(raw, safe=""),
        quote_plus(raw),
        html.escape(value),
        html.escape(value, quote=False),
        *_base64_forms(raw),
    }
    if "\n" in value or "\r" in value:
        found.update(
            line.strip() for line in value.splitlines() if len(line.strip()) >= _PEM_LINE_MIN
        )
    squeezed = {_squeeze(form) for form in found}
    # after a line break the text loses its indentation, and so must a form that starts with it
    return (squeezed | {form.lstrip(" \t") for form in squeezed}) - {""}


def _squeeze(text: str) -> str:
    """Text with its line breaks (and the indentation after them) taken out."""
    return _LINE_BREAK.sub("", text)


@dataclass(frozen=True)
class _Tier:
    """An automaton over some of the registered forms; ``size`` is their total length."""

    automaton: Any
    size: int


def _tier(forms: frozenset[str] | set[str]) -> _Tier:
    automaton = ahocorasick.Automaton()
    for form in forms:
        automaton.add_word(form, len(form))
    automaton.make_automaton()
    return _Tier(automaton, sum(map(len, forms)))


class _Squeezed:
    """A text without its line breaks, and the way back to the original's positions."""

    def __init__(self, text: str) -> None:
        self.starts: list[int] = []  # where each piece starts in the squeezed text
        self.origins: list[int] = []  # ... and in the original
        pieces, at, length = [], 0, 0
        for match in _LINE_BREAK.finditer(text):
            self.starts.append(length)
            self.origins.append(at)
            pieces.append(text[at:match.start()])
            length += match.start() - at
            at = match.end()
        self.starts.append(length)
        self.origins.append(at)
        pieces.append(text[at:])
        self.text = "".join(pieces)

    def original(self, position: int) -> int:
        piece = bisect.bisect_right(self.starts, position) - 1
        return self.origins[piece] + position - self.starts[piece]


class SecretRegistry:
    """A thread-safe set of secret values with a masking function over them.

    ``add`` (rare) records forms; the first ``redact`` after it of a text long enough
    to hold one of them folds them into the tiers under the lock (a fleet logging in
    adds secrets while its short step names are printed: those need no new tier).
    ``redact`` (frequent) otherwise only reads the current tuple of tiers, which is
    replaced, never changed.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._pending: set[str] = set()
        self._pending_shortest = 0  # the length of the shortest pending form
        self._tiers: tuple[_Tier, ...] = ()
        self._longest = 0

    def add(self, value: str | bytes | None) -> None:
        """Register a secret, whatever its length; ``None`` and blank values are ignored."""
        if value is None:
            return
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        if not text.strip() or text in self._values:  # known: its forms were added with it
            return
        forms = _forms(text) | {text}
        with self._lock:
            new = forms - self._values
            if new:
                shortest = min(map(len, new))
                if self._pending:
                    shortest = min(shortest, self._pending_shortest)
                self._values |= new
                self._pending |= new
                self._pending_shortest = shortest
                self._longest = max(self._longest, *map(len, new))

    def __contains__(self, value: object) -> bool:
        return value in self._values

    def __len__(self) -> int:
        return len(self._values)

    def _current(self) -> tuple[_Tier, ...]:
        if not self._pending:
            return self._tiers
        with self._lock:
            if self._pending:
                tiers = [*self._tiers, _tier(self._pending)]
                words = [set(self._pending)]
                self._pending = set()
                self._tiers = self._merged(tiers, words)
            return self._tiers

    def _merged(self, tiers: list[_Tier], newest: list[set[str]]) -> tuple[_Tier, ...]:
        """Merge the newest tier into older ones while they are no more than twice its size."""
        while len(tiers) >= 2 and tiers[-2].size <= 2 * tiers[-1].size:
            tiers.pop()
            older = tiers.pop()
            words = newest.pop()
            words |= set(older.automaton.keys())
            tiers.append(_tier(words))
            newest.append(words)
        return tuple(tiers)

    def _spans(self, text: str) -> list[tuple[int, int]]:
        # no pending form fits in a shorter text: the tiers already made are enough
        tiers = self._current() if len(text) >= self._pending_shortest else self._tiers
        if not tiers:
            return []
        squeezed = _Squeezed(text) if ("\n" in text or "\r" in text) else None
        haystack = squeezed.text if squeezed else text
        spans = []
        for tier in tiers:
            for end, length in tier.automaton.iter_long(haystack):
                start, stop = end - length + 1, end + 1
                if squeezed is not None:
                    start, stop = squeezed.original(start), squeezed.original(stop - 1) + 1
                spans.append((start, stop))
        return spans

    def redact(self, text: str) -> str:
        """Replace every registered value and every secret-looking pattern with ``***``."""
        if not text:
            return text
        spans = sorted(self._spans(text))
        if spans:
            pieces, at = [], 0
            for start, stop in spans:
                if stop <= at:
                    continue
                if start >= at:
                    pieces.append(text[at:start])
                    pieces.append(MASK)
                at = stop
            pieces.append(text[at:])
            text = "".join(pieces)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text

    def head_room(self, limit: int) -> int:
        """How much of a text masking its first ``limit`` characters needs: a secret that
        starts before the cut is masked whole, so no half of it shows."""
        return limit + self._longest + 1

    def redact_head(self, text: str, limit: int) -> str:
        """The first ``limit`` characters of ``text``, masked before they are cut."""
        masked = self.redact(text[: self.head_room(limit)])
        return masked[:limit]

    def redact_data(self, value: Any) -> Any:
        """A redacted copy of a JSON-like structure (dicts, lists, tuples, strings)."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {self.redact_data(key): self.redact_data(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.redact_data(item) for item in value)
        if isinstance(value, bytes):
            return self.redact(value.decode("utf-8", "replace"))
        return value

    def clear(self) -> None:
        """Forget every value (tests use this to isolate themselves)."""
        with self._lock:
            self._values.clear()
            self._pending.clear()
            self._pending_shortest = 0
            self._tiers = ()
            self._longest = 0


_DEFAULT = SecretRegistry()
_CURRENT: ContextVar[SecretRegistry] = ContextVar("secrets", default=_DEFAULT)


def current() -> SecretRegistry:
    """The registry of the run this code belongs to (``use``); outside any run, the process's."""
    return _CURRENT.get()


@contextmanager
def use(registry: SecretRegistry) -> Iterator[SecretRegistry]:
    """Register into and mask with ``registry`` in this context (a run, and the threads it
    starts with a copy of its context)."""
    token = _CURRENT.set(registry)
    try:
        yield registry
    finally:
        _CURRENT.reset(token)


def register(value: str | bytes | None) -> None:
    """Register ``value`` in the current run's registry."""
    current().add(value)


def redact(text: str) -> str:
    """Mask ``text`` with the current run's registry."""
    return current().redact(text)


def redact_head(text: str, limit: int) -> str:
    """The first ``limit`` characters of ``text``, masked with the current run's registry."""
    return current().redact_head(text, limit)


def redact_data(value: Any) -> Any:
    """Mask a JSON-like structure with the current run's registry."""
    return current().redact_data(value)

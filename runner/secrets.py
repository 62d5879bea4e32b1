"""The registry of secret values, and the masking every output goes through.

A secret is registered the moment it exists (key PEM read, passphrase taken
from the environment, assertion signed, token received); every reporter then
passes its text through :func:`redact`.  Exact registered values are the first
line of defence; a few patterns (Salesforce access tokens, JWTs, PEM private
key blocks, ``Bearer``/``assertion=`` values) are a safety net for secrets that
reached some text before anyone registered them.
"""

from __future__ import annotations

import re
import threading
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "***"
MIN_LENGTH = 4
"""Shorter values are ignored: masking every ``ab`` in a report would hide more than it protects."""

_PEM_LINE_MIN = 16

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
    (re.compile(r"(?i)\b(bearer)([ \t]+)(?!\*\*\*)[^\s\"',;&]+"), r"\1\2" + MASK),
    (re.compile(r"(?i)\b(assertion=)(?!\*\*\*)[^&\s\"']+"), r"\1" + MASK),
    (re.compile(r"(?i)(\"access_token\"\s*:\s*\")(?!\*\*\*)[^\"]+"), r"\1" + MASK),
    (re.compile(r"(?i)\b(access_token=)(?!\*\*\*)[^&\s\"']+"), r"\1" + MASK),
)


def _variants(value: str) -> set[str]:
    """The forms a secret takes in output: as is, URL-encoded, and each long line of a PEM."""
    raw = value.encode("utf-8", "surrogatepass")  # environment values may hold lone surrogates
    found = {value, quote(raw, safe=""), quote_plus(raw)}
    if "\n" in value:
        found.update(
            line.strip() for line in value.splitlines() if len(line.strip()) >= _PEM_LINE_MIN
        )
    return {item for item in found if len(item) >= MIN_LENGTH}


class SecretRegistry:
    """A thread-safe set of secret values with a masking function over them.

    Values are kept longest first in a tuple that ``add`` (rare) replaces and
    ``redact`` (frequent) only reads, so readers never need the lock. Masking
    is a substring test and replace per value: with hundreds of secrets (a
    token and an assertion per org) that stays linear, where one alternation
    regex would be recompiled, at growing cost, on every login.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._ordered: tuple[str, ...] = ()

    def add(self, value: str | bytes | None) -> None:
        """Register a secret; ``None``, empty and very short values are ignored."""
        if value is None:
            return
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        variants = _variants(text)
        with self._lock:
            if variants <= self._values:
                return
            self._values |= variants
            self._ordered = tuple(sorted(self._values, key=len, reverse=True))

    def __contains__(self, value: object) -> bool:
        return value in self._values

    def __len__(self) -> int:
        return len(self._values)

    def redact(self, text: str) -> str:
        """Replace every registered value and every secret-looking pattern with ``***``."""
        if not text:
            return text
        for value in self._ordered:
            if value in text:
                text = text.replace(value, MASK)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text

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
            self._ordered = ()


SECRETS = SecretRegistry()
"""The process-wide registry every module registers into and every reporter masks with."""


def register(value: str | bytes | None) -> None:
    """Register ``value`` in the process-wide registry."""
    SECRETS.add(value)


def redact(text: str) -> str:
    """Mask ``text`` with the process-wide registry."""
    return SECRETS.redact(text)


def redact_data(value: Any) -> Any:
    """Mask a JSON-like structure with the process-wide registry."""
    return SECRETS.redact_data(value)

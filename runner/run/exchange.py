"""The HTTP exchange behind a result, as reports show it: masked when first read, compressed.

Most exchanges are never shown (a passing step prints one line), so the masking that
makes one safe to show waits until a report reads it: masking every exchange when it
was made was a third of a 200-org run's CPU. Until then it holds its unmasked parts
(the excerpt as text: compressing every response's head cost a twentieth of a 200-org
run's CPU) and the registry of its run, whose secrets can only have grown meanwhile.

A loop keeps one exchange per item for the reports (the JSON report holds every
item's excerpt): 10,000 excerpts of 600 characters would outweigh everything else
the loop keeps, so a text longer than ``PACK_AT`` characters is held as
zlib-compressed UTF-8 (a JSON excerpt shrinks to about a fifth) and expanded when a
report reads it.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

PACK_AT = 64
"""Texts up to this many characters are kept as they are: compressing them saves nothing."""

Packed = str | bytes


def pack(text: str) -> Packed:
    if len(text) <= PACK_AT:
        return text
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 1)


def unpack(packed: Packed) -> str:
    if isinstance(packed, str):
        return packed
    return zlib.decompress(packed).decode("utf-8", "surrogatepass")


Masked = tuple[str, str, str, str]
"""An exchange's url, response excerpt, curl line and whole response text, masked."""


class Exchange:
    """A summary of the HTTP exchange behind a step, for reports: given masked, or
    ``deferred`` with what masks it when a report first reads it."""

    __slots__ = ("_curl", "_excerpt", "_mask", "_text", "_url", "method", "status")

    def __init__(self, method: str, url: str, status: int | None, response_excerpt: str = "",
                 curl: str = "", response_text: str = "") -> None:
        self.method = method
        self.status = status
        self._mask: Callable[[], Masked] | None = None
        self._settle((url, response_excerpt, curl, response_text))

    @classmethod
    def deferred(cls, method: str, status: int | None, mask: Callable[[], Masked]) -> Exchange:
        """An exchange whose shown fields ``mask`` makes on first read (then forgotten)."""
        exchange = cls.__new__(cls)
        exchange.method, exchange.status, exchange._mask = method, status, mask
        return exchange

    def _settle(self, fields: Masked) -> None:
        url, excerpt, curl, text = fields
        self._url, self._curl = url, curl
        self._excerpt = pack(excerpt)
        self._text = pack(text)  # the whole body, kept only at -vv and beyond

    def _shown(self) -> None:
        mask = self._mask
        if mask is not None:  # two readers at once both mask: the same fields, no harm
            self._settle(mask())
            self._mask = None

    def masked(self) -> Exchange:
        """This exchange masked now: a loop keeps one per item, and a masked excerpt takes
        less room than the unmasked text masking it needs."""
        self._shown()
        return self

    @property
    def url(self) -> str:
        self._shown()
        return self._url

    @property
    def curl(self) -> str:
        self._shown()
        return self._curl

    @property
    def response_excerpt(self) -> str:
        self._shown()
        return unpack(self._excerpt)

    @property
    def response_text(self) -> str:
        self._shown()
        return unpack(self._text)

    def as_dict(self) -> dict[str, Any]:
        """Its fields by name, as the JSON report holds them (``Exchange(**as_dict())``)."""
        return {"method": self.method, "url": self.url, "status": self.status,
                "response_excerpt": self.response_excerpt, "curl": self.curl,
                "response_text": self.response_text}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Exchange) and self.as_dict() == other.as_dict()

    def __hash__(self) -> int:
        self._shown()
        return hash((self.method, self._url, self.status, self._excerpt, self._curl, self._text))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.as_dict().items())
        return f"Exchange({shown})"

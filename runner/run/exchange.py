"""The HTTP exchange behind a result, as reports show it, with its response text compressed.

A loop keeps one exchange per item for the reports (the JSON report holds every
item's excerpt): 10,000 excerpts of 600 characters would outweigh everything else
the loop keeps, so a text longer than ``PACK_AT`` characters is held as
zlib-compressed UTF-8 (a JSON excerpt shrinks to about a fifth) and expanded when a
report reads it.
"""

from __future__ import annotations

import zlib
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


class Exchange:
    """A summary of the HTTP exchange behind a step, for reports (masked when made)."""

    __slots__ = ("_excerpt", "_text", "curl", "method", "status", "url")

    def __init__(self, method: str, url: str, status: int | None, response_excerpt: str = "",
                 curl: str = "", response_text: str = "") -> None:
        self.method = method
        self.url = url
        self.status = status
        self.curl = curl
        self._excerpt = pack(response_excerpt)
        self._text = pack(response_text)  # the whole body, kept only at -vv and beyond

    @property
    def response_excerpt(self) -> str:
        return unpack(self._excerpt)

    @property
    def response_text(self) -> str:
        return unpack(self._text)

    def as_dict(self) -> dict[str, Any]:
        """Its fields by name, as the JSON report holds them (``Exchange(**as_dict())``)."""
        return {"method": self.method, "url": self.url, "status": self.status,
                "response_excerpt": self.response_excerpt, "curl": self.curl,
                "response_text": self.response_text}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Exchange) and self.as_dict() == other.as_dict()

    def __hash__(self) -> int:
        return hash((self.method, self.url, self.status, self._excerpt, self.curl, self._text))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.as_dict().items())
        return f"Exchange({shown})"

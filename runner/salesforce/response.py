"""An HTTP answer as plain data, for checks, registers and reports.

Headers stay case-insensitive and the body stays text; JSON is parsed once, on
first use, and a body that is not JSON becomes a project error with a masked
excerpt rather than a ``ValueError`` from deep inside a check.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from runner import secrets
from runner.errors import TransportError


class ResponseFormatError(TransportError):
    """The server answered, but not with the JSON the caller needs."""


@dataclass(frozen=True)
class Response:
    """An HTTP answer, as data: headers are case-insensitive, the body is text."""

    method: str
    url: str
    status: int
    headers: Mapping[str, str]
    text: str
    elapsed_ms: float
    attempts: int = 1
    token_sent: bool = False
    """Whether the request carried the org's access token (only ever to its own instance)."""

    @cached_property
    def _parsed(self) -> tuple[bool, Any]:
        try:
            return True, jsonlib.loads(self.text)
        except (ValueError, RecursionError):  # a server's absurdly deep nesting is not JSON to us
            return False, None

    def json(self) -> Any:
        """The parsed body; a ResponseFormatError (with a redacted excerpt) when it is not JSON."""
        ok, value = self._parsed
        if not ok:
            kind = self.headers.get("Content-Type", "no content type").split(";")[0]
            excerpt = " ".join(secrets.redact_head(self.text, 200).split()) or "(empty body)"
            raise ResponseFormatError(
                f"{self.method} {secrets.redact(self.url)} answered {self.status} with {kind}, "
                f"not JSON: {excerpt}"
            )
        return value

    def json_or_none(self) -> Any:
        """The parsed body, or None when it is not JSON."""
        return self._parsed[1]

"""Plain request and response values passed between the HTTP layer and the routes.

The routes never touch sockets: they take a :class:`Request` and return a
:class:`Response`, which keeps them testable without a server and lets the
transport apply faults (dropped connections, truncated or slow bodies) last.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

JSON_TYPE = "application/json;charset=UTF-8"


@dataclass
class Request:
    """One HTTP request, already read off the wire (chunked bodies decoded)."""

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str, default: str = "") -> str:
        """Case-insensitive header lookup (HTTP header names are case-insensitive)."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return default

    def params(self) -> dict[str, str]:
        """Query-string parameters, last value wins."""
        return {k: v[-1] for k, v in parse_qs(self.query, keep_blank_values=True).items()}

    def bearer_token(self) -> str | None:
        """The token of an ``Authorization: Bearer|OAuth <token>`` header, if any."""
        value = self.header("Authorization").strip()
        scheme, _, token = value.partition(" ")
        if scheme.lower() in ("bearer", "oauth") and token.strip():
            return token.strip()
        return None

    def json_body(self) -> Any:
        """The body parsed as JSON; raises ``ValueError`` when it is not JSON."""
        return json.loads(self.body.decode("utf-8") or "null")


@dataclass
class Response:
    """A response, plus transport directives the fault injector may set."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    truncate: bool = False
    slow_body_ms: int = 0

    @classmethod
    def json(cls, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Response:
        """A JSON response with Salesforce's content type."""
        body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
        return cls(status, body, {"Content-Type": JSON_TYPE, **(headers or {})})

    @classmethod
    def text(cls, status: int, text: str, content_type: str = "text/plain") -> Response:
        """A plain-text (or HTML) response."""
        return cls(status, text.encode("utf-8"), {"Content-Type": f"{content_type};charset=UTF-8"})

    @classmethod
    def empty(cls, status: int = 204) -> Response:
        """A response with no body (204 for PATCH and DELETE)."""
        return cls(status)


def rest_error(
    status: int, error_code: str, message: str, fields: list[str] | None = None
) -> Response:
    """A REST API error: Salesforce answers with a JSON *array* of errors."""
    item: dict[str, Any] = {"message": message, "errorCode": error_code}
    if fields is not None:
        item["fields"] = fields
    return Response.json(status, [item])


def oauth_error(error: str, description: str, status: int = 400) -> Response:
    """A token-endpoint error: ``{"error", "error_description"}`` with no-store caching."""
    headers = {"Cache-Control": "no-cache,must-revalidate,max-age=0,no-store,private"}
    return Response.json(status, {"error": error, "error_description": description}, headers)

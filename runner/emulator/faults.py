"""Latency and fault injection: rules matched by method and path, fired by seeded rate and counts.

Each org owns one :class:`FaultInjector`. Deciding whether a rule fires takes a
lock (the counters and the random generator are shared by request threads);
sleeping never does, so 50 orgs with ``latency_ms: 50`` answer in parallel.
"""

from __future__ import annotations

import fnmatch
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runner.emulator.messages import Response, oauth_error, rest_error

MAINTENANCE_PAGE = """<!DOCTYPE html>
<html><head><title>Salesforce - Down For Maintenance</title></head>
<body><h1>Down For Maintenance</h1>
<p>This Salesforce instance is currently undergoing scheduled maintenance.
Please try again later.</p></body></html>
"""

_DEFAULT_ERRORS: dict[int, tuple[str, str]] = {
    401: ("INVALID_SESSION_ID", "Session expired or invalid"),
    403: ("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
    404: ("NOT_FOUND", "The requested resource does not exist"),
    500: (
        "UNKNOWN_EXCEPTION",
        "An unexpected error occurred. Please include this ErrorId if you contact support: "
        "1234567890-12345 (-1234567890)",
    ),
    503: ("SERVER_UNAVAILABLE", "Server is temporarily unavailable. Please try again later."),
}


@dataclass(frozen=True)
class FaultRule:
    """One entry of an org's ``faults`` list (see ``$defs/fault`` in the schema)."""

    method: str = "*"
    path: str = "*"
    status: int | None = None
    error_code: str | None = None
    message: str | None = None
    html: bool = False
    drop: bool = False
    truncate: bool = False
    slow_body_ms: int = 0
    retry_after: int | None = None
    latency_ms: int | None = None
    rate: float = 1.0
    times: int | None = None
    after: int = 0

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> FaultRule:
        """Build a rule from already-validated options."""
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)

    def matches(self, method: str, path: str) -> bool:
        """Whether this rule applies to the request (method, path without query)."""
        method_ok = self.method == "*" or self.method.upper() == method.upper()
        return method_ok and fnmatch.fnmatchcase(path, self.path)

    def replacement(self, path: str) -> Response | None:
        """The answer that replaces the real one, or None when the rule only bends transport."""
        if self.html:
            response = Response.text(self.status or 503, MAINTENANCE_PAGE, "text/html")
        elif self.status is not None:
            code, message = _DEFAULT_ERRORS.get(self.status, _DEFAULT_ERRORS[500])
            code = self.error_code or code
            message = self.message or message
            if path.startswith("/services/oauth2/"):
                response = oauth_error(code, message, self.status)
            else:
                response = rest_error(self.status, code, message)
        else:
            return None
        self.decorate(response)
        return response

    def decorate(self, response: Response) -> None:
        """Apply transport-level effects and headers to a response."""
        if self.retry_after is not None:
            response.headers["Retry-After"] = str(self.retry_after)
        response.drop = response.drop or self.drop
        response.truncate = response.truncate or self.truncate
        response.slow_body_ms = max(response.slow_body_ms, self.slow_body_ms)


class FaultInjector:
    """Decides, reproducibly for a given seed, which rule (if any) fires for a request."""

    def __init__(self, rules: tuple[FaultRule, ...], seed: int | None = None) -> None:
        self._rules = rules
        self._rng = random.Random(seed)
        self._seen = [0] * len(rules)
        self._fired = [0] * len(rules)
        self._lock = threading.Lock()

    def choose(self, method: str, path: str) -> FaultRule | None:
        """The first matching rule that fires for this request, updating its counters."""
        if not self._rules:
            return None
        with self._lock:
            for i, rule in enumerate(self._rules):
                if not rule.matches(method, path):
                    continue
                self._seen[i] += 1
                if self._seen[i] <= rule.after:
                    continue
                if rule.times is not None and self._fired[i] >= rule.times:
                    continue
                if rule.rate < 1.0 and self._rng.random() >= rule.rate:
                    continue
                self._fired[i] += 1
                return rule
        return None

    def fired_counts(self) -> list[int]:
        """How many times each rule has fired (for tests and diagnostics)."""
        with self._lock:
            return list(self._fired)

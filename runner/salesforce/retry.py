"""When to try a request again, how long to wait, and what to say when the network fails.

Retries follow what clients of Salesforce do (jsforce, simple-salesforce):
idempotent requests are repeated on 502/503/504, 429, concurrent-request
limits and connection failures, with exponential backoff and full jitter, and
a ``Retry-After`` header is honoured — never shortened.  A failure before the
request left this machine (refused, DNS, connect timeout) is safe to repeat for
any method; once it may have reached the server, only idempotent requests are.
Sleep, clock and randomness are injectable so tests run in microseconds.
"""

from __future__ import annotations

import email.utils
import http.client
import random
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import requests
import urllib3.exceptions

from runner import secrets
from runner.errors import TransportError

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})
T = TypeVar("T")


class NetworkError(TransportError):
    """A request that got no HTTP response; ``request_sent`` says whether it may have arrived."""

    def __init__(
        self, message: str, *, kind: str, request_sent: bool, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.kind = kind
        self.request_sent = request_sent
        self.attempts = 1


@dataclass(frozen=True)
class RetryPolicy:
    """Timeouts and retry rules for one org; replace fields with ``dataclasses.replace``."""

    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    attempts: int = 4
    backoff: float = 0.5
    max_backoff: float = 20.0
    max_retry_after: float = 120.0
    statuses: frozenset[int] = RETRY_STATUSES
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)
    clock: Callable[[], float] = field(default=time.time, repr=False, compare=False)

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)

    def backoff_delay(self, retry: int) -> float:
        """Full jitter: uniform in [0, min(cap, base·2^(retry-1))] for the ``retry``-th retry."""
        return self.random() * min(self.max_backoff, self.backoff * 2 ** (retry - 1))

    def delay(self, retry: int, retry_after: str | None) -> float | None:
        """Seconds to wait before the ``retry``-th retry; None when Retry-After asks too much."""
        if retry_after:
            wanted = parse_retry_after(retry_after, self.clock())
            if wanted is not None:
                return wanted if wanted <= self.max_retry_after else None
        return self.backoff_delay(retry)

    def retryable(self, response: requests.Response) -> bool:
        """A status worth repeating: busy, bad gateway, or Salesforce's concurrent-request limit."""
        status = response.status_code
        if status in self.statuses:
            return True
        return status == 403 and is_concurrency_limit(response.text)

    def send(
        self,
        send: Callable[[], requests.Response],
        *,
        replay_safe: bool,
        can_wait: Callable[[float], bool] = lambda seconds: True,
    ) -> tuple[requests.Response, int]:
        """Call ``send`` until it gives a final answer; returns the response and attempts made.

        ``can_wait`` says whether a wait still fits the caller's deadline: a Retry-After
        past it returns the answer at hand, a backoff past it raises the last failure.
        """
        attempt = 1
        while True:
            try:
                response = send()
            except NetworkError as exc:
                exc.attempts = attempt
                pause = self.backoff_delay(attempt)
                if (attempt >= self.attempts or (exc.request_sent and not replay_safe)
                        or not can_wait(pause)):
                    raise
                self.sleep(pause)
                attempt += 1
                continue
            if not replay_safe or attempt >= self.attempts or not self.retryable(response):
                return response, attempt
            wait = self.delay(attempt, response.headers.get("Retry-After"))
            if wait is None or not can_wait(wait):
                return response, attempt
            response.close()
            self.sleep(wait)
            attempt += 1

    def call(
        self,
        action: Callable[[], T],
        retryable: Callable[[Exception], bool],
        can_wait: Callable[[float], bool] = lambda seconds: True,
    ) -> T:
        """Repeat ``action`` while it raises errors ``retryable`` accepts (used for the token)."""
        attempt = 1
        while True:
            try:
                return action()
            except Exception as exc:
                pause = self.backoff_delay(attempt)
                if attempt >= self.attempts or not retryable(exc) or not can_wait(pause):
                    raise
            self.sleep(pause)
            attempt += 1


DEFAULT_POLICY = RetryPolicy()


def is_concurrency_limit(text: str) -> bool:
    """``REQUEST_LIMIT_EXCEEDED`` for concurrent requests (passes), not the daily total (stays)."""
    return "REQUEST_LIMIT_EXCEEDED" in text and "concurrent" in text.lower()


def parse_retry_after(value: str, now: float) -> float | None:
    """Seconds from a Retry-After value: delta-seconds or an HTTP date."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - now)


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception, what it wraps (args, reason, cause, context), breadth-first."""
    seen: list[BaseException] = []
    queue: list[BaseException] = [exc]
    while queue and len(seen) < 20:
        item = queue.pop(0)
        if any(item is known for known in seen):
            continue
        seen.append(item)
        linked = [getattr(item, "reason", None), item.__cause__, item.__context__, *item.args]
        queue.extend(link for link in linked if isinstance(link, BaseException))
    return seen


def _classify(exc: requests.RequestException) -> tuple[str, str, bool]:
    """(kind, description, request may have been sent)."""
    chain = _chain(exc)

    def has(*types: type[BaseException]) -> bool:
        return any(isinstance(item, types) for item in chain)

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connect timeout", "connect timeout", False
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "read timeout", "read timeout", True
    if isinstance(exc, requests.exceptions.SSLError) or has(ssl.SSLError):
        reason = "certificate verify failed" if "CERTIFICATE_VERIFY_FAILED" in str(exc) else "TLS"
        return "tls", f"TLS error ({reason})", False
    if has(socket.gaierror, urllib3.exceptions.NameResolutionError):
        return "dns", "cannot resolve the host name", False
    if has(ConnectionRefusedError):
        return "refused", "connection refused", False
    if has(http.client.RemoteDisconnected):
        return "closed", "the server closed the connection without answering", True
    if has(ConnectionResetError, BrokenPipeError):
        return "reset", "connection reset by peer", True
    if isinstance(exc, requests.exceptions.ChunkedEncodingError) or has(http.client.IncompleteRead):
        return "truncated", "the response was cut off before its end", True
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return "url", "invalid URL", False
    return "network", type(exc).__name__, not has(urllib3.exceptions.NewConnectionError)


def _seconds(timeout: float | tuple[float, float] | None, kind: str) -> str:
    if timeout is None:
        return ""
    value = timeout if not isinstance(timeout, tuple) else timeout[kind == "read timeout"]
    return f" after {value:g}s"


def transport_error(
    exc: requests.RequestException,
    method: str,
    url: str,
    timeout: float | tuple[float, float] | None = None,
) -> NetworkError:
    """A one-line, secret-free NetworkError that says what failed: timeout, reset, TLS, …"""
    kind, description, sent = _classify(exc)
    if kind in ("connect timeout", "read timeout"):
        description += _seconds(timeout, kind)
    hint = None
    if kind == "tls":
        hint = "pass --ca-bundle FILE or set REQUESTS_CA_BUNDLE if a proxy re-signs TLS"
    elif kind == "read timeout":
        hint = "raise the timeout for this org or step if the server is just slow"
    target = secrets.redact(url.split("?", 1)[0])
    return NetworkError(
        f"{method} {target}: {description}", kind=kind, request_sent=sent, hint=hint
    )

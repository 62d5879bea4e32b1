"""The one module that sends HTTP: a keep-alive session per org, auth, retries, re-auth.

An :class:`OrgClient` logs in once, resolves paths against the token's
``instance_url``, and sends the bearer token only to that origin (an absolute
URL elsewhere gets no token).  Any HTTP status is an answer, returned as a
:class:`Response` for the checks to judge; only a request with no answer raises
(a :class:`~runner.salesforce.retry.NetworkError`).  The per-request path does no regex
work and no copying: a benchmark holds it to a plain ``requests`` loop.
"""

from __future__ import annotations

import json as jsonlib
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import requests

from runner import secrets
from runner.errors import AuthenticationError, ExitStatus, SfjwtError, TransportError
from runner.salesforce import cooperative
from runner.salesforce.auth import JwtCredentials, Token, request_token
from runner.salesforce.response import Response, ResponseFormatError
from runner.salesforce.retry import DEFAULT_POLICY, IDEMPOTENT_METHODS, NetworkError, RetryPolicy
from runner.salesforce.retry import transport_error as _transport_error
from runner.salesforce.session import new_session
from runner.salesforce.transfer import Bounds, Interrupted, exchange
from runner.salesforce.urls import check_instance_allowed, check_url_allowed, origin
from runner.salesforce.watchdog import Cancel

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
"""Sentinel for "no JSON body" (``None`` is a valid JSON body: ``null``)."""
_UNUSABLE_SESSION = b"This session is not valid for use with the REST API"


class InvalidRequestError(SfjwtError):
    """A request that cannot be put on the wire (header not Latin-1, body not JSON-able, bad URL).

    Not a network failure, so never retried: the step that built it fails.
    """

    exit_status = ExitStatus.STEP_FAILED


_UNSENDABLE = (
    requests.exceptions.InvalidHeader,
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidSchema,
    requests.exceptions.MissingSchema,
    UnicodeError,
    TypeError,
    ValueError,
)


def _unsendable(method: str, url: str, exc: Exception) -> InvalidRequestError:
    target = secrets.redact(url.split("?", 1)[0])
    reason = secrets.redact(str(exc)) or type(exc).__name__
    return InvalidRequestError(f"{method} {target}: the request cannot be sent: {reason}")


@dataclass
class _Auth:
    token: Token | None = None
    origin: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    exchanges: int = 0


def _token_retryable(exc: Exception) -> bool:
    """The token POST is repeated on network failures and 502/503/504, never on a 4xx."""
    if isinstance(exc, NetworkError):
        return True
    return isinstance(exc, AuthenticationError) and exc.status in (502, 503, 504)


def _checked_verify(verify: bool | str) -> bool | str:
    if isinstance(verify, str) and not Path(verify).is_file():
        raise TransportError(f"CA bundle {verify} does not exist", hint="check --ca-bundle")
    return verify


def _decode(raw: requests.Response) -> str:
    try:
        return raw.content.decode(raw.encoding or "utf-8", "replace")
    except LookupError:
        return raw.content.decode("utf-8", "replace")


class OrgClient:
    """One org's HTTP client for one run; used by one lane (thread) at a time."""

    def __init__(
        self,
        credentials: JwtCredentials,
        *,
        verify: bool | str = True,
        timeout: float | tuple[float, float] | None = None,
        insecure_http: bool = False,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        bounds: Bounds | None = None,
        instance_hosts: Sequence[str] = (),
    ) -> None:
        self.credentials = credentials
        self.instance_hosts = tuple(instance_hosts)
        self.bounds = bounds or Bounds()
        self.retry = _interruptible(retry or DEFAULT_POLICY, self.bounds.cancel)
        self.timeout = timeout if timeout is not None else self.retry.timeout
        self.insecure_http = insecure_http
        self.verify = _checked_verify(verify)
        self._owns_session = session is None
        self.session = session if session is not None else new_session()
        self._auth = _Auth()

    def __enter__(self) -> OrgClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def token(self) -> Token | None:
        return self._auth.token

    @property
    def token_exchanges(self) -> int:
        """How many tokens this client obtained (1 per run unless a session expired)."""
        return self._auth.exchanges

    def authenticate(self) -> Token:
        """Exchange a JWT for a token; network failures and 5xx are retried, 4xx never."""
        check_url_allowed(self.credentials.login_url, insecure_http=self.insecure_http)

        def exchange() -> Token:
            return request_token(self.session, self.credentials, timeout=self.timeout,
                                 verify=self.verify, bounds=self.bounds)

        token = self.retry.call(exchange, _token_retryable, self._can_wait)
        self._use(token, exchanges=self._auth.exchanges + 1)
        return token

    def adopt(self, token: Token) -> None:
        """Use a token obtained earlier (a token cache); a 401 still re-authenticates once."""
        self._use(token, exchanges=self._auth.exchanges)

    def _use(self, token: Token, *, exchanges: int) -> None:
        check_url_allowed(token.instance_url, insecure_http=self.insecure_http)
        check_instance_allowed(token.instance_url, self.credentials.login_url,
                               self.instance_hosts)
        header = {"Authorization": f"Bearer {token.access_token}"}
        self._auth = _Auth(token, origin(token.instance_url), header, exchanges)

    def request(
        self,
        method: str,
        target: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = MISSING,
        data: str | bytes | None = None,
        timeout: float | tuple[float, float] | None = None,
        allow_retry: bool | None = None,
        max_bytes: int | None = None,
    ) -> Response:
        """Send one request (retried per policy; re-authenticated once on an expired session).

        ``max_bytes`` caps this response's body (else the client's ``bounds``).
        """
        if self._auth.token is None:
            self.authenticate()
        method = method.upper()
        url, own_origin = self._resolve(target)
        replay_safe = method in IDEMPOTENT_METHODS if allow_retry is None else allow_retry
        options: dict[str, Any] = {
            "params": params,
            "data": data,
            "timeout": timeout if timeout is not None else self.timeout,
            "verify": self.verify,
            "allow_redirects": False,
            "bounds": self.bounds if max_bytes is None else replace(self.bounds,
                                                                    max_bytes=max_bytes),
        }
        if json is not MISSING:
            try:
                options["data"] = jsonlib.dumps(json).encode()
            except (TypeError, ValueError) as exc:
                raise _unsendable(method, url, exc) from None
            if not (headers and _has_header(headers, "content-type")):
                headers = {**(headers or {}), "Content-Type": "application/json"}
        bearer = own_origin and not (headers and _has_header(headers, "authorization"))
        raw, attempts, elapsed = self._send(method, url, headers, bearer, replay_safe, options)
        if bearer and raw.status_code == 401 and _session_expired(raw):
            self.authenticate()
            raw, more, elapsed = self._send(method, url, headers, bearer, replay_safe, options)
            attempts += more
        return Response(
            method, raw.url or url, raw.status_code, raw.headers, _decode(raw), elapsed, attempts,
            token_sent=bearer,
        )

    def _resolve(self, target: str) -> tuple[str, bool]:
        """(absolute URL, whether it is the instance's origin and may carry the token)."""
        lowered = target[:8].lower()
        if lowered.startswith(("https://", "http://")):
            check_url_allowed(target, insecure_http=self.insecure_http)
            return target, origin(target) == self._auth.origin
        token = self._auth.token
        assert token is not None
        return token.instance_url + (target if target.startswith("/") else "/" + target), True

    def _send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        bearer: bool,
        replay_safe: bool,
        options: dict[str, Any],
    ) -> tuple[requests.Response, int, float]:
        merged = headers
        if bearer:
            merged = {**self._auth.headers, **headers} if headers else self._auth.headers
        started = [0.0]

        def send() -> requests.Response:
            started[0] = time.perf_counter()
            try:
                return exchange(self.session, method, url, headers=merged, **options)
            except _UNSENDABLE as exc:
                raise _unsendable(method, url, exc) from None
            except requests.RequestException as exc:
                raise _transport_error(exc, method, url, options["timeout"]) from None

        raw, attempts = self.retry.send(send, replay_safe=replay_safe, can_wait=self._can_wait)
        return raw, attempts, (time.perf_counter() - started[0]) * 1000

    def _can_wait(self, seconds: float) -> bool:
        """Whether a pause before retrying still ends before the org's deadline."""
        remaining = self.bounds.remaining()
        return remaining is None or seconds < remaining

    def close(self) -> None:
        """Release pooled connections (only of a session this client made)."""
        if self._owns_session:
            self.session.close()


def _interruptible(policy: RetryPolicy, cancel: Cancel | None) -> RetryPolicy:
    """The policy, with its pauses between attempts ended by ``cancel`` (a stopped run),
    and letting the other lanes of a hub run."""
    if policy.sleep is not time.sleep:
        return policy  # a test's own clock
    stop = cancel or threading.Event()  # without a stop switch, a pause is only a pause

    def pause(seconds: float) -> None:
        if cooperative.pause(seconds, stop):
            raise Interrupted("stopped while waiting to try again: the run was interrupted")

    return replace(policy, sleep=pause)


def _has_header(headers: Mapping[str, str], lowered: str) -> bool:
    return any(name.lower() == lowered for name in headers)


def _session_expired(raw: requests.Response) -> bool:
    """401 INVALID_SESSION_ID — except the kind a new token cannot cure (API access control)."""
    body = raw.content
    return b"INVALID_SESSION_ID" in body and _UNUSABLE_SESSION not in body


__all__ = [
    "MISSING",
    "InvalidRequestError",
    "OrgClient",
    "Response",
    "ResponseFormatError",
    "check_url_allowed",
    "new_session",
]

"""One HTTP attempt with a size cap and a deadline that no server can stretch.

The body is streamed (``requests`` with ``stream=True``) and read from the raw
urllib3 response, undecoded; gzip and deflate are inflated here with zlib's
``max_length``, so both the size on the wire and the inflated size stop at the
cap — urllib3's own decoding inflates a whole chunk before anyone can count it,
which lets a 1 MB gzip body become gigabytes. The attempt runs under a
:class:`~runner.salesforce.watchdog.Guard`: its whole duration (connect,
headers, body) is bounded, and a :class:`~runner.salesforce.watchdog.Cancel`
stops it mid-read. A complete body leaves the connection in the pool.
"""

from __future__ import annotations

import http.client
import time
import zlib
from dataclasses import dataclass
from typing import Any

import requests
import urllib3.exceptions

from runner import secrets
from runner.errors import TransportError
from runner.localfiles import size_text
from runner.salesforce.retry import NetworkError
from runner.salesforce.watchdog import INTERRUPTED, Cancel, Guard

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
"""The documented default cap of a response body (``max_response_bytes``): 50 MB."""
ACCEPT_ENCODING = "gzip, deflate"
CHUNK = 64 * 1024
_DEADLINE = "deadline"
_TIMEOUT = "timeout"


class ResponseTooLarge(TransportError):
    """A body over ``max_response_bytes``, as sent or once inflated; never retried."""


class DeadlinePassed(TransportError):
    """The org's deadline (``--org-timeout``) passed during a request."""


class Interrupted(TransportError):
    """The run was stopped (a signal) while a request was under way."""


@dataclass(frozen=True)
class Bounds:
    """What bounds a request: the body's size, an absolute deadline, and a stop switch."""

    max_bytes: int = DEFAULT_MAX_BYTES
    deadline: float | None = None  # time.monotonic() value; None: only the timeouts bound it
    cancel: Cancel | None = None

    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()


def _where(method: str, url: str) -> str:
    return f"{method} {secrets.redact(url.split('?', 1)[0])}"


def _split(timeout: float | tuple[float, float]) -> tuple[float, float]:
    return timeout if isinstance(timeout, tuple) else (timeout, timeout)


def exchange(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: float | tuple[float, float],
    bounds: Bounds,
    **options: Any,
) -> requests.Response:
    """Send once; the Response comes back with its body read (``.content`` is set).

    Network failures raise ``requests`` exceptions, as ``session.request`` would;
    a stopped, late or oversized answer raises this project's errors.
    """
    connect, read = _split(timeout)
    deadline, expiry = time.monotonic() + connect + read, _TIMEOUT
    remaining = bounds.remaining()
    if remaining is not None:
        if remaining <= 0:
            raise DeadlinePassed(f"{_where(method, url)}: not sent, the org passed its deadline")
        if remaining < connect + read:
            deadline, expiry = bounds.deadline or deadline, _DEADLINE
        connect, read = min(connect, remaining), min(read, remaining)
    with Guard(deadline, expiry, bounds.cancel) as guard:
        try:
            response = session.request(method, url, timeout=(connect, read), stream=True,
                                       **options)
        except (requests.RequestException, OSError) as exc:
            _raise_if_stopped(guard, method, url, read)
            if isinstance(exc, requests.RequestException):
                raise
            raise requests.exceptions.ConnectionError(exc) from None
        try:
            response._content = _read_body(response, bounds.max_bytes, method, url)
        except BaseException:
            response.close()  # a half-read connection cannot be reused
            _raise_if_stopped(guard, method, url, read)
            raise
        _raise_if_stopped(guard, method, url, read)
    return response


def _raise_if_stopped(guard: Guard, method: str, url: str, read: float) -> None:
    if guard.reason is None:
        return
    where = _where(method, url)  # masked: only when it is said
    if guard.reason == INTERRUPTED:
        raise Interrupted(f"{where}: stopped, the run was interrupted")
    if guard.reason == _DEADLINE:
        raise DeadlinePassed(f"{where}: stopped, the org passed its deadline (--org-timeout)")
    if guard.reason == _TIMEOUT:
        raise NetworkError(
            f"{where}: read timeout after {read:g}s (the whole answer must arrive within "
            "the timeout)",
            kind="read timeout", request_sent=True,
            hint="raise the timeout for this org or step if the server is just slow",
        )


class _Inflater:
    """gzip or deflate undone with a cap on the output; multi-member gzip too."""

    def __init__(self, encoding: str) -> None:
        self.wbits = 16 + zlib.MAX_WBITS if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self.engine = zlib.decompressobj(self.wbits)
        self.first = True

    def feed(self, data: bytes, room: int) -> bytes:
        """Inflate ``data``; more than ``room`` bytes of output raises OverflowError."""
        out = bytearray()
        while data:
            try:
                piece = self.engine.decompress(data, room - len(out) + 1)
            except zlib.error:
                if not (self.first and self.wbits == zlib.MAX_WBITS):
                    raise
                self.wbits = -zlib.MAX_WBITS  # "deflate" sent as raw deflate, as some servers do
                self.engine = zlib.decompressobj(self.wbits)
                continue
            self.first = False
            out += piece
            if len(out) > room:
                raise OverflowError
            data = self.engine.unconsumed_tail
            if self.engine.eof and self.engine.unused_data:
                data = self.engine.unused_data
                self.engine = zlib.decompressobj(self.wbits)
        return bytes(out)


def _inflater(response: requests.Response) -> _Inflater | None:
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    return _Inflater(encoding) if encoding in ("gzip", "x-gzip", "deflate") else None


def _read_body(response: requests.Response, limit: int, method: str, url: str) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(method, url, limit, f"announces {size_text(int(declared))}, more")
    inflater, received, parts, size = _inflater(response), 0, [], 0
    while True:
        try:
            data = response.raw.read(CHUNK, decode_content=False)
        except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError) as exc:
            raise _as_requests_error(exc) from None
        if not data:
            break
        received += len(data)
        if received > limit:
            raise _too_large(method, url, limit, "is larger")
        if inflater is not None:
            try:
                data = inflater.feed(data, limit - size)
            except OverflowError:
                raise _too_large(method, url, limit, "inflates to more") from None
            except zlib.error:
                raise TransportError(
                    f"{_where(method, url)}: the body is not valid "
                    f"{response.headers.get('Content-Encoding')}"
                ) from None
        size += len(data)
        parts.append(data)
    return b"".join(parts)


def _too_large(method: str, url: str, limit: int, what: str) -> ResponseTooLarge:
    return ResponseTooLarge(
        f"{_where(method, url)}: the response {what} than the {size_text(limit)} allowed "
        f"(max_response_bytes: {limit})",
        hint="raise max_response_bytes on the org or the step if such a body is expected",
    )


def _as_requests_error(exc: BaseException) -> requests.RequestException:
    """What requests itself raises for a failure while reading a body."""
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return requests.exceptions.ReadTimeout(exc)
    if isinstance(exc, urllib3.exceptions.SSLError):
        return requests.exceptions.SSLError(exc)
    if isinstance(exc, urllib3.exceptions.ProtocolError | http.client.HTTPException):
        return requests.exceptions.ChunkedEncodingError(exc)
    return requests.exceptions.ConnectionError(exc)

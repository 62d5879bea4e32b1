"""A requests adapter on :mod:`runner.salesforce.wire` for direct connections: the
runner's hot path.

requests stays what every request is written against (a ``PreparedRequest`` in, a
``requests.Response`` out, requests' exceptions on failure), but for a connection with
no proxy and no client certificate the transport underneath is a socket and
httptools' parser. Measured against the embedded org with 50 ms of latency, 200
threads sending 10 GETs each: ``requests`` 2.07 s of wall time for 2.04 s of CPU,
urllib3 directly 1.06–1.34 s for 1.0 s, ``http.client`` 0.57 s for 0.27 s, against
0.51 s for one thread; one GET took 70 µs of CPU with ``http.client`` and 28 µs with
httptools. Past a few dozen orgs the client's own work, not the network, was the run's
time.

What urllib3 gave the runner is kept: keep-alive connections (a dropped idle one is
replaced before use), connect and read timeouts, TLS verified against certifi's
bundle or the one given, a body shorter than its ``Content-Length`` reported as cut
off, the failures raised as the exceptions requests raises for them, and every
socket reachable by the request's :class:`~runner.salesforce.watchdog.Guard`.
"""

from __future__ import annotations

import http.client
import os.path
import socket
import ssl
import threading
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from requests.adapters import BaseAdapter
from requests.cookies import extract_cookies_to_jar
from requests.structures import CaseInsensitiveDict
from requests.utils import DEFAULT_CA_BUNDLE_PATH, get_encoding_from_headers

from runner.salesforce.sockets import CooperativeSSLSocket
from runner.salesforce.watchdog import current_guard, shutdown
from runner.salesforce.wire import Answer, Connection

_Key = tuple[str, str, int, Any]
_PORTS = {"http": 80, "https": 443}


class _Socket:
    """What a Guard shuts: the connection's socket as it is when the request starts."""

    def __init__(self, sock: socket.socket | None) -> None:
        self.sock = sock


def _timeouts(timeout: Any) -> tuple[float | None, float | None]:
    if isinstance(timeout, tuple):
        return timeout[0], timeout[1]
    return timeout, timeout


def _dropped(connection: Connection) -> bool:
    """Whether an idle keep-alive connection was closed (or spoken on) by the server: a
    peek that must find nothing to read, on the TCP socket under any TLS."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        socket.socket.recv(sock, 1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return False  # open, and silent as it should be
    except OSError:
        return True
    return True  # closed (b"") or an answer nobody asked for


class _Body:
    """The response's ``raw``: reads the undecoded body, hands the connection back to the
    adapter once the body is complete and closes it if the body is abandoned."""

    def __init__(self, adapter: PlainAdapter, key: _Key, connection: Connection,
                 answer: Answer, url: str) -> None:
        self._adapter, self._key, self._connection = adapter, key, connection
        self._original_response = answer  # what requests' cookie handling reads
        self._url = url
        self.reason = answer.reason
        self._finished = False

    def read(self, amount: int, decode_content: bool = False) -> bytes:
        """Up to ``amount`` bytes as sent (gzip stays gzip); b"" at the end of the body."""
        answer = self._original_response
        try:
            data = answer.read(amount)
        except TimeoutError as exc:
            raise _read_timeout(self._url) from exc
        except http.client.IncompleteRead as cut:
            raise urllib3.exceptions.ProtocolError(f"Connection broken: {cut!r}", cut) from None
        if data:
            return data
        self._finish(reuse=True)
        return b""

    def _finish(self, *, reuse: bool) -> None:
        if self._finished:
            return
        self._finished = True
        if reuse and not self._original_response.will_close:
            self._adapter.release(self._key, self._connection)
        else:
            self._connection.close()

    def close(self) -> None:
        """A body left unread: its connection cannot carry another request."""
        self._finish(reuse=False)

    def release_conn(self) -> None:
        """Called by ``Response.close``; the connection went back or was closed already."""


class PlainAdapter(BaseAdapter):
    """Sends a prepared request over a pooled :class:`~runner.salesforce.wire.Connection`."""

    def __init__(self, pool_size: int = 4) -> None:
        super().__init__()
        self._pool_size = pool_size
        self._idle: dict[_Key, list[Connection]] = {}
        self._lock = threading.Lock()

    def send(  # the signature requests gives adapters
        self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
        verify: bool | str = True, cert: Any = None, proxies: Any = None,
    ) -> requests.Response:
        url = str(request.url)
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _PORTS or not parts.hostname:
            raise requests.exceptions.InvalidURL(f"cannot send to {url.split('?', 1)[0]}")
        key = (scheme, parts.hostname, parts.port or _PORTS[scheme], verify)
        connect, read = _timeouts(timeout)
        connection = self._idle_connection(key) or self._connect(key, connect)
        guard = current_guard()
        if guard is not None:
            guard.attach(_Socket(connection.sock))
        try:
            if connection.sock is not None:
                connection.sock.settimeout(read)
            answer = connection.request(str(request.method), request.path_url,
                                        dict(request.headers), _encoded(request.body))
            answer.begin()
        except BaseException as exc:
            connection.close()
            error = _request_error(exc, url)
            if error is None:
                raise
            raise error from exc
        response = self._response(request, answer, _Body(self, key, connection, answer, url))
        if not stream:
            response.content  # noqa: B018 - read now, as requests does without stream
        return response

    def _response(self, request: requests.PreparedRequest, answer: Answer,
                  body: _Body) -> requests.Response:
        """What requests' own adapter builds from urllib3's response."""
        response = requests.Response()
        response.status_code = answer.status
        joined: dict[str, tuple[str, str]] = {}
        for name, value in answer.headers:  # repeated headers joined, as urllib3 does
            lowered = name.lower()
            known = joined.get(lowered)
            joined[lowered] = (name, value) if known is None else (known[0], f"{known[1]}, {value}")
        response.headers = headers = CaseInsensitiveDict(dict(joined.values()))
        response.encoding = get_encoding_from_headers(headers)
        response.raw = body
        response.reason = answer.reason
        response.url = str(request.url)
        if "set-cookie" in headers:
            extract_cookies_to_jar(response.cookies, request, body)
        response.request = request
        response.connection = self  # type: ignore[assignment]  # the stubs know only HTTPAdapter
        return response

    def _idle_connection(self, key: _Key) -> Connection | None:
        """A kept connection the server has not closed, if there is one."""
        while True:
            with self._lock:
                idle = self._idle.get(key)
                if not idle:
                    return None
                connection = idle.pop()
            if not _dropped(connection):
                return connection
            connection.close()

    def release(self, key: _Key, connection: Connection) -> None:
        """Keep a connection whose response was read to its end for the next request."""
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if connection.sock is not None and len(idle) < self._pool_size:
                idle.append(connection)
                return
        connection.close()

    def _connect(self, key: _Key, timeout: float | None) -> Connection:
        scheme, host, port, verify = key
        context = tls_context(verify) if scheme == "https" else None
        connection = Connection(host, port, _PORTS[scheme], context)
        try:
            connection.connect(timeout)
        except BaseException as exc:
            connection.close()
            error = _connect_error(exc, connection, host)
            if error is None:
                raise
            raise error from exc
        guard = current_guard()
        if guard is not None and guard.reason is not None:
            shutdown(connection)  # stopped while connecting: the request fails at once
        return connection

    def close(self) -> None:
        with self._lock:
            idle = [connection for kept in self._idle.values() for connection in kept]
            self._idle.clear()
        for connection in idle:
            connection.close()


_CONTEXTS: dict[tuple[bool | str, tuple[int, int] | None], ssl.SSLContext] = {}
_CONTEXTS_LOCK = threading.Lock()


def tls_context(verify: bool | str) -> ssl.SSLContext:
    """One TLS context per way of verifying (certifi's bundle, a given one, or none) for
    the whole process: loading certifi's bundle costs 14 ms of CPU, which every org of a
    fleet paid once more. A given bundle that changes on disk gets a new context."""
    key = (verify, _stamp(verify))
    with _CONTEXTS_LOCK:
        context = _CONTEXTS.get(key)
        if context is None:
            context = _CONTEXTS[key] = _verifying_context(verify)
            context.sslsocket_class = CooperativeSSLSocket
        return context


def _stamp(verify: bool | str) -> tuple[int, int] | None:
    """When a given bundle last changed, and its size (None: certifi's, or none)."""
    if isinstance(verify, bool):
        return None
    try:
        found = os.stat(verify)
    except OSError:
        return None  # refused when the context is made
    return found.st_mtime_ns, found.st_size


def _verifying_context(verify: bool | str) -> ssl.SSLContext:
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    bundle = DEFAULT_CA_BUNDLE_PATH if verify is True else str(verify)
    if os.path.isdir(bundle):
        return ssl.create_default_context(capath=bundle)
    if not os.path.isfile(bundle):  # refused as requests' own adapter refuses it
        raise OSError(f"Could not find a suitable TLS CA certificate bundle, invalid path: "
                      f"{bundle}")
    return ssl.create_default_context(cafile=bundle)


def _read_timeout(url: str) -> urllib3.exceptions.ReadTimeoutError:
    """urllib3's error for a read that timed out (it names the pool; there is none here)."""
    return urllib3.exceptions.ReadTimeoutError(None, url, "Read timed out.")  # type: ignore[arg-type]


def _encoded(body: Any) -> Any:
    """A text body as UTF-8, as urllib3 sends it."""
    return body.encode() if isinstance(body, str) else body


def _connect_error(exc: BaseException, connection: Any, host: str) -> Exception | None:
    """The exception requests raises when a new connection cannot be made (None: the
    failure is not the network's, and goes on as it is)."""
    if isinstance(exc, TimeoutError):
        return requests.exceptions.ConnectTimeout(
            urllib3.exceptions.ConnectTimeoutError(f"Connection to {host} timed out."))
    if isinstance(exc, ssl.SSLError):
        return requests.exceptions.SSLError(exc)
    if isinstance(exc, socket.gaierror):
        return requests.exceptions.ConnectionError(
            urllib3.exceptions.NameResolutionError(host, connection, exc))
    if isinstance(exc, OSError):
        return requests.exceptions.ConnectionError(urllib3.exceptions.NewConnectionError(
            connection, f"Failed to establish a new connection: {exc}"))
    return None


def _request_error(exc: BaseException, url: str) -> Exception | None:
    """The exception requests raises for a failure while sending or awaiting the answer
    (None: the failure is not the network's, and goes on as it is)."""
    if isinstance(exc, TimeoutError):
        return requests.exceptions.ReadTimeout(_read_timeout(url))
    if isinstance(exc, ssl.SSLError):
        return requests.exceptions.SSLError(exc)
    if isinstance(exc, OSError | http.client.HTTPException):
        return requests.exceptions.ConnectionError(
            urllib3.exceptions.ProtocolError("Connection aborted.", exc))
    return None

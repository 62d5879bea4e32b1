"""The HTTP/1.1 transport: threaded server, keep-alive, chunked request bodies, optional TLS.

Two traps of ``http.server`` are avoided on purpose: every response goes out
in a single write with ``TCP_NODELAY`` set (otherwise Nagle plus delayed ACK
adds ~40 ms to each keep-alive response), and ``Transfer-Encoding: chunked``
request bodies (sent by node clients such as the Salesforce CLI) are decoded.
The routes live elsewhere: this module turns bytes into a :class:`Request`,
calls the application, and writes its :class:`Response`, applying transport
faults (drop, truncate, slow body) last.
"""

from __future__ import annotations

import _thread
import contextlib
import http
import logging
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httptools

from runner.emulator.messages import Request, Response

log = logging.getLogger("runner.emulator")
log.addHandler(logging.NullHandler())

MAX_BODY = 64 * 1024 * 1024
MAX_HEADER_LINE = 65536
MAX_HEADERS = 100
IDLE_TIMEOUT_S = 120
_TOKEN_PATTERN = re.compile(r"00D\w{12,15}(!|%21)[\w.%-]+")
_JWT_PATTERN = re.compile(r"eyJ[\w-]*\.[\w-]*\.[\w-]*")

App = Callable[[Request], Response]


def mask_secrets(text: str) -> str:
    """Replace access tokens (``00D…!…``) and JWTs (``eyJ…``) in a logged path by masks."""
    return _JWT_PATTERN.sub("eyJ********", _TOKEN_PATTERN.sub("00D…!********", text))


class BodyError(Exception):
    """A request body that cannot be read (bad chunking, too large)."""


class Headers:
    """A request's headers in the order sent, looked up without regard to case: what
    ``http.server`` and the routes read of ``http.client``'s message, without building
    one (its ``email`` parser was a third of the emulator's work per request)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = pairs
        self._first: dict[str, str] = {}
        for name, value in pairs:
            self._first.setdefault(name.lower(), value)

    def get(self, name: str, default: Any = None) -> Any:
        return self._first.get(name.lower(), default)

    def __getitem__(self, name: str) -> str | None:
        return self._first.get(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._first

    def get_all(self, name: str, default: Any = None) -> Any:
        lowered = name.lower()
        return [value for key, value in self._pairs if key.lower() == lowered] or default

    def items(self) -> list[tuple[str, str]]:
        return list(self._pairs)


class _HeaderLines:
    """httptools' callbacks for a request head: its header fields in order."""

    def __init__(self) -> None:
        self.pairs: list[tuple[str, str]] = []

    def on_header(self, name: bytes, value: bytes) -> None:
        self.pairs.append((name.decode("latin-1"), value.decode("latin-1")))


def parse_header_lines(lines: list[bytes]) -> Headers:
    """Header lines (up to the blank line) read by llhttp; ``ValueError`` if they are
    not HTTP. The request line is checked apart, so a path llhttp would refuse is the
    routes' to answer, as ``http.server`` let it be."""
    found = _HeaderLines()
    try:
        httptools.HttpRequestParser(found).feed_data(  # bare LF accepted, as http.server does
            b"".join([b"GET / HTTP/1.1\r\n", *(line.rstrip(b"\r\n") + b"\r\n" for line in lines)]))
    except httptools.HttpParserError as exc:
        raise ValueError(str(exc)) from None
    return Headers(found.pairs)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sfdcedge"
    sys_version = ""
    timeout = IDLE_TIMEOUT_S
    server: EmulatorHTTPServer
    raw_requestline: bytes  # set by http.server before parse_request

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("http.server: " + format, *args)

    def parse_request(self) -> bool:
        """``http.server``'s parsing of HTTP/1.0 and 1.1 requests, the header lines read
        by :func:`parse_header_lines` (bounded as ``http.client`` bounds them)."""
        self.command = None  # type: ignore[assignment]
        self.request_version = self.default_request_version
        self.close_connection = True
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = self.requestline.split()
        if not words:
            return False
        version = words[-1]
        if len(words) != 3 or not version.startswith("HTTP/"):
            self.send_error(HTTPStatus.BAD_REQUEST, f"Bad request syntax ({self.requestline!r})")
            return False
        if version not in ("HTTP/1.0", "HTTP/1.1"):
            known = re.fullmatch(r"HTTP/\d{1,10}\.\d{1,10}", version)
            self.send_error(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED if known
                            else HTTPStatus.BAD_REQUEST, f"Bad request version ({version!r})")
            return False
        self.request_version = version
        self.close_connection = version == "HTTP/1.0"
        self.command, self.path = words[0], words[1]
        if self.path.startswith("//"):
            self.path = "/" + self.path.lstrip("/")  # as http.server does (gh-87389)
        lines: list[bytes] = []
        while True:
            line = self.rfile.readline(MAX_HEADER_LINE + 1)
            if len(line) > MAX_HEADER_LINE:
                self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Line too long")
                return False
            if line in (b"\r\n", b"\n", b""):
                lines.append(b"\r\n")
                break
            lines.append(line)
            if len(lines) > MAX_HEADERS:
                self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Too many headers")
                return False
        try:
            self.headers = parse_header_lines(lines)  # type: ignore[assignment]
        except ValueError as exc:
            self.send_error(HTTPStatus.BAD_REQUEST, f"Bad request headers ({exc})")
            return False
        connection = self.headers.get("Connection", "").lower()
        if connection == "close":
            self.close_connection = True
        elif connection == "keep-alive":
            self.close_connection = False
        if (self.headers.get("Expect", "").lower() == "100-continue"
                and version == "HTTP/1.1"):
            return self.handle_expect_100()
        return True

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                raise BodyError("bad chunk size") from None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            total += size
            if total > MAX_BODY:
                raise BodyError("body too large")
            parts.append(self.rfile.read(size))
            self.rfile.readline(8)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > MAX_BODY:
            raise BodyError("bad Content-Length")
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        started = time.perf_counter()
        try:
            body = self._read_body()
        except (BodyError, ValueError):
            self.close_connection = True
            self._write(Response.text(400, "Bad Request"))
            return
        path, _, query = self.path.partition("?")
        request = Request(self.command, path, query, dict(self.headers.items()), body)
        response = self.server.app(request)
        elapsed = (time.perf_counter() - started) * 1000
        if log.isEnabledFor(logging.INFO):  # masking is a regular expression per request
            log.info("%s %s %s %.1fms", self.command, mask_secrets(self.path), _label(response),
                     elapsed)
        self._write(response)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def _head(self, response: Response, length: int) -> bytes:
        phrase = http.HTTPStatus(response.status).phrase if response.status in _KNOWN else ""
        lines = [f"HTTP/1.1 {response.status} {phrase}".rstrip()]
        headers = {"Date": formatdate(usegmt=True), **response.headers}
        if response.status not in (204, 304):
            headers["Content-Length"] = str(length)
        if self.close_connection or response.truncate:
            headers["Connection"] = "close"
        lines += [f"{k}: {v}" for k, v in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _write(self, response: Response) -> None:
        """Send the response, headers and body in one write (unless a fault says otherwise)."""
        if response.drop:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        body = b"" if self.command == "HEAD" or response.status in (204, 304) else response.body
        head = self._head(response, len(response.body))
        if response.truncate:
            self.close_connection = True
            self.wfile.write(head + body[: len(body) // 2])
            return
        if response.slow_body_ms and body:
            self._write_slowly(head, body, response.slow_body_ms / 1000)
        else:
            self.wfile.write(head + body)

    def _write_slowly(self, head: bytes, body: bytes, seconds: float) -> None:
        pieces = min(10, len(body))
        step = -(-len(body) // pieces)
        self.wfile.write(head)
        for start in range(0, len(body), step):
            time.sleep(seconds / pieces)
            self.wfile.write(body[start : start + step])


_KNOWN = {s.value for s in http.HTTPStatus}


def _label(response: Response) -> str:
    """The status as the request log shows it, faults included."""
    if response.drop:
        return "dropped"
    return f"{response.status} truncated" if response.truncate else str(response.status)


class EmulatorHTTPServer(ThreadingHTTPServer):
    """A threaded server that remembers its open connections, so stop() can close them."""

    daemon_threads = True
    request_queue_size = 256  # lanes connect all at once; a short backlog costs SYN retries
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], app: App, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self.app = app
        self.ssl_context = ssl_context
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve the connection on a thread of its own, started without waiting for it:
        ``Thread.start`` waits until the new thread holds the interpreter, so 200 lanes
        connecting at once queued behind each other's thread starts, and a 200-org run took
        4 % longer. Such threads are daemonic; ``stop()`` ends them by closing their
        connections."""
        _thread.start_new_thread(self.process_request_thread, (request, client_address))

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Runs in the connection's own thread, so a slow TLS handshake blocks no one else."""
        if self.ssl_context is not None:
            try:
                request = self.ssl_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as exc:
                log.debug("TLS handshake failed from %s: %s", client_address[0], exc)
                return
        super().finish_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("connection from %s ended with an error", client_address[0], exc_info=True)

    def track(self, conn: socket.socket, *, add: bool) -> None:
        """Record or forget an open connection."""
        with self._conn_lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def close_connections(self) -> None:
        """Shut down every open keep-alive connection (their threads then end)."""
        with self._conn_lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

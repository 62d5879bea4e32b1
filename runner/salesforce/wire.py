"""HTTP/1.1 on one kept-alive socket: the request written in one piece, the answer parsed
by httptools (llhttp, the parser of Node.js).

This is the plain adapter's transport. ``http.client`` cost 70 µs of CPU per GET
against the embedded org, of which its header parsing (through the ``email``
package) and its header-by-header request building were most; the same GET with
httptools' parser costs 28 µs. A fleet's lanes share one core, so that difference is
the run's time. Everything else stays as ``http.client`` does it: a ``Host`` and a
``Content-Length`` added as it adds them, TCP_NODELAY, interim (1xx) answers skipped,
a HEAD answer without a body, and its exceptions for a server that hangs up
(``RemoteDisconnected``), cuts a body short (``IncompleteRead``) or sends something
that is not HTTP (``HTTPException``), so requests' errors and the retry rules read the
same. The head of an answer is bounded (``MAX_HEAD_BYTES``, ``MAX_HEADERS``), a body
is handed out as it arrives, and the caller bounds its size.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from typing import Any

import httptools

from runner.salesforce.sockets import create_connection

MAX_HEADERS = 100
"""As ``http.client``: more header lines than this is not an answer."""
MAX_HEAD_BYTES = 256 * 1024
"""The most bytes read before a status line and headers end (checked at each read, so a
head may end in the read that passes it)."""
RECEIVE = 64 * 1024
_BODY_EXPECTED = frozenset({"PATCH", "POST", "PUT"})  # http.client's "Content-Length: 0"
_FORBIDDEN_IN_TARGET = frozenset(chr(n) for n in (*range(0x21), 0x7F))


class Answer:
    """One answer being read: its status and headers once ``begin`` returns, then its body
    piece by piece with ``read``. httptools calls the ``on_*`` methods while it parses."""

    def __init__(self, connection: Connection, method: str) -> None:
        self._connection = connection
        self._head_only = method == "HEAD"
        self.status = 0
        self.reason = ""
        self.headers: list[tuple[str, str]] = []
        self.will_close = False
        self._reason = b""
        self._head_bytes = 0
        self._head_done = False
        self._complete = False
        self._pieces: list[bytes] = []
        self._parser = httptools.HttpResponseParser(self)

    @property
    def msg(self) -> http.client.HTTPMessage:
        """The headers as ``http.client`` gives them, for requests' cookie handling (made
        only when asked: an answer that sets a cookie)."""
        message = http.client.HTTPMessage()
        for name, value in self.headers:
            message[name] = value
        return message

    # -- httptools' callbacks ----------------------------------------------------------
    def on_message_begin(self) -> None:
        if self._complete:  # bytes after the answer: the connection cannot be trusted
            self.will_close = True

    def on_status(self, piece: bytes) -> None:
        self._reason += piece

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._complete:
            return
        if len(self.headers) >= MAX_HEADERS:
            raise http.client.HTTPException(f"got more than {MAX_HEADERS} headers")
        self.headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        if self._complete:
            return
        status = self._parser.get_status_code()
        if 100 <= status < 200:  # an interim answer: the real one follows
            self.headers, self._reason = [], b""
            return
        self.status = status
        self.reason = self._reason.decode("latin-1")
        self.will_close = self.will_close or not self._parser.should_keep_alive()
        self._head_done = True
        if self._head_only:
            self._complete = True

    def on_body(self, piece: bytes) -> None:
        if self._complete:  # a body after a HEAD answer, or after the end
            self.will_close = True
            return
        self._pieces.append(piece)

    def on_message_complete(self) -> None:
        if self._head_done:
            self._complete = True

    # -- reading -----------------------------------------------------------------------
    def begin(self) -> None:
        """Read until the status and headers are known."""
        while not self._head_done:
            if not self._receive():
                if not self._head_bytes:
                    raise http.client.RemoteDisconnected(
                        "Remote end closed connection without response")
                raise http.client.IncompleteRead(b"")
            if not self._head_done and self._head_bytes > MAX_HEAD_BYTES:
                raise http.client.HTTPException(
                    f"the answer's head is longer than {MAX_HEAD_BYTES} bytes")

    def read(self, amount: int) -> bytes:
        """Up to ``amount`` bytes of the body as sent (gzip stays gzip); b"" at its end."""
        while not self._pieces:
            if self._complete:
                return b""
            if not self._receive():
                if self._until_closed():
                    self._complete = self.will_close = True
                    return b""
                raise http.client.IncompleteRead(b"")
        piece = self._pieces[0]
        if len(piece) <= amount:
            del self._pieces[0]
            return piece
        self._pieces[0] = piece[amount:]
        return piece[:amount]

    def _until_closed(self) -> bool:
        """Whether the body is one that ends when the server closes (no length given)."""
        names = {name.lower() for name, _ in self.headers}
        return "content-length" not in names and "transfer-encoding" not in names

    def _receive(self) -> bool:
        """Feed the parser what the socket has; False when the server closed it."""
        data = self._connection.receive()
        if not data:
            return False
        if not self._head_done:
            self._head_bytes += len(data)
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserCallbackError as exc:
            cause = exc.__context__
            raise cause if isinstance(cause, Exception) else http.client.HTTPException(
                str(exc)) from None
        except httptools.HttpParserError as exc:
            if not self._complete:
                raise http.client.HTTPException(f"not an HTTP answer: {exc}") from None
            self.will_close = True  # garbage after a complete answer
        return True


class Connection:
    """One connection to ``host:port`` (TLS when given a ``context``), for one request at a
    time; ``sock`` is what a Guard shuts to stop it."""

    def __init__(self, host: str, port: int, default_port: int,
                 context: ssl.SSLContext | None = None) -> None:
        self.host, self.port, self.context = host, port, context
        self.sock: socket.socket | None = None
        shown = f"[{host}]" if ":" in host else host
        self._host_header = shown if port == default_port else f"{shown}:{port}"

    def connect(self, timeout: float | None) -> None:
        sock: socket.socket = create_connection((self.host, self.port), timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.context is not None:
                sock = self.context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        self.sock = sock

    def request(self, method: str, target: str, headers: dict[str, Any],
                body: bytes | None) -> Answer:
        """Send the request whole; the answer is read with the returned :class:`Answer`."""
        if self.sock is None:
            raise http.client.NotConnected()
        head = self._head(method, target, headers, body)
        if body is not None and len(body) > RECEIVE:
            self.sock.sendall(head)  # a large body is not copied to be joined
            self.sock.sendall(body)
        else:
            self.sock.sendall(head + body if body else head)
        return Answer(self, method)

    def receive(self) -> bytes:
        assert self.sock is not None
        return self.sock.recv(RECEIVE)

    def close(self) -> None:
        sock, self.sock = self.sock, None
        if sock is not None:
            sock.close()

    def _head(self, method: str, target: str, headers: dict[str, Any],
              body: bytes | None) -> bytes:
        """The request line and headers, as ``http.client`` would write them."""
        if not _FORBIDDEN_IN_TARGET.isdisjoint(method + target):
            raise ValueError(f"control characters or spaces in {method} {target!r}")
        lines = [f"{method} {target} HTTP/1.1"]
        names = set()
        for name, value in headers.items():
            text = value if isinstance(value, str) else (
                value.decode("latin-1") if isinstance(value, bytes) else str(value))
            if not name or ":" in name or not _FORBIDDEN_IN_TARGET.isdisjoint(name) or (
                    "\r" in text or "\n" in text):
                raise ValueError(f"Invalid header {name!r}")
            names.add(name.lower())
            lines.append(f"{name}: {text}")
        if "host" not in names:
            lines.insert(1, f"Host: {self._host_header}")
        if "accept-encoding" not in names:
            lines.append("Accept-Encoding: identity")
        if "content-length" not in names and "transfer-encoding" not in names:
            if body is not None:
                lines.append(f"Content-Length: {len(body)}")
            elif method.upper() in _BODY_EXPECTED:
                lines.append("Content-Length: 0")
        lines.append("\r\n")
        return "\r\n".join(lines).encode("latin-1")

"""A raw-socket HTTP server on loopback that misbehaves on purpose, one behaviour per path.

``http.server`` cannot trickle a header line at a time, stall after the status
line or send an endless chunked body, so this one writes bytes itself. Every
behaviour ends by itself (at most ``MAX_SECONDS``) or when the client goes away,
and only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

MAX_SECONDS = 60.0
TRICKLE_SECONDS = 0.1
Behaviour = Callable[[socket.socket, "RawServer"], None]


def _head(status: str, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def answer(status: str, body: bytes, **headers: str) -> Behaviour:
    """A plain, complete answer."""
    def behave(conn: socket.socket, server: RawServer) -> None:
        conn.sendall(_head(status, {"Content-Length": str(len(body)), **headers}) + body)
    return behave


def gzip_bomb(inflated_megabytes: int) -> Behaviour:
    """A small gzip body of zeros that inflates to ``inflated_megabytes`` MB (about 1000:1)."""
    engine, zeros = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS), bytes(1 << 20)
    body = b"".join(engine.compress(zeros) for _ in range(inflated_megabytes)) + engine.flush()
    return answer("200 OK", body, **{"Content-Type": "application/json",
                                      "Content-Encoding": "gzip"})


def announced(size: int) -> Behaviour:
    """Headers announcing ``size`` bytes, then only a few of them."""
    def behave(conn: socket.socket, server: RawServer) -> None:
        conn.sendall(_head("200 OK", {"Content-Length": str(size)}) + b"{" * 100)
        server.hold(conn)
    return behave


def endless_chunks(conn: socket.socket, server: RawServer) -> None:
    """A chunked body that never ends (until the client leaves or MAX_SECONDS)."""
    conn.sendall(_head("200 OK", {"Transfer-Encoding": "chunked"}))
    chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
    while server.running():
        conn.sendall(chunk)
        server.sent += len(chunk)


def trickle_body(conn: socket.socket, server: RawServer) -> None:
    """A slowloris body: a declared length, one byte every TRICKLE_SECONDS."""
    conn.sendall(_head("200 OK", {"Content-Length": "100000"}))
    while server.running():
        conn.sendall(b" ")
        time.sleep(TRICKLE_SECONDS)


def trickle_headers(conn: socket.socket, server: RawServer) -> None:
    """A header line every TRICKLE_SECONDS, forever: the body never starts."""
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    count = 0
    while server.running():
        conn.sendall(b"X-Slow-%d: a\r\n" % count)
        count += 1
        time.sleep(TRICKLE_SECONDS)


def silent(conn: socket.socket, server: RawServer) -> None:
    """Read the request, never answer."""
    server.hold(conn)


def token_for(instance_url: str) -> Behaviour:
    """A token endpoint that sends whoever logs in to ``instance_url``."""
    body = json.dumps({"access_token": "00Dxx0000000001!AQoAQHostileTokenValue123456789",
                       "instance_url": instance_url, "id": "https://x/id/00D/005",
                       "token_type": "Bearer", "scope": "api"}).encode()
    return answer("200 OK", body, **{"Content-Type": "application/json"})


class RawServer:
    """Serves ``routes`` (path → behaviour); records the paths and headers it was sent."""

    def __init__(self, routes: dict[str, Behaviour]) -> None:
        self.routes = routes
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        self.sent = 0
        self.connections = 0
        self._closing = threading.Event()
        self._started = time.monotonic()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def running(self) -> bool:
        return not self._closing.is_set() and time.monotonic() - self._started < MAX_SECONDS

    def hold(self, conn: socket.socket) -> None:
        """Keep the connection open without a word until the client leaves."""
        conn.settimeout(TRICKLE_SECONDS)
        while self.running():
            try:
                if conn.recv(1) == b"":
                    return
            except TimeoutError:
                continue

    def serve(self) -> None:
        self._listener.settimeout(TRICKLE_SECONDS)
        while not self._closing.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        """Answer requests on one connection (kept alive) until the client leaves."""
        with conn, conn.makefile("rb") as reader:
            try:
                while self.running():
                    request = reader.readline().decode("latin-1")
                    if not request:
                        return
                    method, path, _ = request.split(" ", 2)
                    headers = {}
                    while (line := reader.readline().decode("latin-1").strip()):
                        name, _, value = line.partition(":")
                        headers[name.strip()] = value.strip()
                    reader.read(int(headers.get("Content-Length", "0") or 0))
                    self.seen.append((method, path, headers))
                    route = self.routes.get(path.split("?")[0], answer("404 Not Found", b"no"))
                    route(conn, self)
            except (OSError, ValueError):
                return  # the client went away, as a stopped client does

    def close(self) -> None:
        self._closing.set()


@contextmanager
def raw_server(routes: dict[str, Behaviour]) -> Iterator[RawServer]:
    server = RawServer(routes)
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.close()
        thread.join()
        server._listener.close()

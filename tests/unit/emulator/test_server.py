"""The HTTP transport over real loopback sockets: keep-alive, chunked bodies, faults, TLS, logs."""

from __future__ import annotations

import http.client
import logging
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from runner.emulator.messages import Request, Response
from runner.emulator.server import EmulatorHTTPServer, mask_secrets
from runner.emulator.tls import server_context

Served = Callable[[Response | None], tuple[int, list[Request]]]


@pytest.fixture
def serve() -> Iterator[Callable[..., tuple[int, list[Request]]]]:
    """Start a server whose app records requests and answers ``reply`` (echo by default)."""
    servers: list[EmulatorHTTPServer] = []

    def _start(
        reply: Response | None = None, context: ssl.SSLContext | None = None
    ) -> tuple[int, list[Request]]:
        seen: list[Request] = []

        def app(request: Request) -> Response:
            seen.append(request)
            if reply is not None:
                return Response(reply.status, reply.body, dict(reply.headers), reply.drop,
                                reply.truncate, reply.slow_body_ms)  # fmt: skip
            return Response.json(200, {"len": len(request.body), "path": request.path})

        server = EmulatorHTTPServer(("127.0.0.1", 0), app, context)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}).start()
        servers.append(server)
        return server.server_address[1], seen

    yield _start
    for server in servers:
        server.shutdown()
        server.close_connections()
        server.server_close()


def test_keep_alive_reuses_one_connection(serve: Callable[..., tuple[int, list[Request]]]) -> None:
    port, seen = serve()
    conn = http.client.HTTPConnection("127.0.0.1", port)
    for i in range(5):
        conn.request("GET", f"/p{i}?x=1")
        response = conn.getresponse()
        assert response.status == 200 and response.getheader("Content-Length")
        response.read()
    first_sock = conn.sock
    conn.request("GET", "/again")
    conn.getresponse().read()
    assert conn.sock is first_sock
    assert [r.path for r in seen][:2] == ["/p0", "/p1"] and seen[0].query == "x=1"
    conn.close()


def test_chunked_request_body_is_decoded(serve: Callable[..., tuple[int, list[Request]]]) -> None:
    port, seen = serve()
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("POST", "/token", body=iter([b"grant_type=x&", b"assertion=abc"]),
                 headers={"Transfer-Encoding": "chunked"}, encode_chunked=True)  # fmt: skip
    assert conn.getresponse().status == 200
    assert seen[0].body == b"grant_type=x&assertion=abc"
    conn.close()


def test_head_and_204_have_no_body(serve: Callable[..., tuple[int, list[Request]]]) -> None:
    port, _ = serve(Response.empty(204))
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("DELETE", "/r")
    response = conn.getresponse()
    assert (response.status, response.read()) == (204, b"")
    conn.request("GET", "/still-alive")
    assert conn.getresponse().status == 204
    conn.close()


def test_dropped_connection(serve: Callable[..., tuple[int, list[Request]]]) -> None:
    port, _ = serve(Response(200, b"never", drop=True))
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/x")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        conn.getresponse()
    conn.close()


def test_truncated_body(serve: Callable[..., tuple[int, list[Request]]]) -> None:
    port_t, _ = serve(Response(200, b'{"data":"' + b"x" * 100 + b'"}', truncate=True))
    conn = http.client.HTTPConnection("127.0.0.1", port_t)
    conn.request("GET", "/x")
    response = conn.getresponse()
    with pytest.raises(http.client.IncompleteRead):
        response.read()
    conn.close()


def test_slow_body_still_arrives_whole(serve: Callable[..., tuple[int, list[Request]]]) -> None:
    body = b"0123456789" * 30
    port, _ = serve(Response(200, body, {"Content-Type": "text/plain"}, slow_body_ms=50))
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/slow")
    assert conn.getresponse().read() == body
    conn.close()


def test_nodelay_is_set_on_accepted_sockets(
    serve: Callable[..., tuple[int, list[Request]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    original = socket.socket.setsockopt

    def spy(self: socket.socket, level: int, option: int, value: int) -> None:
        if level == socket.IPPROTO_TCP and option == socket.TCP_NODELAY:
            seen.append(value)
        original(self, level, option, value)

    monkeypatch.setattr(socket.socket, "setsockopt", spy)
    port, _ = serve()
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/")
    conn.getresponse().read()
    conn.close()
    assert 1 in seen


def test_tls_with_the_written_certificate(
    serve: Callable[..., tuple[int, list[Request]]], tmp_path: Path
) -> None:
    cert = tmp_path / "tls.pem"
    port, _ = serve(None, server_context(str(cert)))
    client = ssl.create_default_context(cafile=str(cert))
    for host in ("127.0.0.1", "localhost"):
        conn = http.client.HTTPSConnection(host, port, context=client)
        conn.request("GET", "/secure")
        assert conn.getresponse().status == 200
        conn.close()


def test_request_log_masks_tokens(
    serve: Callable[..., tuple[int, list[Request]]], caplog: pytest.LogCaptureFixture
) -> None:
    port, _ = serve()
    token = "00D5g000004ABCD!AQxyz.secret_value"
    with caplog.at_level(logging.INFO, logger="runner.emulator"):
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("GET", f"/services/oauth2/userinfo?oauth_token={token}")
        conn.getresponse().read()
        conn.close()
    lines = [r.getMessage() for r in caplog.records if "userinfo" in r.getMessage()]
    assert lines and "secret_value" not in lines[0]
    assert lines[0].startswith("GET /services/oauth2/userinfo") and " 200 " in lines[0]


def test_mask_secrets() -> None:
    assert mask_secrets("/x?t=00D5g000004ABCD!AQ.a_b-c") == "/x?t=00D…!********"
    assert mask_secrets("/x?t=00D5g000004ABCD%21AQ.a_b") == "/x?t=00D…!********"
    assert mask_secrets("/t?assertion=eyJhbGc.eyJpc3M.c2ln&x=1") == "/t?assertion=eyJ********&x=1"
    assert mask_secrets("/services/data/v60.0/query") == "/services/data/v60.0/query"


def _raw_exchange(port: int, request: bytes) -> bytes:
    """Send bytes as they are and read the answer until the server closes or 2 s pass."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(request)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            pass
    return received


@pytest.mark.parametrize("request_bytes, status", [
    (b"GET / HTTP/1.1\r\n" + b"X-A: 1\r\n" * 101 + b"\r\n", b"431"),
    (b"GET / HTTP/1.1\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n", b"431"),
    (b"GET / HTTP/1.1\r\nBad Name: a\r\n\r\n", b"400"),
    (b"GET / HTTP/2.0\r\n\r\n", b"505"),
    (b"GET / SPDY/3\r\n\r\n", b"400"),
    (b"GET /\r\n\r\n", b"400"),
])
def test_a_request_head_that_is_not_http_or_too_large_is_refused_with_its_status(
    serve: Callable[..., tuple[int, list[Request]]], request_bytes: bytes, status: bytes
) -> None:
    port, seen = serve()
    assert b"Error code: " + status in _raw_exchange(port, request_bytes)
    assert not seen


def test_headers_reach_the_app_in_order_and_http_1_0_closes_the_connection(
    serve: Callable[..., tuple[int, list[Request]]]
) -> None:
    port, seen = serve()
    received = _raw_exchange(
        port, b"GET //twice/over HTTP/1.0\r\nx-one: 1\r\nX-Two:  2\r\nx-one: again\r\n\r\n")
    assert received.startswith(b"HTTP/1.1 200 ") and b"Connection: close\r\n" in received
    [request] = seen
    assert request.path == "/twice/over"
    assert request.header("X-ONE") == "again" and request.header("x-two") == "2"


def test_header_lines_that_end_in_a_bare_line_feed_are_read_as_http_server_read_them(
    serve: Callable[..., tuple[int, list[Request]]]
) -> None:
    port, seen = serve()
    received = _raw_exchange(port, b"GET /lf HTTP/1.0\nX-One: 1\nX-Two: 2\n\n")
    assert received.startswith(b"HTTP/1.1 200 ")
    assert (seen[0].header("x-one"), seen[0].header("X-Two")) == ("1", "2")


def test_expect_100_continue_is_answered_before_the_body(
    serve: Callable[..., tuple[int, list[Request]]]
) -> None:
    port, seen = serve()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n"
                     b"Expect: 100-continue\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n")
        sock.sendall(b"{}")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
    assert seen[0].body == b"{}"

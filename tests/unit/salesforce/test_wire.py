"""Tests for runner.salesforce.wire: answers read as http.client reads them (interim
answers, HEAD, bodies that end with the connection, chunks), bytes after an answer never
trusted, and a head that is not HTTP or too large refused as http.client refuses it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import requests

from runner.salesforce.retry import NetworkError, transport_error
from runner.salesforce.transfer import Bounds, exchange
from runner.salesforce.wire import MAX_HEAD_BYTES, MAX_HEADERS, Connection
from tests.raw_server import Behaviour, RawServer, answer, raw_server


def sends(data: bytes, *, close: bool = False) -> Behaviour:
    """Answer with ``data`` as it is (then hang up if ``close``)."""

    def behave(conn: socket.socket, server: RawServer) -> None:
        conn.sendall(data)
        if close:
            conn.shutdown(socket.SHUT_RDWR)
    return behave


ROUTES = {
    "/interim": sends(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n"
                      b"\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Final: yes\r\n\r\n{}"),
    "/head": answer("200 OK", b"", **{"Content-Length": "1234"}),
    "/until-closed": sends(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + b"x" * 100_000,
                           close=True),
    "/chunked": sends(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      b"3\r\n{\"a\r\n4\r\n\": 1\r\n1\r\n}\r\n0\r\n\r\n"),
    "/extra": sends(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 200 OK\r\n"),
    "/garbage": sends(b"SSH-2.0-OpenSSH_9.6\r\n\r\n"),
    "/many-headers": sends(b"HTTP/1.1 200 OK\r\n" + b"X-A: 1\r\n" * (MAX_HEADERS + 1)
                           + b"Content-Length: 0\r\n\r\n"),
    "/long-head": sends(b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * (2 * MAX_HEAD_BYTES)
                        + b"\r\n\r\n"),
    "/hang-up": sends(b"", close=True),
    "/cut-head": sends(b"HTTP/1.1 200 OK\r\nContent-Le", close=True),
    "/ok": answer("200 OK", b'{"ok": true}'),
}


@pytest.fixture(scope="module")
def server() -> Iterator[RawServer]:
    with raw_server(ROUTES) as running:
        yield running


def send(session: requests.Session, server: RawServer, path: str,
         method: str = "GET") -> requests.Response:
    return exchange(session, method, server.url + path, timeout=5.0, bounds=Bounds(),
                    allow_redirects=False)


def failure(session: requests.Session, server: RawServer, path: str) -> NetworkError:
    with pytest.raises(requests.RequestException) as caught:
        send(session, server, path)
    return transport_error(caught.value, "GET", server.url + path)


def test_interim_answers_are_skipped_for_the_final_one(
    session: requests.Session, server: RawServer
) -> None:
    response = send(session, server, "/interim")
    assert (response.status_code, response.json()) == (200, {})
    assert response.headers["X-Final"] == "yes" and "Link" not in response.headers


def test_a_head_answer_has_no_body_whatever_its_length_says_and_keeps_its_connection(
    session: requests.Session, server: RawServer
) -> None:
    before = server.connections
    response = send(session, server, "/head", "HEAD")
    assert (response.status_code, response.content) == (200, b"")
    assert response.headers["Content-Length"] == "1234"
    assert send(session, server, "/ok").json() == {"ok": True}
    assert server.connections - before == 1


def test_a_body_without_a_length_ends_when_the_server_closes(
    session: requests.Session, server: RawServer
) -> None:
    before = server.connections
    assert send(session, server, "/until-closed").content == b"x" * 100_000
    assert send(session, server, "/ok").json() == {"ok": True}
    assert server.connections - before == 2  # that connection was not kept


def test_a_chunked_body_is_joined(session: requests.Session, server: RawServer) -> None:
    assert send(session, server, "/chunked").json() == {"a": 1}


def test_bytes_after_an_answer_make_its_connection_unfit_for_another(
    session: requests.Session, server: RawServer
) -> None:
    before = server.connections
    assert send(session, server, "/extra").json() == {}
    assert send(session, server, "/ok").json() == {"ok": True}
    assert server.connections - before == 2


@pytest.mark.parametrize("path", ["/garbage", "/many-headers", "/long-head"])
def test_a_head_that_is_not_http_or_is_too_large_is_a_network_failure(
    session: requests.Session, server: RawServer, path: str
) -> None:
    error = failure(session, server, path)
    assert (error.kind, error.request_sent) == ("network", True)


def test_a_server_that_hangs_up_without_a_word_closed_the_connection(
    session: requests.Session, server: RawServer
) -> None:
    assert failure(session, server, "/hang-up").kind == "closed"


def test_a_head_cut_off_is_a_truncated_answer(session: requests.Session,
                                             server: RawServer) -> None:
    assert failure(session, server, "/cut-head").kind == "truncated"


def test_the_request_is_written_as_http_client_writes_it(server: RawServer) -> None:
    """Host and Content-Length added, and Accept-Encoding when none is asked for."""
    connection = Connection("127.0.0.1", server.port, 80)
    connection.connect(5.0)
    try:
        for method, body in (("POST", None), ("PUT", b"{}"), ("GET", None)):
            answer_ = connection.request(method, "/ok", {"X-Mine": "1"}, body)
            answer_.begin()
            assert answer_.read(1 << 16) == b'{"ok": true}'
    finally:
        connection.close()
    sent = [(method, headers) for method, path, headers in server.seen[-3:]]
    assert sent[0][1]["Content-Length"] == "0" and sent[1][1]["Content-Length"] == "2"
    assert "Content-Length" not in sent[2][1]
    assert all(headers["Host"] == f"127.0.0.1:{server.port}" for _, headers in sent)
    assert all(headers["Accept-Encoding"] == "identity" for _, headers in sent)


@pytest.mark.parametrize("headers, target", [
    ({"X-Bad": "a\r\nInjected: yes"}, "/ok"),
    ({"Bad Name": "a"}, "/ok"),
    ({}, "/a path"),
])
def test_a_header_or_target_that_would_split_the_request_is_refused_unsent(
    server: RawServer, headers: dict[str, str], target: str
) -> None:
    connection = Connection("127.0.0.1", server.port, 80)
    connection.connect(5.0)
    seen = len(server.seen)
    try:
        with pytest.raises(ValueError):
            connection.request("GET", target, headers, None)
    finally:
        connection.close()
    assert len(server.seen) == seen


def test_a_read_that_waits_too_long_times_out() -> None:
    """A server that accepts and says nothing: the socket's timeout ends the wait."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        accepted: list[socket.socket] = []
        threading.Thread(target=lambda: accepted.append(listener.accept()[0]),
                         daemon=True).start()
        connection = Connection("127.0.0.1", listener.getsockname()[1], 80)
        connection.connect(5.0)
        assert connection.sock is not None
        connection.sock.settimeout(0.2)
        try:
            answer_ = connection.request("GET", "/", {}, None)
            with pytest.raises(TimeoutError):
                answer_.begin()
        finally:
            connection.close()
            for sock in accepted:
                sock.close()


"""Tests for runner.salesforce.plain: the http.client adapter answers as requests' own
does (headers, cut bodies, kept and dropped connections, text bodies)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from requests.utils import DEFAULT_CA_BUNDLE_PATH

from runner.salesforce.plain import PlainAdapter, tls_context
from runner.salesforce.retry import NetworkError, transport_error
from runner.salesforce.transfer import Bounds, exchange
from tests.raw_server import RawServer, answer, raw_server


def cut_short(conn: socket.socket, server: RawServer) -> None:
    """Announces 100 bytes, sends 10, and hangs up."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
    conn.shutdown(socket.SHUT_RDWR)


HUNG_UP = threading.Event()


def then_hang_up(conn: socket.socket, server: RawServer) -> None:
    """A complete keep-alive answer, after which the server closes the idle connection."""
    answer("200 OK", b"{}")(conn, server)
    conn.shutdown(socket.SHUT_RDWR)
    HUNG_UP.set()


def repeated(conn: socket.socket, server: RawServer) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Limit: a\r\nx-limit: b\r\n"
                 b"Set-Cookie: one=1\r\nSet-Cookie: two=2\r\n\r\n{}")


ROUTES = {"/cut": cut_short, "/hang-up": then_hang_up, "/repeated": repeated,
          "/ok": answer("200 OK", b'{"ok": true}')}


@pytest.fixture(scope="module")
def server() -> Iterator[RawServer]:
    with raw_server(ROUTES) as running:
        yield running


def send(session: requests.Session, server: RawServer, path: str,
         method: str = "GET", **options: object) -> requests.Response:
    """One exchange as the runner sends it (no redirects followed)."""
    return exchange(session, method, server.url + path, timeout=5.0, bounds=Bounds(),
                    allow_redirects=False, **options)


def test_requests_go_through_the_plain_adapter_and_keep_their_connection(
    session: requests.Session, server: RawServer
) -> None:
    before = server.connections
    answers = [send(session, server, "/ok") for _ in range(3)]
    assert [a.json() for a in answers] == [{"ok": True}] * 3
    assert all(isinstance(a.connection, PlainAdapter) for a in answers)
    assert server.connections - before == 1


def test_a_body_shorter_than_announced_is_reported_as_cut_off(
    session: requests.Session, server: RawServer
) -> None:
    with pytest.raises(requests.exceptions.ChunkedEncodingError) as caught:
        send(session, server, "/cut")
    error = transport_error(caught.value, "GET", server.url + "/cut")
    assert isinstance(error, NetworkError)
    assert error.kind == "truncated"
    assert "cut off before its end" in str(error)


def test_an_idle_connection_the_server_closed_is_replaced_before_use(
    session: requests.Session, server: RawServer
) -> None:
    before = server.connections
    assert send(session, server, "/hang-up").status_code == 200
    assert HUNG_UP.wait(5)
    assert send(session, server, "/ok").json() == {"ok": True}
    assert server.connections - before == 2


def test_repeated_headers_are_joined_and_cookies_kept_as_requests_does(
    session: requests.Session, server: RawServer
) -> None:
    response = send(session, server, "/repeated")
    assert response.headers["X-Limit"] == "a, b"
    assert "X-Limit" in dict(response.headers)  # the first spelling, as urllib3 keeps it
    assert response.headers["set-cookie"] == "one=1, two=2"
    assert session.cookies.get_dict() == {"one": "1", "two": "2"}


def test_a_text_body_is_sent_as_utf8_like_urllib3_sends_it(
    session: requests.Session, server: RawServer
) -> None:
    text = "Name: Café ✓"
    assert send(session, server, "/ok", "POST", data=text).status_code == 200
    method, path, headers = server.seen[-1]
    assert (method, path) == ("POST", "/ok")
    assert headers["Content-Length"] == str(len(text.encode()))


def test_a_refused_connection_is_requests_connection_error(session: requests.Session) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(requests.exceptions.ConnectionError) as caught:
        exchange(session, "GET", f"http://127.0.0.1:{port}/", timeout=5.0, bounds=Bounds(),
                 allow_redirects=False)
    error = transport_error(caught.value, "GET", f"http://127.0.0.1:{port}/")
    assert (error.kind, error.request_sent) == ("refused", False)


def test_a_ca_bundle_that_is_not_there_is_refused_as_requests_refuses_it(
    session: requests.Session,
) -> None:
    with pytest.raises(requests.exceptions.ConnectionError, match=r"invalid path: /no/such\.pem"):
        exchange(session, "GET", "https://127.0.0.1:9/", timeout=5.0, bounds=Bounds(),
                 allow_redirects=False, verify="/no/such.pem")


def test_every_org_shares_one_tls_context_per_bundle_and_a_changed_bundle_gets_a_new_one(
    tmp_path: Path,
) -> None:
    """Loading certifi's bundle costs milliseconds: a fleet's orgs load it once."""
    assert tls_context(True) is tls_context(True)
    assert tls_context(False) is not tls_context(True)
    bundle = tmp_path / "ca.pem"
    bundle.write_bytes(Path(DEFAULT_CA_BUNDLE_PATH).read_bytes())
    first = tls_context(str(bundle))
    assert tls_context(str(bundle)) is first
    bundle.write_bytes(bundle.read_bytes() + b"\n")
    assert tls_context(str(bundle)) is not first

"""Tests for runner.salesforce.transfer: size caps (as sent and inflated), whole-answer
deadlines, and a stop switch that reaches a request stuck in a read."""

from __future__ import annotations

import gzip
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator

import pytest
import requests

from runner.salesforce.retry import NetworkError
from runner.salesforce.transfer import (
    Bounds,
    DeadlinePassed,
    Interrupted,
    ResponseTooLarge,
    exchange,
)
from runner.salesforce.watchdog import Cancel
from tests.raw_server import (
    RawServer,
    announced,
    answer,
    endless_chunks,
    gzip_bomb,
    raw_server,
    silent,
    trickle_body,
    trickle_headers,
)

MB = 1 << 20
DOCUMENT = b'{"records": [' + b'{"Name": "Acme"},' * 2000 + b'{}]}'
ROUTES = {
    "/bomb": gzip_bomb(40),
    "/announced": announced(5 * MB),
    "/endless": endless_chunks,
    "/trickle-body": trickle_body,
    "/trickle-headers": trickle_headers,
    "/silent": silent,
    "/gzip": answer("200 OK", gzip.compress(DOCUMENT), **{"Content-Encoding": "gzip"}),
    "/raw-deflate": answer("200 OK", zlib.compress(DOCUMENT)[2:-4],
                           **{"Content-Encoding": "deflate"}),
    "/plain": answer("200 OK", DOCUMENT),
}


@pytest.fixture(scope="module")
def server() -> Iterator[RawServer]:
    with raw_server(ROUTES) as running:
        yield running


def get(session: requests.Session, server: RawServer, path: str, *,
        timeout: float = 5.0, **bounds: object) -> requests.Response:
    return exchange(session, "GET", server.url + path, timeout=timeout,
                    bounds=Bounds(**bounds))  # type: ignore[arg-type]


@pytest.mark.parametrize("path", ["/gzip", "/raw-deflate", "/plain"])
def test_bodies_arrive_whole_and_inflated(session: requests.Session, server: RawServer,
                                          path: str) -> None:
    assert get(session, server, path).content == DOCUMENT


def test_a_complete_body_leaves_the_connection_for_the_next_request(
    session: requests.Session, server: RawServer
) -> None:
    before = server.connections
    for _ in range(3):
        assert get(session, server, "/plain").status_code == 200
    assert server.connections - before == 1


def test_a_gzip_bomb_stops_at_the_cap_and_memory_stays_small(
    session: requests.Session, server: RawServer
) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLarge, match="inflates to more than the 1 MB allowed"):
            get(session, server, "/bomb", max_bytes=MB)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * MB, f"{peak / MB:.1f} MB held for a 40 MB bomb under a 1 MB cap"


def test_a_body_announced_over_the_cap_is_not_read(session: requests.Session,
                                                   server: RawServer) -> None:
    with pytest.raises(ResponseTooLarge, match="announces 5 MB"):
        get(session, server, "/announced", max_bytes=MB)


def test_an_endless_body_stops_at_the_cap(session: requests.Session, server: RawServer) -> None:
    with pytest.raises(ResponseTooLarge, match="is larger than the 1 MB allowed"):
        get(session, server, "/endless", max_bytes=MB)


@pytest.mark.parametrize("path", ["/trickle-body", "/trickle-headers"])
def test_a_trickling_server_is_bounded_in_total(session: requests.Session,
                                                server: RawServer, path: str) -> None:
    """Bytes every 0.1 s never trip a per-read timeout of 0.5 s; the whole-answer one does."""
    with pytest.raises(NetworkError, match=r"read timeout after 0\.5s") as caught:
        get(session, server, path, timeout=0.5)
    assert caught.value.kind == "read timeout" and caught.value.request_sent


def test_a_silent_server_times_out_as_requests_says(session: requests.Session,
                                                    server: RawServer) -> None:
    with pytest.raises(requests.exceptions.ReadTimeout):
        get(session, server, "/silent", timeout=0.5)


def test_the_org_deadline_stops_a_request_under_way(session: requests.Session,
                                                    server: RawServer) -> None:
    with pytest.raises(DeadlinePassed, match="passed its deadline"):
        get(session, server, "/trickle-body", timeout=60, deadline=time.monotonic() + 0.5)
    with pytest.raises(DeadlinePassed, match="not sent"):
        get(session, server, "/plain", deadline=time.monotonic() - 1)


def test_cancel_reaches_a_request_stuck_in_a_read(session: requests.Session,
                                                  server: RawServer) -> None:
    cancel = Cancel()
    threading.Timer(0.3, cancel.set).start()
    with pytest.raises(Interrupted, match="interrupted"):
        get(session, server, "/silent", timeout=60, cancel=cancel)
    with pytest.raises(Interrupted):  # once set, nothing more is sent
        get(session, server, "/plain", cancel=cancel)

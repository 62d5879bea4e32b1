"""Tests for runner.salesforce.sockets: sockets that wait through the hub, and block elsewhere."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from runner.salesforce.cooperative import Hub
from runner.salesforce.sockets import CooperativeSocket, create_connection


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server


def address(server: socket.socket) -> tuple[str, int]:
    host, port = server.getsockname()[:2]
    return host, port


def test_outside_a_hub_a_read_blocks_until_its_timeout_as_a_socket_does(
    listener: socket.socket,
) -> None:
    with create_connection(address(listener), 0.05) as sock:
        assert isinstance(sock, CooperativeSocket) and sock.gettimeout() == 0.05
        with pytest.raises(TimeoutError):
            sock.recv(10)


def test_a_refused_connection_is_refused_as_by_the_standard_library(
    listener: socket.socket,
) -> None:
    port = address(listener)[1]
    listener.close()
    with pytest.raises(ConnectionRefusedError):
        create_connection(("127.0.0.1", port), 1.0)


def test_a_lane_waiting_for_an_answer_lets_the_other_lanes_send(
    listener: socket.socket,
) -> None:
    """The server answers the first connection only once the second has spoken: a
    lane that blocked the hub's thread in its read would time out."""
    def serve() -> None:
        first, _ = listener.accept()
        second, _ = listener.accept()
        with first, second:
            assert first.recv(10) == b"one"
            assert second.recv(10) == b"two"
            first.sendall(b"answer one")
            second.sendall(b"answer two")

    server = threading.Thread(target=serve, daemon=True)
    server.start()

    def lane(word: bytes) -> bytes:
        with create_connection(address(listener), 5.0) as sock:
            sock.sendall(word)
            return sock.recv(100)

    tasks = Hub().run([lambda: lane(b"one"), lambda: lane(b"two")], limit=2)
    assert [task.result() for task in tasks] == [b"answer one", b"answer two"]
    server.join(5)


def test_a_shutdown_from_another_thread_ends_a_lanes_read_at_once(
    listener: socket.socket,
) -> None:
    """What a Guard does at a deadline or on Ctrl-C."""
    def lane() -> bytes:
        with create_connection(address(listener), 60.0) as sock:
            threading.Timer(0.05, sock.shutdown, (socket.SHUT_RDWR,)).start()
            return sock.recv(10)

    assert Hub().run([lane], limit=1)[0].result() == b""


def test_a_non_blocking_caller_gets_a_non_blocking_socket(listener: socket.socket) -> None:
    with create_connection(address(listener), 1.0) as sock:
        sock.setblocking(False)
        with pytest.raises(BlockingIOError):
            sock.recv(10)

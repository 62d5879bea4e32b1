"""Sockets whose blocking calls wait through :mod:`runner.salesforce.cooperative`.

The plain adapter's connections are made of these. The socket underneath never blocks;
where a call would, it waits for readiness within the timeout the caller set, as a
blocking socket with a timeout would, and raises ``TimeoutError`` as one does. On a
hub's lane the other lanes run meanwhile; anywhere else the wait blocks.
The transport and ``ssl`` see an ordinary socket (``recv``, ``settimeout``,
``sendall``), and a Guard's shutdown from another thread wakes the wait at once.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import selectors
import socket
import ssl
import time
from collections.abc import Callable
from typing import Any, TypeVar

from runner.salesforce.cooperative import offload, wait

T = TypeVar("T")
_READ, _WRITE = selectors.EVENT_READ, selectors.EVENT_WRITE
_DEFAULT_TIMEOUT = socket._GLOBAL_DEFAULT_TIMEOUT  # type: ignore[attr-defined]  # "not given"
_IN_PROGRESS = (errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY)


class _Waiting:
    """The timeout a caller set, kept apart from the socket's own, which stays 0 (never
    blocks); 0.0 from the caller means it wants a non-blocking socket, and gets one."""

    _wait_timeout: float | None = None
    _never_blocks = False

    def settimeout(self, value: float | None) -> None:
        self._wait_timeout = value
        if not self._never_blocks:  # a system call each time: once per socket is enough
            super().settimeout(0.0)  # type: ignore[misc]
            self._never_blocks = True

    def gettimeout(self) -> float | None:
        return self._wait_timeout

    def setblocking(self, flag: bool) -> None:
        self.settimeout(None if flag else 0.0)

    def _retry(self, events: int, call: Callable[..., T], *args: Any) -> T:
        """``call(*args)`` again each time the socket is ready (for ``events``, or for
        what TLS asks), until it does not need to wait or the timeout passes."""
        timeout = self._wait_timeout
        if timeout == 0.0:
            return call(*args)
        end = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                return call(*args)
            except ssl.SSLWantReadError:
                needed = selectors.EVENT_READ
            except ssl.SSLWantWriteError:
                needed = selectors.EVENT_WRITE
            except BlockingIOError:
                needed = events
            left = None if end is None else end - time.monotonic()
            if (left is not None and left <= 0) or not wait(self, needed, left):  # type: ignore[arg-type]
                raise TimeoutError("timed out")


class CooperativeSocket(_Waiting, socket.socket):
    """A TCP socket for the plain adapter's connections."""

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        return self._retry(_READ, super().recv, bufsize, flags)

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        return self._retry(_READ, super().recv_into, buffer, nbytes, flags)

    def send(self, data: Any, flags: int = 0) -> int:
        return self._retry(_WRITE, super().send, data, flags)

    def sendall(self, data: Any, flags: int = 0) -> None:
        with memoryview(data) as view, view.cast("B") as remaining:
            while remaining:
                remaining = remaining[self.send(remaining, flags):]

    def connect(self, address: Any) -> None:
        if self._wait_timeout == 0.0:
            return super().connect(address)
        error = self.connect_ex(address)
        if error in _IN_PROGRESS:
            if not wait(self, _WRITE, self._wait_timeout):
                raise TimeoutError("timed out")
            error = self.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if error:
            raise OSError(error, os.strerror(error))
        return None


class CooperativeSSLSocket(_Waiting, ssl.SSLSocket):
    """A TLS socket for the plain adapter's connections (set as a context's
    ``sslsocket_class``)."""

    def do_handshake(self, block: bool = False) -> None:
        self._retry(_READ, super().do_handshake)

    def read(self, len: int = 1024, buffer: Any = None) -> Any:
        return self._retry(_READ, super().read, len, buffer)

    def send(self, data: Any, flags: int = 0) -> int:
        return self._retry(_WRITE, super().send, data, flags)


def create_connection(address: tuple[str, int], timeout: Any = _DEFAULT_TIMEOUT,
                      source_address: Any = None, **_: Any) -> CooperativeSocket:
    """``socket.create_connection`` made of a :class:`CooperativeSocket` (a host name is
    resolved on a worker thread when called from a lane)."""
    host, port = address
    error: OSError | None = None
    for family, kind, proto, _name, sockaddr in _resolve(host, port):
        sock = CooperativeSocket(family, kind, proto)
        try:
            sock.settimeout(None if timeout is _DEFAULT_TIMEOUT else timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            error = exc
            sock.close()
    raise error or OSError("getaddrinfo returns an empty list")


def _resolve(host: str, port: int) -> list[Any]:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return offload(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
    return socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)

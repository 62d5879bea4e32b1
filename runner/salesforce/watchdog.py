"""Stopping a request that is stuck in a read: deadlines and Ctrl-C reach the socket.

requests' timeouts apply to each socket operation, so a server that sends a
byte every few seconds, or a header line at a time, is never timed out, and a
thread blocked in ``recv`` cannot be told to stop. Here every request runs under
a :class:`Guard`: the connection pools record which connection the guarded
request uses, and when the guard's deadline passes (one watchdog thread keeps
them in a heap) or its :class:`Cancel` is set, the socket is shut down. The
blocked read then returns at once, in any phase: headers, body or TLS.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from contextvars import ContextVar, Token
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

INTERRUPTED = "interrupted"
_COMPACT_MIN = 256
_GUARD: ContextVar[Guard | None] = ContextVar("guard", default=None)
"""The request under way in this thread, or in this lane of a hub (a greenlet's own)."""


def shutdown(connection: Any) -> None:
    """Shut the connection's socket, so a read blocked on it returns at once."""
    sock = getattr(connection, "sock", None)
    if sock is None:
        return
    with contextlib.suppress(OSError):  # the plain socket's: SSLSocket's would race the reader
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class Cancel(threading.Event):
    """An Event that, once set, also stops every guarded request attached to it."""

    def __init__(self) -> None:
        super().__init__()
        self._guards: set[Guard] = set()
        self._guards_lock = threading.Lock()

    def set(self) -> None:
        super().set()
        with self._guards_lock:
            guards = list(self._guards)
        for guard in guards:
            guard.abort(INTERRUPTED)

    def attach(self, guard: Guard) -> None:
        with self._guards_lock:
            self._guards.add(guard)
        if self.is_set():
            guard.abort(INTERRUPTED)

    def detach(self, guard: Guard) -> None:
        with self._guards_lock:
            self._guards.discard(guard)


class Guard:
    """One request's watch: ``reason`` says why it was stopped (None while it was not)."""

    def __init__(self, deadline: float, expiry: str, cancel: Cancel | None = None) -> None:
        self.deadline = deadline
        self.expiry = expiry  # the reason given when the deadline passes
        self.cancel = cancel
        self.reason: str | None = None
        self.done = False
        self._connections: list[Any] = []
        self._lock = threading.Lock()
        self._token: Token[Guard | None] | None = None

    def __enter__(self) -> Guard:
        self._token = _GUARD.set(self)
        if self.cancel is not None:
            self.cancel.attach(self)
        WATCHDOG.watch(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self.done = True
            self._connections.clear()
        if self._token is not None:
            _GUARD.reset(self._token)
            self._token = None
        if self.cancel is not None:
            self.cancel.detach(self)

    def attach(self, connection: Any) -> None:
        with self._lock:
            self._connections.append(connection)
            stopped = self.reason is not None
        if stopped:
            shutdown(connection)

    def abort(self, reason: str) -> None:
        with self._lock:
            if self.done or self.reason is not None:
                return
            self.reason = reason
            connections = list(self._connections)
        for connection in connections:
            shutdown(connection)


def current_guard() -> Guard | None:
    return _GUARD.get()


class _Watchdog:
    """One daemon thread that aborts guards whose deadline has passed."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._heap: list[tuple[float, int, Guard]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._compact_at = _COMPACT_MIN

    def watch(self, guard: Guard) -> None:
        """Watch ``guard``; the thread is woken only when it must wake sooner than it would
        (a request's deadline is usually later than those already watched), and guards that
        ended early are dropped once they make up half of the heap."""
        with self._condition:
            sooner = not self._heap or guard.deadline < self._heap[0][0]
            heapq.heappush(self._heap, (guard.deadline, next(self._order), guard))
            if len(self._heap) >= self._compact_at:
                self._heap = [entry for entry in self._heap if not entry[2].done]
                heapq.heapify(self._heap)
                self._compact_at = max(_COMPACT_MIN, 2 * len(self._heap))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="watchdog", daemon=True)
                self._thread.start()
            if sooner:
                self._condition.notify()

    def _expired(self) -> list[Guard]:
        now, expired = time.monotonic(), []
        while self._heap and (self._heap[0][2].done or self._heap[0][0] <= now):
            guard = heapq.heappop(self._heap)[2]
            if not guard.done:
                expired.append(guard)
        return expired

    def _run(self) -> None:
        while True:
            with self._condition:
                expired = self._expired()
                if not expired:
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._condition.wait(wait)
                    continue
            for guard in expired:
                guard.abort(guard.expiry)


WATCHDOG = _Watchdog()


class _ShutWhenStopped:
    """A connection that shuts itself once connected if its request was stopped meanwhile."""

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        guard = current_guard()
        if guard is not None and guard.reason is not None:
            shutdown(self)


class _AttachToGuard:
    """A pool that tells the current request's guard which connection it hands out."""

    def _get_conn(self, timeout: float | None = None) -> Any:
        connection = super()._get_conn(timeout)  # type: ignore[misc]
        guard = current_guard()
        if guard is not None:
            guard.attach(connection)
        return connection


class _GuardedHTTPConnection(_ShutWhenStopped, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_ShutWhenStopped, HTTPSConnection):
    pass


class _GuardedHTTPPool(_AttachToGuard, HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(_AttachToGuard, HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


_POOLS = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


class GuardedAdapter(HTTPAdapter):
    """An adapter whose connections a Guard can reach (direct and through proxies)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager

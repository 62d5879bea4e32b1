"""Lanes as greenlets on one thread: many orgs waiting on the network without a thread each.

With a thread per org, 200 orgs are 200 threads taking turns at one interpreter, and
every wait for a socket hands the interpreter to another thread: a request cost 1.42 ×
the CPU it cost with one org. Here each lane is a greenlet. Where a lane would block (a
socket not ready, a pause between tries, a call handed to a worker thread) it switches
to the :class:`Hub`, which waits for all of them at once with :mod:`selectors` and
switches back to the lane whose wait is over. Everything else a lane does runs as it
would in a thread, and code outside a hub (one lane in the calling thread, a library
user) waits as before: :func:`wait`, :func:`pause` and :func:`offload` block when no
hub is current.

gevent does the same by patching the standard library process-wide; the runner needs
cooperation at three points only, so it keeps to greenlet and ``selectors``.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import select
import selectors
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from typing import Any, Generic, TypeVar

import greenlet

T = TypeVar("T")
_COMPACT_MIN = 256
_POLL_S = 0.1  # how often a pausing lane looks at its stop switch
_local = threading.local()
_Timer = list[Any]  # [when, order, the lane to wake or None]: mutable, to be cancelled in place


class Task(Generic[T]):
    """One greenlet's outcome: its value, or the exception it ended with (not an interrupt:
    a KeyboardInterrupt ends the hub's whole run, as it would end a thread pool's)."""

    def __init__(self, function: Callable[[], T]) -> None:
        self._function = function
        self._value: T | None = None
        self._error: Exception | None = None

    def run(self) -> None:
        try:
            self._value = self._function()
        except Exception as exc:  # kept for result(), as a Future keeps it
            self._error = exc

    def result(self) -> T:
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


class Hub:
    """Runs greenlets on the calling thread until they end; ``wait``/``pause``/``offload``
    are called from inside them."""

    def __init__(self) -> None:
        self._selector = selectors.DefaultSelector()
        self._timers: list[_Timer] = []
        self._cancelled = 0
        self._order = itertools.count()
        self._ready: deque[tuple[greenlet.greenlet, tuple[Any, ...]]] = deque()
        self._posted: deque[greenlet.greenlet] = deque()
        self._posted_lock = threading.Lock()
        self._offloading: set[greenlet.greenlet] = set()  # lanes waiting for a worker
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._workers: ThreadPoolExecutor | None = None
        self._most_workers = 1
        self._loop: greenlet.greenlet | None = None

    # -- running ----------------------------------------------------------
    def run(self, functions: Iterable[Callable[[], T]], *, limit: int) -> list[Task[T]]:
        """Run ``functions`` as greenlets, at most ``limit`` at once, in the given order;
        return their tasks once every one has ended."""
        pending = deque(Task(function) for function in functions)
        tasks = list(pending)
        self._most_workers = max(1, limit)  # a lane hands over one call at a time
        self._loop = greenlet.getcurrent()
        previous = getattr(_local, "hub", None)
        _local.hub = self
        running: set[greenlet.greenlet] = set()
        try:
            while pending or running:
                while pending and len(running) < limit:
                    running.add(self._start(pending.popleft()))
                self._resume_ready()
                running = {lane for lane in running if not lane.dead}
                if running and (len(running) == limit or not pending):
                    self._wait_for_events()  # every lane that can go on waits
        finally:
            _local.hub = previous
            self._close()
        return tasks

    def _start(self, task: Task[Any]) -> greenlet.greenlet:
        lane = greenlet.greenlet(task.run, parent=self._loop)
        lane.gr_context = copy_context()  # as a new thread started with ``carry``
        self._ready.append((lane, ()))
        return lane

    def _resume_ready(self) -> None:
        """Resume every lane that may go on, each until it waits or ends."""
        while self._ready:
            lane, args = self._ready.popleft()
            if not lane.dead:  # a late wake-up of a lane that has ended meanwhile
                lane.switch(*args)

    def _wait_for_events(self) -> None:
        timeout = None
        if self._timers:
            timeout = max(0.0, self._timers[0][0] - time.monotonic())
        woken: dict[greenlet.greenlet, bool] = {}  # a lane is resumed once, however woken
        for key, _events in self._selector.select(timeout):
            if key.data is None:
                self._drain_wakeups()
            else:
                woken[key.data] = True
        now = time.monotonic()
        while self._timers and self._timers[0][0] <= now:
            lane = heapq.heappop(self._timers)[2]
            if lane is None:  # the wait ended before its timeout
                self._cancelled -= 1
            else:
                woken.setdefault(lane, False)
        with self._posted_lock:
            for lane in self._posted:
                if lane in self._offloading:  # not a lane whose call was done at once
                    woken.setdefault(lane, True)
            self._posted.clear()
        self._ready.extend((lane, (value,)) for lane, value in woken.items())

    def _drain_wakeups(self) -> None:
        with contextlib.suppress(BlockingIOError):
            while self._wake_r.recv(4096):
                pass

    def _close(self) -> None:
        if self._workers is not None:
            self._workers.shutdown(wait=True)
            self._workers = None
        self._selector.close()
        self._wake_r.close()
        self._wake_w.close()

    # -- what lanes call --------------------------------------------------
    def _suspend(self) -> Any:
        assert self._loop is not None
        return self._loop.switch()

    def wait(self, sock: socket.socket, events: int, timeout: float | None) -> bool:
        """Until ``sock`` is ready for ``events`` (True) or ``timeout`` passes (False)."""
        lane = greenlet.getcurrent()
        timer = None
        if timeout is not None:
            timer = [time.monotonic() + timeout, next(self._order), lane]
            heapq.heappush(self._timers, timer)
        self._selector.register(sock, events, lane)
        try:
            ready: bool = self._suspend()
        finally:
            self._selector.unregister(sock)
            if timer is not None:
                self._cancel(timer)
        return ready

    def _cancel(self, timer: _Timer) -> None:
        """Leave a timer in the heap, skipped when it comes up; rebuild the heap once such
        timers make up most of it (a read timeout is usually far longer than the read)."""
        timer[2] = None
        self._cancelled += 1
        if self._cancelled > _COMPACT_MIN and 2 * self._cancelled > len(self._timers):
            self._timers = [entry for entry in self._timers if entry[2] is not None]
            heapq.heapify(self._timers)
            self._cancelled = 0

    def pause(self, seconds: float, stop: threading.Event) -> bool:
        """Sleep up to ``seconds``; True as soon as ``stop`` is set (within 0.1 s)."""
        lane = greenlet.getcurrent()
        end = time.monotonic() + seconds
        while not stop.is_set():
            left = end - time.monotonic()
            if left <= 0:
                return False
            heapq.heappush(self._timers, [time.monotonic() + min(left, _POLL_S),
                                          next(self._order), lane])
            self._suspend()
        return True

    def offload(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` on a worker thread (with this lane's context), the lane
        waiting meanwhile: for calls that can only block. There are as many workers as
        lanes may run at once (started when first needed), so no lane waits for another's
        call: 200 orgs behind a proxy still wait for their answers side by side."""
        if self._workers is None:
            self._workers = ThreadPoolExecutor(self._most_workers,
                                               thread_name_prefix="offload")
        return self.hand_over(self._workers, function, args)

    def hand_over(self, pool: ThreadPoolExecutor, function: Callable[..., T],
                  args: tuple[Any, ...]) -> T:
        """``function(*args)`` on one of ``pool``'s threads (with this lane's context), the
        lane waiting for it while the others run."""
        future = pool.submit(copy_context().run, function, *args)
        lane = greenlet.getcurrent()
        future.add_done_callback(lambda _: self._post(lane))
        self._offloading.add(lane)
        try:
            while not future.done():
                self._suspend()
        finally:
            self._offloading.discard(lane)
        return future.result()

    def _post(self, lane: greenlet.greenlet) -> None:
        """Resume ``lane`` from another thread."""
        with self._posted_lock:
            self._posted.append(lane)
        with contextlib.suppress(OSError):  # already awake (a full pipe), or the hub ended
            self._wake_w.send(b"\0")


def current() -> Hub | None:
    """The hub of the lane running now; None outside a lane (on the hub's own loop,
    or in a thread with no hub)."""
    hub: Hub | None = getattr(_local, "hub", None)
    if hub is None or greenlet.getcurrent() is hub._loop:
        return None
    return hub


def pause(seconds: float, stop: threading.Event) -> bool:
    """Wait up to ``seconds`` unless ``stop`` is set first (True): ``stop.wait`` that
    lets the other lanes of a hub run meanwhile."""
    hub = current()
    if hub is None:
        return stop.wait(seconds)
    return hub.pause(seconds, stop)


def offload(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)``, off the hub's thread when called from a lane."""
    hub = current()
    if hub is None:
        return function(*args)
    return hub.offload(function, *args)


_CORES: list[ThreadPoolExecutor] = []
_CORES_LOCK = threading.Lock()


def compute(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)``, from a lane on one of a thread per core shared by the whole
    process, the other lanes running meanwhile; at once anywhere else. For CPU work that
    lets go of the interpreter (OpenSSL signing a JWT), which then runs on the other cores:
    200 lanes signing their logins on the hub took 65 ms of its single core."""
    hub = current()
    if hub is None:
        return function(*args)
    with _CORES_LOCK:
        if not _CORES:
            _CORES.append(ThreadPoolExecutor(os.cpu_count() or 1, thread_name_prefix="compute"))
    return hub.hand_over(_CORES[0], function, args)


def wait(sock: socket.socket, events: int, timeout: float | None) -> bool:
    """Until ``sock`` is ready for ``events`` (True) or ``timeout`` passes (False)."""
    hub = current()
    if hub is not None:
        return hub.wait(sock, events, timeout)
    poll = select.poll()  # one descriptor, of any number (select() stops at 1024)
    poll.register(sock, (select.POLLIN if events & selectors.EVENT_READ else 0)
                  | (select.POLLOUT if events & selectors.EVENT_WRITE else 0))
    return bool(poll.poll(None if timeout is None else max(0.0, timeout) * 1000))

"""Tests for runner.salesforce.cooperative: lanes as greenlets that wait on one hub."""

from __future__ import annotations

import contextvars
import selectors
import socket
import threading
from collections.abc import Callable
from functools import partial

import pytest

from runner.salesforce import cooperative
from runner.salesforce.cooperative import Hub


def run(*functions: Callable[[], object], limit: int = 10) -> list[object]:
    return [task.result() for task in Hub().run(functions, limit=limit)]


def test_lanes_run_side_by_side_each_waiting_while_the_others_go_on() -> None:
    log: list[str] = []
    never = threading.Event()

    def lane(name: str) -> str:
        log.append(f"{name} starts")
        cooperative.pause(0.05, never)
        log.append(f"{name} ends")
        return name

    assert run(*(partial(lane, name) for name in "abc")) == ["a", "b", "c"]
    assert log[:3] == ["a starts", "b starts", "c starts"]  # nobody waited for another's pause
    assert sorted(log[3:]) == ["a ends", "b ends", "c ends"]


def test_at_most_limit_lanes_run_at_once_and_they_start_in_order() -> None:
    running: list[int] = []
    most: list[int] = []
    never = threading.Event()

    def lane(number: int) -> int:
        running.append(number)
        most.append(len(running))
        cooperative.pause(0.01, never)
        running.remove(number)
        return number

    assert run(*(partial(lane, n) for n in range(7)), limit=3) == list(range(7))
    assert max(most) == 3


def test_a_socket_wait_resumes_the_lane_whose_socket_is_ready() -> None:
    near, far = socket.socketpair()
    got: list[bytes] = []

    def reader() -> bool:
        ready = cooperative.wait(near, selectors.EVENT_READ, 5.0)
        got.append(near.recv(10))
        return ready

    def writer() -> bool:
        far.sendall(b"hello")
        return True

    with near, far:
        assert run(reader, writer) == [True, True]
    assert got == [b"hello"]


def test_a_socket_wait_ends_false_at_its_timeout_in_a_lane_and_outside() -> None:
    near, far = socket.socketpair()
    with near, far:
        assert run(lambda: cooperative.wait(near, selectors.EVENT_READ, 0.02)) == [False]
        assert cooperative.wait(near, selectors.EVENT_READ, 0.02) is False
        far.sendall(b"x")
        assert cooperative.wait(near, selectors.EVENT_READ, 0.02) is True


def test_a_pause_ends_early_when_another_thread_sets_the_stop_switch() -> None:
    stop = threading.Event()
    threading.Timer(0.05, stop.set).start()
    assert run(lambda: cooperative.pause(60.0, stop)) == [True]
    assert cooperative.pause(60.0, stop) is True  # set already: no wait at all


def test_an_offloaded_call_runs_on_a_worker_thread_with_the_lanes_context() -> None:
    name: contextvars.ContextVar[str] = contextvars.ContextVar("name", default="none")

    def where() -> tuple[str, str]:
        return threading.current_thread().name, name.get()

    def lane() -> tuple[str, str]:
        name.set("lane's own")
        return cooperative.offload(where)

    thread, seen = run(lane)[0]  # type: ignore[misc]
    assert thread.startswith("offload") and seen == "lane's own"
    assert cooperative.offload(where) == (threading.current_thread().name, "none")


def test_computed_work_runs_on_a_thread_per_core_while_the_other_lanes_go_on() -> None:
    """A lane signing its JWT does not hold up the hub: here the computed call ends only
    once another lane has run on the hub meanwhile."""
    name: contextvars.ContextVar[str] = contextvars.ContextVar("name", default="none")
    other_ran = threading.Event()

    def signing() -> tuple[str, str, bool]:
        return threading.current_thread().name, name.get(), other_ran.wait(10)

    def signer() -> tuple[str, str, bool]:
        name.set("signer's own")
        return cooperative.compute(signing)

    thread, seen, overlapped = run(signer, other_ran.set)[0]  # type: ignore[misc]
    assert thread.startswith("compute") and seen == "signer's own" and overlapped
    assert cooperative.compute(threading.current_thread) is threading.current_thread()


def test_each_lane_has_its_own_context_starting_from_the_callers() -> None:
    name: contextvars.ContextVar[str] = contextvars.ContextVar("name", default="none")
    name.set("caller")
    never = threading.Event()

    def lane(mine: str) -> tuple[str, str]:
        before = name.get()
        name.set(mine)
        cooperative.pause(0.01, never)  # the other lane sets its own meanwhile
        return before, name.get()

    assert run(partial(lane, "a"), partial(lane, "b")) == [("caller", "a"), ("caller", "b")]
    assert name.get() == "caller"


def test_a_lanes_exception_is_raised_by_its_result_not_by_the_hub() -> None:
    def fails() -> None:
        raise ValueError("boom")

    first, second = Hub().run([fails, lambda: "fine"], limit=2)
    assert second.result() == "fine"
    with pytest.raises(ValueError, match="boom"):
        first.result()


def test_there_is_no_hub_outside_a_lane_nor_on_the_hubs_own_loop() -> None:
    assert cooperative.current() is None
    seen = run(lambda: cooperative.current() is not None)
    assert seen == [True]
    assert cooperative.current() is None


def test_every_lane_may_have_a_call_offloaded_at_the_same_time() -> None:
    """Requests through a proxy can only block: 12 lanes waiting on their proxied
    answers must all be waiting at once, as 12 threads would."""
    together = threading.Barrier(12, timeout=10)
    lanes = Hub().run([lambda: cooperative.offload(together.wait) for _ in range(12)],
                      limit=12)
    assert sorted(task.result() for task in lanes) == list(range(12))


def test_an_interrupt_in_a_lane_ends_the_whole_run() -> None:
    """Ctrl-C met by a lane (a hub on the main thread) stops the run, not that lane alone."""
    never = threading.Event()
    after: list[str] = []

    def interrupted() -> None:
        raise KeyboardInterrupt

    def patient() -> None:
        cooperative.pause(0.05, never)
        after.append("went on")

    with pytest.raises(KeyboardInterrupt):
        Hub().run([patient, interrupted], limit=2)
    assert after == []

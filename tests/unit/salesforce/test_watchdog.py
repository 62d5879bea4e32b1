"""The watchdog: a deadline that passes stops its request, even one that comes after many
longer ones, and the requests that ended on time do not pile up in its heap."""

from __future__ import annotations

import time

from runner.salesforce.watchdog import Guard, _Watchdog


def test_a_short_deadline_after_long_ones_still_fires() -> None:
    watchdog = _Watchdog()
    long_ones = [Guard(time.monotonic() + 600, "timeout") for _ in range(5)]
    for guard in long_ones:
        watchdog.watch(guard)
    short = Guard(time.monotonic() + 0.05, "deadline")
    watchdog.watch(short)
    ends = time.monotonic() + 10
    while short.reason is None and time.monotonic() < ends:
        time.sleep(0.01)
    assert short.reason == "deadline"
    assert all(guard.reason is None for guard in long_ones)


def test_guards_that_ended_are_dropped_from_the_heap() -> None:
    watchdog = _Watchdog()
    running = Guard(time.monotonic() + 600, "timeout")
    watchdog.watch(running)
    for _ in range(10_000):  # a 10,000-item loop: each request's guard ends long before
        guard = Guard(time.monotonic() + 600, "timeout")
        watchdog.watch(guard)
        guard.__exit__(None, None, None)
    assert len(watchdog._heap) < 600
    assert any(entry[2] is running for entry in watchdog._heap)

import io
import os

import pytest
from rich.console import Console

from runner.report.progress import ProgressDisplay, wanted


def test_progress_only_on_a_real_terminal_and_when_enabled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    main, secondary = os.openpty()
    with os.fdopen(secondary, "w") as tty, os.fdopen(main, "rb"):
        terminal = Console(file=tty)
        assert wanted(terminal, enabled=True)
        assert not wanted(terminal, enabled=False)
    read, write = os.pipe()
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    with os.fdopen(write, "w") as pipe, os.fdopen(read, "rb"):
        forced = Console(file=pipe)
        assert forced.is_terminal  # what rich believes, and colours follow it
        assert not wanted(forced, enabled=True)  # redrawn frames would fill a CI log
    assert not wanted(Console(file=io.StringIO(), force_terminal=True), enabled=True)


def test_progress_counts_and_disappears():
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=80)
    display = ProgressDisplay(console, orgs=2, steps=3)
    for _ in range(6):
        display.step_done()
    display.org_done()
    display.org_done()
    display.stop()
    assert "6/6" in buffer.getvalue() or "steps" in buffer.getvalue()

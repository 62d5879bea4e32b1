import io

from rich.console import Console

from runner.report.progress import ProgressDisplay, wanted


def test_progress_only_on_terminals_and_when_enabled():
    terminal = Console(file=io.StringIO(), force_terminal=True)
    piped = Console(file=io.StringIO(), force_terminal=False)
    assert wanted(terminal, enabled=True)
    assert not wanted(terminal, enabled=False)
    assert not wanted(piped, enabled=True)


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

"""SIGINT and SIGTERM for one command: what a signal does depends on when it comes.

- Before any playbook runs (reading options and files): the command ends at once,
  exit 99; nothing ran, so there is nothing to report.
- While playbooks run: the first signal asks the run to stop (requests under way
  are cut, steps not run are marked interrupted) and raises nothing, so no line of
  the command is torn; the reports are then written. A second one stops waiting
  for the lanes.
- Once the runs are over (recap, token cache, reports): signals are noted and wait;
  the reports are finished first. A run that had ended keeps its exit status.

The handlers are Python's, so they run in the main thread between two bytecodes;
they are installed only there (``main()`` called from another thread keeps the
process's own). The process imports this module first, before it reads its
arguments: it imports nothing ``re`` has not (``typing`` is for the type checker).
"""

from __future__ import annotations

import enum
import signal
from contextlib import contextmanager

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy reads it alike)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from types import FrameType
    from typing import Any

HANDLED = (signal.SIGINT, signal.SIGTERM)


class Phase(enum.Enum):
    STARTING = "starting"
    RUNNING = "running"
    FINISHING = "finishing"


class Signals:
    """The signals one command received, and what to do with the next one."""

    def __init__(self) -> None:
        self.phase = Phase.STARTING
        self.received: list[int] = []
        self._stop: Callable[[], None] | None = None

    def handle(self, signum: int, frame: FrameType | None) -> None:
        self.received.append(signum)
        if self.phase is Phase.STARTING:
            raise KeyboardInterrupt
        if self.phase is Phase.RUNNING:
            if len(self.received) > 1:
                raise KeyboardInterrupt  # asked twice: stop waiting for the lanes
            if self._stop is not None:
                self._stop()

    @property
    def requested(self) -> bool:
        return bool(self.received)

    def watch(self, stop: Callable[[], None]) -> None:
        """Call ``stop`` on the next signal (at once if one already came)."""
        self._stop = stop
        if self.received:
            stop()

    @contextmanager
    def running(self) -> Iterator[Signals]:
        """Playbooks run inside this block; after it, signals only wait."""
        self.phase = Phase.RUNNING
        try:
            yield self
        finally:
            self.phase = Phase.FINISHING
            self._stop = None

    def install(self) -> dict[int, Any]:
        """Handle SIGINT and SIGTERM from now on; returns the handlers replaced (none when
        not in the main thread: signals then stay the process's business)."""
        previous: dict[int, Any] = {}
        try:
            for number in HANDLED:
                previous[number] = signal.signal(number, self.handle)
        except ValueError:
            pass
        return previous

    @contextmanager
    def installed(self) -> Iterator[Signals]:
        """Handle SIGINT and SIGTERM until the block ends, then restore the handlers."""
        previous = self.install()
        try:
            yield self
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

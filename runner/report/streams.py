"""Output streams that a reader may leave: the console keeps quiet, the run goes on.

``sfjwt-run … | head -3`` closes the pipe after three lines; a terminal can die
under a run. A write to such a stream fails (EPIPE, EIO); were the error to
reach the run, it would stop half-way (a record created, never deleted) and
write no report. A ``GuardedStream`` swallows the first such failure, points
its file descriptor at the null device (so the interpreter's last flush cannot
fail either) and drops everything written after it.
"""

from __future__ import annotations

import os
from typing import TextIO


class GuardedStream:
    """A text stream that goes quiet for good when writing to it fails."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.lost = False

    def write(self, text: str) -> int:
        if not self.lost:
            try:
                self._stream.write(text)
            except (OSError, ValueError):  # EPIPE, EIO, or a stream closed under us
                self._lose()
        return len(text)

    def flush(self) -> None:
        if not self.lost:
            try:
                self._stream.flush()
            except (OSError, ValueError):
                self._lose()

    def isatty(self) -> bool:
        return not self.lost and _isatty(self._stream)

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self._stream, "encoding", None) or "utf-8"

    def _lose(self) -> None:
        self.lost = True
        silence(self._stream)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (OSError, ValueError):
        return False


def is_terminal(stream: object) -> bool:
    """Whether ``stream`` is a real terminal, whatever FORCE_COLOR or TTY_COMPATIBLE say."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except (OSError, ValueError):
        return False


def silence(stream: TextIO) -> None:
    """Point ``stream``'s file descriptor at the null device, when it has one."""
    try:
        descriptor = stream.fileno()
    except (OSError, ValueError, AttributeError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, descriptor)
    except OSError:
        pass
    finally:
        os.close(devnull)

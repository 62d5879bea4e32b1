"""Reading a small local file (key, certificate, token cache, data) without trusting what it is.

A path that names a FIFO would block a plain ``open`` forever and ``/dev/zero``
would be read until memory ran out, so the file is opened without blocking,
must be a regular file, and is read only up to a limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class FileRefused(Exception):
    """The file cannot be used; ``reason`` completes "PATH ..." in one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def file_kind(mode: int) -> str:
    """What a file that is not a regular one is, in words: a directory, a named pipe ..."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def size_text(size: int) -> str:
    """Bytes in words a person reads: 512 bytes, 64 KB, 1.9 GB."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; FileRefused otherwise."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise FileRefused("does not exist") from None
    except IsADirectoryError:
        raise FileRefused("is a directory, not a file") from None
    except OSError as exc:
        raise FileRefused(f"cannot be read: {exc.strerror}") from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        raise FileRefused(f"is {file_kind(mode)}, not a regular file")
    with os.fdopen(descriptor, "rb", buffering=0) as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise FileRefused(f"cannot be read: {exc.strerror}") from None
    if data is None or len(data) > limit:
        raise FileRefused(f"is larger than {size_text(limit)}, too large for what it should hold")
    return data

"""Report files written whole or not at all, and report paths checked before a run.

A report replaces its file in one step: the text goes to a temporary file in the
same folder, which ``os.replace`` then puts in place, so a reader (or a signal,
or a full disk) never meets a half-written or emptied report. A path that is
not a regular file (``/dev/stdout``, a named pipe, ``>(jq .)``) and a markdown
report appended to ``$GITHUB_STEP_SUMMARY`` are written in place: renaming over
them would replace the device or pipe, or the other steps' summaries.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

NEW_FILE_MODE = 0o666  # narrowed by the umask, as for any file the command creates


def unwritable(path: Path) -> str | None:
    """Why a report cannot be written at ``path`` (None when it can); creates its folder."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except NotADirectoryError:
        return "a part of its path is a file, not a folder"
    except OSError as exc:
        return exc.strerror or str(exc)
    if mode is not None and stat.S_ISDIR(mode):
        return "it is a folder"
    if mode is not None and not stat.S_ISREG(mode):
        return None if os.access(path, os.W_OK) else "permission denied"
    folder = Path(os.path.realpath(path)).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot create its folder {folder}: {exc.strerror or exc}"
    if mode is not None and not os.access(path, os.W_OK):
        return "permission denied"
    try:
        _Temporary(folder / path.name, NEW_FILE_MODE).close()
    except OSError as exc:
        return f"cannot create a file in {folder}: {exc.strerror or exc}"
    return None


class _Temporary:
    """A new file beside the target, removed unless it was put in place."""

    def __init__(self, target: Path, mode: int) -> None:
        token = secrets.token_hex(4)
        self.path = target.with_name(f".{target.name}.{os.getpid()}.{token}.tmp")
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]

    def close(self, *, keep: bool = False) -> None:
        os.close(self.fd)
        if not keep:
            self.path.unlink(missing_ok=True)


def write_text(path: Path, text: str, *, append: bool = False) -> None:
    """Write ``text`` (UTF-8) to ``path``: in one step where it is a regular file or new,
    appended or in place otherwise. Raises OSError; ``path`` is then as it was."""
    data = text.encode("utf-8", "replace")  # the sinks already made it valid text
    target = Path(os.path.realpath(path))  # a symlinked report: its target is replaced
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    if append or (mode is not None and not stat.S_ISREG(mode)):
        with open(target, "ab" if append else "wb") as file:
            file.write(data)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = _Temporary(target, NEW_FILE_MODE if mode is None else stat.S_IMODE(mode))
    try:
        if mode is not None:
            os.fchmod(temporary.fd, stat.S_IMODE(mode))  # the umask narrowed the open()
        temporary.write(data)
        os.fsync(temporary.fd)
    except BaseException:
        temporary.close()
        raise
    temporary.close(keep=True)
    try:
        os.replace(temporary.path, target)
    except BaseException:
        temporary.path.unlink(missing_ok=True)
        raise

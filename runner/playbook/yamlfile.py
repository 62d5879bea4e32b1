"""A YAML file read as text: a small regular file of UTF-8, or a clear refusal.

A directory, a file too large, one with a NUL byte (binary) or a byte that is not
UTF-8 (with its line and column) is refused before the YAML parser sees anything.
"""

from __future__ import annotations

from pathlib import Path

from runner.errors import PlaybookError, Position

MAX_BYTES = 5 * 1024 * 1024


def read_yaml_text(shown: str) -> str:
    """The text of the file ``shown`` names, refused unless it is a small UTF-8 text."""
    raw = _read_bytes(Path(shown), shown)
    if b"\x00" in raw:
        raise PlaybookError(f"{shown}: is a binary file, not YAML text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise PlaybookError(
            f"invalid UTF-8 byte 0x{raw[exc.start]:02x}; save the file as UTF-8",
            position=Position(shown, line, col),
        ) from None
    return text


def _read_bytes(path: Path, shown: str) -> bytes:
    try:
        if path.is_dir():
            raise PlaybookError(f"{shown}: is a directory, not a YAML file")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise PlaybookError(f"{shown}: file too large ({size} bytes; the limit is {MAX_BYTES})")
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise PlaybookError(f"{shown}: no such file") from None
    except PermissionError:
        raise PlaybookError(f"{shown}: permission denied") from None
    except OSError as exc:
        raise PlaybookError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise PlaybookError(f"{shown}: file too large (the limit is {MAX_BYTES} bytes)")
    return raw

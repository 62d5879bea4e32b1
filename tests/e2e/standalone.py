"""Start a standalone ``sfjwt-emulator`` process for end-to-end tests."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

URL = re.compile(r"listening on (\S+)")


@contextmanager
def standalone_emulator(*args: str, cwd: Path | None = None) -> Iterator[str]:
    """Run ``sfjwt-emulator --port 0 ARGS``; yields its base URL, stops it after."""
    process = subprocess.Popen(
        [sys.executable, "-m", "runner.emulator.cli", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=cwd,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = URL.search(first)
        assert match, f"the emulator did not print its URL: {first!r}"
        yield match.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)

"""Where printed text leaves the process: a stream that masks every write, whatever wrote it.

Reporters mask each value they print; this is the last line, on the process's
stdout and stderr, for text that reached a console by some other way.
"""

from __future__ import annotations

from typing import Any, TextIO

from runner.secrets import redact


class MaskedStream:
    """Wraps a text stream: ``write`` masks secrets, everything else is the stream's own."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(redact(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

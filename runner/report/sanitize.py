"""Text from servers and playbooks made valid and inert for each place it is written.

A response body, a loop item or a step name can hold anything: control
characters, escape sequences, lone surrogates (from ``"\\ud800"`` in JSON or
bytes that are not UTF-8), NaN and infinities, objects of any type. Each sink
gets what it can carry:

- the terminal: no control character reaches it raw (an ESC could clear the
  screen, retitle the window or write the clipboard with OSC 52); each is shown
  as an escape such as ``\\x1b``, as are bidirectional overrides;
- JUnit XML: only the characters XML 1.0 allows, the others as escapes;
- markdown and HTML: no control characters (HTML is escaped by their renderers);
- JSON: plain data that strict parsers read: NaN and the infinities become the
  strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``, other objects their text,
  keys text, and structures deeper than ``MAX_DEPTH`` levels are cut there.

Lone surrogates become U+FFFD everywhere: UTF-8 cannot carry them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

MAX_DEPTH = 64
"""Levels of nesting kept in report data; deeper values are replaced by a note."""
REPLACEMENT = "\ufffd"

_SURROGATES = "\ud800-\udfff"
_TERMINAL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069{_SURROGATES}]")
_XML = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff{_SURROGATES}]")
_DOCUMENT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_SURROGATES}]")


def _shown(match: re.Match[str]) -> str:
    """A character that must not be written, as an escape a person can read."""
    code = ord(match.group())
    if 0xD800 <= code <= 0xDFFF:
        return REPLACEMENT
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str) -> str:
    """``text`` with every control character shown as an escape (tab and newline kept)."""
    return _TERMINAL.sub(_shown, text)


def xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 forbids shown as escapes."""
    return _XML.sub(_shown, text)


def document_text(text: str) -> str:
    """``text`` for a markdown or HTML file: control characters shown as escapes."""
    return _DOCUMENT.sub(_shown, text)


def plain_text(text: str) -> str:
    """``text`` that UTF-8 can carry: lone surrogates replaced."""
    return re.sub(f"[{_SURROGATES}]", REPLACEMENT, text)


_NUMBERS = {math.inf: "Infinity", -math.inf: "-Infinity"}


def json_safe(value: Any, depth: int = 0) -> Any:
    """``value`` as plain JSON data that strict parsers accept (see the module's notes)."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _NUMBERS.get(value, "NaN")
    if isinstance(value, str):
        return plain_text(value)
    if depth >= MAX_DEPTH:
        return f"(nested deeper than {MAX_DEPTH} levels)"
    if isinstance(value, Mapping):
        return {plain_text(str(key)): json_safe(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item, depth + 1) for item in value]
    return plain_text(_text_of(value))


def _text_of(value: Any) -> str:
    try:
        return str(value)
    except Exception:  # an object whose __str__ fails is still reported
        return f"<{type(value).__name__}>"


FILE_TEXT: dict[str, Callable[[str], str]] = {
    "junit": xml_text,
    "markdown": document_text,
    "html": document_text,
    "json": plain_text,  # the data is already plain (json_safe); JSON escapes controls itself
}
"""What each report file's whole text passes through before it is written."""

"""A console that writes plain lines itself and loads rich only for anything else.

Importing rich and building a console costs more than everything
``--syntax-check`` does for a playbook, and all it prints is one plain line. A
``LazyConsole`` stands where a rich console would: a ``print`` of one plain
string, with markup off, soft-wrapped, goes straight to the stream as rich would
write it; any other use builds the rich console (``console_on``) and hands it
everything from then on.

Plain text is text that rich's rendering leaves as it is: printable characters
and newlines, no tab (rich expands tabs), nothing that could be an emoji code
(``:name:``, which rich replaces even with markup off); the consoles' inert hook
and rich's control-code stripping have nothing to do on it either.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy reads it alike)
if TYPE_CHECKING:
    from typing import Any, TextIO

    from rich.console import Console

_EMOJI_CODE = re.compile(r":\S*:")  # what rich's emoji pattern needs to match at all
PLAIN_OPTIONS = frozenset({"markup", "highlight", "soft_wrap"})


def is_plain(text: str) -> bool:
    """Whether rich would print ``text`` exactly as it is."""
    return "\t" not in text and text.replace("\n", "").isprintable() \
        and _EMOJI_CODE.search(text) is None


def console_on(stream: TextIO, *, width: int | None, soft_wrap: bool, **options: Any) -> Console:
    """``runner.report.consoles.console_on``, imported when a console is first needed (the
    one deferred import of the report package: rich's import is what this module saves)."""
    consoles = importlib.import_module("runner.report.consoles")
    console: Console = consoles.console_on(stream, width=width, soft_wrap=soft_wrap, **options)
    return console


class LazyConsole:
    """A rich console (built without highlighting) made on first need; plain lines are
    written without it."""

    def __init__(self, stream: TextIO, build: Callable[[], Console], *, soft_wrap: bool) -> None:
        self._stream = stream
        self._build = build
        self._soft_wrap = soft_wrap
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        if self._console is None:
            self._console = self._build()
        return self._console

    def print(self, *objects: Any, **options: Any) -> None:
        if self._console is None and self._plain(objects, options):
            self._stream.write(f"{objects[0]}\n")  # one write, then a flush: as rich does
            self._stream.flush()
            return
        self.console.print(*objects, **options)

    def _plain(self, objects: tuple[Any, ...], options: dict[str, Any]) -> bool:
        soft_wrap = options.get("soft_wrap")
        return (len(objects) == 1 and isinstance(objects[0], str)
                and options.keys() <= PLAIN_OPTIONS and options.get("markup") is False
                and not options.get("highlight")
                and (self._soft_wrap if soft_wrap is None else soft_wrap)
                and is_plain(objects[0]))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.console, name)

    def __enter__(self) -> Console:
        return self.console.__enter__()

    def __exit__(self, *exc: object) -> None:
        self.console.__exit__(*exc)

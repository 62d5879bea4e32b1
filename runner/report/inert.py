"""Console output that a terminal cannot take for commands.

Rich writes text as it is given: an ESC from a response body would reach the
terminal and clear it, retitle it or write the clipboard (OSC 52). A render hook
on each console passes every segment of text through ``sanitize.terminal_text``
after layout and before rich adds its own colours, so rich's styling and the live
progress display keep working and nothing else can steer the terminal.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderHook, RenderResult
from rich.segment import Segment

from runner.report.sanitize import terminal_text


class _Inert:
    """One renderable whose text segments are shown inert."""

    def __init__(self, renderable: ConsoleRenderable) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.renderable, options):
            if segment.control:
                yield segment
            else:
                yield Segment(terminal_text(segment.text), segment.style)


class InertHook(RenderHook):
    def process_renderables(
        self, renderables: list[ConsoleRenderable]
    ) -> list[ConsoleRenderable]:
        return [_Inert(renderable) for renderable in renderables]


def make_inert(console: Console) -> Console:
    """``console`` with every text it prints made inert for a terminal."""
    console.push_render_hook(InertHook())
    return console

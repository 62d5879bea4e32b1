"""A lazy console writes exactly what rich's console would, building it only when needed."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from runner.cli.environment import Environment
from runner.errors import PlaybookError, Position
from runner.report import messages
from runner.report.lazy import LazyConsole, is_plain

PIECES = st.sampled_from([
    "playbooks/smoke.yml", ": syntax OK (4 steps)", ":smile:", ":", "::", " ", "\t", "\n",
    "[bold]x[/]", "\x1b[2J", "\r", "\x07", "\u202e", "\ud800", "é", "日本", "\u00a0", "…",
    "file:3:5:", "warning", "{{ x }}", "-emoji:", "\\",
])
TEXTS = st.lists(PIECES, max_size=8).map("".join)


def _both(color: str, write: object) -> tuple[str, str, bool]:
    """What ``write(env)`` prints to stdout and stderr, lazily and with rich's consoles, and
    whether the lazy environment still had no rich console at the end."""
    shown = []
    lazy_built = True
    for lazy in (True, False):
        out, err = io.StringIO(), io.StringIO()
        env = Environment.on_streams(out, err, color, lazy=lazy)
        write(env)  # type: ignore[operator]
        shown.append(out.getvalue() + "|" + err.getvalue())
        if lazy:
            lazy_built = any(isinstance(c, LazyConsole) and c._console is not None
                             for c in (env.stdout, env.stderr))
    return shown[0], shown[1], not lazy_built


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, color=st.sampled_from(["auto", "never", "always"]))
def test_what_a_lazy_console_prints_is_what_rich_prints(text: str, color: str) -> None:
    def write(env: Environment) -> None:
        env.stdout.print(text, markup=False, highlight=False)
        env.stderr.print(text, markup=False, highlight=False, soft_wrap=True)
        env.stderr.print(text, markup=False, highlight=False)  # wrapped by rich: never plain

    lazy, rich, unbuilt = _both(color, write)
    assert lazy == rich
    assert not unbuilt  # the stderr line without soft_wrap needed rich


@settings(max_examples=200, deadline=None)
@given(text=TEXTS)
def test_a_plain_line_needs_no_rich_console(text: str) -> None:
    def write(env: Environment) -> None:
        env.stdout.print(text, markup=False, highlight=False)

    lazy, rich, unbuilt = _both("never", write)
    assert lazy == rich
    assert unbuilt == is_plain(text)


def test_the_syntax_check_line_is_plain_and_a_notice_with_a_position_is_not() -> None:
    assert is_plain("playbooks/smoke.yml: syntax OK (4 steps), 1 warning")
    assert not is_plain("p.yml:3:5: warning: env.X is not set")  # ':3:' could be an emoji code
    assert not is_plain("a :smile: b") and not is_plain("a\tb") and not is_plain("\x1b[2J")


def test_an_error_with_its_source_line_prints_alike() -> None:
    error = PlaybookError("unknown key 'stpes'", position=Position("p.yml", 3, 1),
                          source_line="stpes:\t[] # :x:\n", hint="did you mean 'steps'?")
    lazy, rich, _ = _both("never", lambda env: messages.print_error(env.stderr, error))
    assert lazy == rich and "p.yml:3:1: unknown key 'stpes'" in lazy

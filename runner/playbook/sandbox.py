"""The template sandbox: Jinja2's immutable sandbox, held to the limits of ``limits``.

Every arithmetic operator, call, attribute and item lookup goes through the
sandbox's hooks (``call_binop``, ``call``, ``getattr``, ``getitem``), where the
time is checked and sizes are checked before and after; filters are wrapped the
same way, loops tick at every turn, ``~`` and the template's output are
measured. Jinja2 folds constant expressions while compiling, so ``{{ 9 ** (9 **
9) }}`` would be computed even by ``--syntax-check``: intercepting the operators
keeps them for run time, where the limits hold.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import GeneratorType
from typing import Any

from jinja2 import nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace, generate_lorem_ipsum

from runner.playbook import limits

LOOP_FILTER = "bounded_loop"
MAX_LIPSUM = (100, 1_000)  # paragraphs, words in one


def _ticking(iterable: Iterable[Any]) -> Iterator[Any]:
    """``iterable``'s items, the time checked at each; at most MAX_ITEMS of them."""
    for count, item in enumerate(iterable, 1):
        limits.tick()
        limits.check_items(count)
        yield item


@pass_context  # never folded while compiling: it must run where the limits hold
def _loop(context: Context, iterable: Iterable[Any]) -> Iterator[Any]:
    return _ticking(iterable)


def _result(value: Any) -> Any:
    if isinstance(value, GeneratorType):
        return _ticking(value)
    return limits.made(value)


def _format_call(obj: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """Checks before a call of a ``str`` method that can make a large text."""
    target = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format
    text, name = getattr(target, "__self__", None), getattr(target, "__name__", "")
    if not isinstance(text, str):
        return
    first = args[0] if args else None
    if name in ("center", "ljust", "rjust", "zfill"):
        limits.check_width(first if args else kwargs.get("width"))
    elif name == "expandtabs":
        size = first if args else kwargs.get("tabsize", 8)
        if isinstance(size, int):
            limits.check_text(len(text) + text.count("\t") * size)
    elif name == "replace" and len(args) >= 2:
        limits.check_replace(text, *args[:3])
    elif name == "join":
        limits.check_join(text, first)
    elif name == "translate":
        limits.check_translate(text, first)
    elif name == "format":
        limits.check_braces(text, args, kwargs)
    elif name == "format_map" and isinstance(first, Mapping):
        limits.check_braces(text, (), first)


def _indent(value: Any, width: Any = 4, *rest: Any, **options: Any) -> None:
    if isinstance(value, str) and isinstance(width, int):
        limits.check_length(value, len(value) + (value.count("\n") + 1) * width)


PRECHECKS: dict[str, Callable[..., None]] = {
    "center": lambda value, width=80, *rest, **options: limits.check_width(width),
    "indent": _indent,
    "wordwrap": lambda value, width=79, *rest, **options: limits.check_lines(value, width),
    "batch": lambda value, count, *rest, **options: limits.check_width(count),
    "slice": lambda value, count, *rest, **options: limits.check_width(count),
    "format": lambda value, *args, **kwargs: limits.check_percent(str(value), kwargs or args),
    "replace": lambda value, old, new, count=None: limits.check_replace(
        str(value), old, new, -1 if count is None else count),
    "join": lambda value, separator="", *rest, **options: limits.check_join(separator, value),
}
"""Checks before a filter runs, for the filters whose arguments say how much they make."""


def _guarded(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that checks the time, its arguments (PRECHECKS) and its result."""
    if getattr(function, "bounded", False) or name == LOOP_FILTER:
        return function
    check = PRECHECKS.get(name)
    skip = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0

    @functools.wraps(function)  # keeps jinja_pass_arg, so Jinja2 passes the same context
    def guarded(*args: Any, **kwargs: Any) -> Any:
        limits.tick()
        if check is not None:
            check(*args[skip:], **kwargs)
        return _result(function(*args, **kwargs))

    guarded.bounded = True  # type: ignore[attr-defined]
    return guarded


class _Filters(dict[str, Callable[..., Any]]):
    """The filters, each guarded, those registered later too."""

    def __setitem__(self, name: str, function: Callable[..., Any]) -> None:
        super().__setitem__(name, _guarded(name, function))

    def update(self, *args: Any, **kwargs: Any) -> None:
        for name, function in dict(*args, **kwargs).items():
            self[name] = function


class _Namespace(Namespace):
    """``namespace()``, whose attributes hold values within the limits."""

    def __setitem__(self, name: str, value: Any) -> None:
        limits.tick()
        super().__setitem__(name, limits.made(value))


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    if n > MAX_LIPSUM[0] or max > MAX_LIPSUM[1]:
        raise limits.LimitExceeded(f"lipsum: at most {MAX_LIPSUM[0]} paragraphs of "
                                   f"{MAX_LIPSUM[1]:,} words (template limit)")
    return generate_lorem_ipsum(n, html, min, max)


def _concat(chunks: Iterable[str]) -> str:
    """The template's output (or a macro's, a block's), measured as it is made."""
    parts, total = [], 0
    for chunk in chunks:
        limits.tick()
        total += len(chunk)
        limits.check_text(total)
        parts.append(chunk)
    return "".join(parts)


class _Generator(CodeGenerator):
    """Jinja2's code generator, with every loop ticking and every ``~`` measured."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        for loop in node.find_all(nodes.For):
            if not (isinstance(loop.iter, nodes.Filter) and loop.iter.name == LOOP_FILTER):
                loop.iter = nodes.Filter(loop.iter, LOOP_FILTER, [], [], None, None,
                                         lineno=loop.lineno)
        super().visit_Template(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.made(")
        super().visit_Concat(node, frame)
        self.write(")")


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with ``limits`` checked in every hook."""

    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})
    intercepted_unops = frozenset({"+", "-"})
    code_generator_class = _Generator
    concat = staticmethod(_concat)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        filters = _Filters()
        filters.update(self.filters)
        filters[LOOP_FILTER] = _loop
        self.filters = filters
        self.globals["lipsum"] = _lipsum
        self.globals["namespace"] = _Namespace

    @staticmethod
    def made(value: Any) -> Any:
        limits.tick()
        return limits.made(value)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        limits.tick()
        limits.check_binop(operator, left, right)
        return limits.made(super().call_binop(context, operator, left, right))

    def call_unop(self, context: Context, operator: str, arg: Any) -> Any:
        limits.tick()
        return super().call_unop(context, operator, arg)

    def getattr(self, obj: Any, attribute: str) -> Any:
        limits.tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        limits.tick()
        return super().getitem(obj, argument)

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        limits.tick()
        _format_call(obj, args, kwargs)
        return _result(super().call(context, obj, *args, **kwargs))

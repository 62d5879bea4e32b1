"""How much one template may compute: the numbers, texts, lists and time it may make.

Jinja2's sandbox stops a template from reaching Python's internals, not from
computing ``9 ** (9 ** 9)``, ``'a' * 10 ** 9`` or looping for ever. Each
evaluation of a template or expression gets, at most:

- integers of ``MAX_INT_DIGITS`` decimal digits (beyond, Python cannot even print
  them; ``10 ** 5000`` is refused before it is computed);
- texts of ``MAX_TEXT`` characters and lists or mappings of ``MAX_ITEMS`` items,
  each checked before an operation that would make a larger one (``*``, ``center``,
  ``replace``, ``join``, a format width, …) and on every value made;
- ``MAX_MADE`` characters and items made in all (so that a loop cannot fill
  memory with values of allowed size);
- ``SECONDS`` of time, checked at each operation, call, attribute and loop turn.

Going over any of them fails that template with a message that names the limit.
The checks are in this module; ``sandbox`` calls them from Jinja2's hooks.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

MAX_INT_DIGITS = 1_000
MAX_TEXT = 10_000_000
MAX_ITEMS = 1_000_000
MAX_MADE = 100_000_000
SECONDS = 5.0

_MAX_INT_BITS = math.ceil(MAX_INT_DIGITS * math.log2(10))
_LOG2_10 = math.log2(10)


class LimitExceeded(Exception):
    """A template went over one of this module's limits; ``str()`` says which."""


class _Budget(threading.local):
    deadline: float | None = None
    made: int = 0


_BUDGET = _Budget()


@contextmanager
def budget() -> Iterator[None]:
    """One evaluation's allowance; a template that a template reads shares its caller's."""
    if _BUDGET.deadline is not None:
        yield
        return
    _BUDGET.deadline, _BUDGET.made = time.monotonic() + SECONDS, 0
    try:
        yield
    finally:
        _BUDGET.deadline = None


def tick() -> None:
    """Fail the evaluation under way once its time is up."""
    deadline = _BUDGET.deadline
    if deadline is not None and time.monotonic() > deadline:
        raise LimitExceeded(f"the template took more than {SECONDS:g} s (template limit)")


_CONTAINERS = (str, list, tuple, dict, set, frozenset)


def _size(value: Any) -> int:
    return len(value) if isinstance(value, _CONTAINERS) else 0


def made(value: Any) -> Any:
    """``value``, a result the template just made, once it is within the limits."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > _MAX_INT_BITS:
            raise LimitExceeded(f"a number of more than {MAX_INT_DIGITS:,} digits "
                                "(template limit)")
        return value
    if isinstance(value, str):
        check_text(len(value))
    elif isinstance(value, (list, tuple, dict, set, frozenset)):
        check_items(len(value))
    size = _size(value)
    if size and _BUDGET.deadline is not None:
        _BUDGET.made += size
        if _BUDGET.made > MAX_MADE:
            raise LimitExceeded(f"the template made more than {MAX_MADE:,} characters and "
                                "items in all (template limit)")
    return value


def check_text(length: int) -> None:
    if length > MAX_TEXT:
        raise LimitExceeded(f"a text of more than {MAX_TEXT:,} characters (template limit)")


def check_items(count: int) -> None:
    if count > MAX_ITEMS:
        raise LimitExceeded(f"more than {MAX_ITEMS:,} items (template limit)")


def check_length(value: Any, length: float) -> None:
    """A text or list like ``value`` would have ``length`` characters or items."""
    if isinstance(value, str):
        check_text(int(min(length, MAX_TEXT + 1)))
    else:
        check_items(int(min(length, MAX_ITEMS + 1)))


# -- before operations that make large values ------------------------------------------------


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse ``left OPERATOR right`` when its result would be over a limit."""
    if operator == "**" and _is_int(left) and _is_int(right) and right > 0:
        digits = max(left.bit_length() - 1, 0) * right / _LOG2_10
        if digits > MAX_INT_DIGITS:
            raise LimitExceeded(f"{_short(left)} ** {_short(right)} would have more than "
                                f"{MAX_INT_DIGITS:,} digits (template limit)")
    elif operator == "*":
        if _is_int(left) and _is_int(right):
            if left.bit_length() + right.bit_length() > _MAX_INT_BITS + 1:
                raise LimitExceeded(f"a number of more than {MAX_INT_DIGITS:,} digits "
                                    "(template limit)")
        elif _is_int(right) and _size(left):
            check_length(left, _size(left) * right)
        elif _is_int(left) and _size(right):
            check_length(right, _size(right) * left)
    elif operator == "%" and isinstance(left, str):
        check_percent(left, right)


def check_width(width: Any) -> None:
    """A width or count argument (``center``, ``ljust``, ``batch``, …) within the limits."""
    if _is_int(width) and width > MAX_TEXT:
        raise LimitExceeded(f"a width of {_short(width)} is more than {MAX_TEXT:,} "
                            "(template limit)")


_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")
_BRACES = re.compile(r"\{[^{}]*?:((?:[^{}]|\{[^{}]*\})*)\}")
_DIGITS = re.compile(r"\d+")


def _check_numbers(numbers: list[str]) -> None:
    for number in numbers:
        if len(number) > 8 or int(number) > MAX_TEXT:
            raise LimitExceeded(f"a format width of {number[:12]}{'…' if len(number) > 12 else ''}"
                                f" is more than {MAX_TEXT:,} (template limit)")


def check_percent(pattern: str, arguments: Any) -> None:
    """``pattern % arguments``: no width or precision, written or given by ``*``, over
    MAX_TEXT."""
    specs = _PERCENT.findall(pattern)
    _check_numbers([n for spec in specs for n in spec if n and n != "*"])
    if any("*" in spec for spec in specs):
        for value in arguments if isinstance(arguments, tuple) else (arguments,):
            check_width(value)


def check_braces(pattern: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """``pattern.format(...)``: the same, for widths written in a field or nested in one."""
    specs = _BRACES.findall(pattern)
    _check_numbers([n for spec in specs for n in _DIGITS.findall(spec)])
    if any("{" in spec for spec in specs):
        for value in (*args, *kwargs.values()):
            check_width(value)


def check_replace(text: str, old: Any, new: Any, count: Any = -1) -> None:
    if isinstance(old, str) and isinstance(new, str) and len(new) > len(old):
        times = text.count(old) if old else len(text) + 1
        if _is_int(count) and count >= 0:
            times = min(times, count)
        check_text(len(text) + times * (len(new) - len(old)))


def check_join(separator: Any, items: Any) -> None:
    if isinstance(items, (list, tuple)):
        total = sum(len(item) for item in items if isinstance(item, str))
        check_text(total + len(str(separator)) * max(len(items) - 1, 0))


def check_translate(text: str, table: Any) -> None:
    if isinstance(table, Mapping):
        longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1)
        check_text(len(text) * longest)


def check_lines(text: Any, width: Any) -> None:
    """``wordwrap``: at most MAX_ITEMS lines."""
    if isinstance(text, str) and _is_int(width):
        check_items(len(text) // max(width, 1))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _short(number: int) -> str:
    """A number as a person reads it, however many digits it has."""
    if number.bit_length() <= 64:
        return f"{number:,}"
    return f"about 10^{int(number.bit_length() / _LOG2_10)}"

"""The argparse types of the options that take a number (``-f``, ``--org-timeout``)."""

from __future__ import annotations

import argparse

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy reads it alike)
if TYPE_CHECKING:
    from typing import Any


def _positive(kind: type[int] | type[float], *, minimum: float) -> Any:
    """An argparse type: a number of ``kind`` no smaller than ``minimum``."""
    words = "a whole number" if kind is int else "a number"

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {words}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum:g}, got {text}")
        return value

    return parse


positive_int = _positive(int, minimum=1)
positive_float = _positive(float, minimum=0.001)

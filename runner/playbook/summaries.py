"""What the checks before a run read of a template, found once per distinct expression.

A syntax check asks of every template whether it parses, whether it names a filter or
test that does not exist, which names it reads and which keys of ``vars``, ``env`` and
``org`` (``runner.playbook.trees.read``). In a text of plain text and ``{{ }}``
expressions Jinja2 reads each expression on its own and in order
(``runner.playbook.trees.parsed``), so the text's answers are made of its expressions'
answers: the first error, the names and keys of all. A playbook of a thousand steps
holds a thousand texts but few distinct expressions.

Expressions that differ only in whole numbers written in them (``1 + 17 % 5``,
``1 + 18 % 5``) share their answers too (``number_shape``): their trees differ only in
a number constant, which names no variable, filter, test or key.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from runner.playbook.templating import is_template
from runner.playbook.trees import Reading, expression_pieces, parse_block, parsed, read

EMPTY = Reading()
_NUMBER = r"(?<![\w.])(0|[1-9][0-9]{0,17})(?![\w.])"
_NUMBER_OR_STRING = re.compile(r"""'[^']*'|"[^"]*"|""" + _NUMBER, re.ASCII)
_ONLY_NUMBER = re.compile(_NUMBER, re.ASCII)
_BY_SHAPE: dict[str, Reading] = {}
_SHAPES = 16384


def summary(source: str, *, expression: bool = False) -> Reading:
    """What a template (or an expression written without ``{{ }}``) reads and says."""
    if not expression and not is_template(source):
        return EMPTY
    return _summary(source, expression)


def syntax_error(source: str, *, expression: bool = False) -> str | None:
    """The syntax error in a template or expression (an unknown filter or test too), or
    None when it parses."""
    return summary(source, expression=expression).problem


BARE_CONDITION = ("template syntax error: this is a bare expression, as in Ansible: write it "
                  "without {{ }} or {% %} (when: ready == true, not when: \"{{ ready == true }}\")")
"""Why a condition (or ``debug.var``) written as a template does not parse."""
_DELIMITERS = re.compile(r"\{\{|\{%")


@lru_cache(maxsize=16384)
def _summary(source: str, expression: bool) -> Reading:
    if expression:  # the very text that parsed(source, expression=True) parses
        reading = expression_summary(" " + source + " ")
        if reading.syntax is not None and _DELIMITERS.search(source):
            return replace(reading, syntax=BARE_CONDITION)
        return reading
    pieces = expression_pieces(source)
    if pieces is None:
        return read(parsed(source))
    return combined([expression_summary(inner) for inner in pieces[1::2]])


def combined(parts: list[Reading]) -> Reading:
    """A text's answers from those of its expressions, in order: a syntax error in any of
    them is the text's (it then reads nothing), else the first unknown filter or test."""
    if len(parts) == 1:
        return parts[0]
    unknown: str | None = None
    names: set[str] | None = set()
    keys: set[tuple[str, str]] = set()
    for part in parts:
        if part.syntax is not None:
            return part
        unknown = unknown or part.unknown
        names = None if names is None or part.names is None else names | part.names
        keys |= part.keys
    return Reading(None, unknown, None if names is None else frozenset(names), frozenset(keys))


@lru_cache(maxsize=16384)
def expression_summary(inner: str) -> Reading:
    """What ``{{inner}}`` reads and says: what an expression of the same shape (whole
    numbers aside) read when one parsed without a problem, else its own."""
    shape = number_shape(inner)
    known = _BY_SHAPE.get(shape) if shape is not None else None
    if known is not None:
        return known
    found = read(parse_block(inner))
    if shape is not None and found.problem is None and found.names is not None \
            and len(_BY_SHAPE) < _SHAPES:
        _BY_SHAPE[shape] = found
    return found


def number_shape(inner: str) -> str | None:
    """``inner`` with every whole number written in it (not in a string) as ``0``; None
    when where Jinja2's tokens start is not plain from the text alone: a text that is
    not ASCII, or holds a brace or a backslash.

    In ASCII text without braces or backslashes, a string token runs from a quote to the
    next same quote, and a run of digits that neither follows a word character or a dot
    nor is followed by one is a token of its own: an integer (Jinja2's float needs a dot
    or an exponent, its other integers a letter or an underscore; ``0`` and a run that
    does not start with 0 are read whole). Another run of digits there changes that
    token's value and nothing else. Only a shape whose first expression parsed without
    a problem is shared, so an unclosed string or a refused token stands for no other.
    """
    if not inner.isascii() or "{" in inner or "}" in inner or "\\" in inner:
        return None
    if "'" not in inner and '"' not in inner:
        return _ONLY_NUMBER.sub("0", inner)
    return _NUMBER_OR_STRING.sub(lambda match: "0" if match.group(1) else match.group(0), inner)

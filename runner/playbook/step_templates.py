"""Where a step's templates are, and which of them are bare expressions.

Checks before the run read every template of a step (undefined names, syntax);
the runner reads the names a step needs (to skip a step whose input failed).
Both walk a step the same way: conditions (``when``, ``until``,
``failed_when``, ``changed_when``, an assert's ``that``, ``debug.var``) are
expressions written without ``{{ }}``; every other string is a template, except
the fields that are names (``name`` is rendered leniently, so it never fails).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from runner.playbook.document import JsonPath
from runner.playbook.references import variables_read

EXPRESSION_FIELDS = frozenset({"when", "until", "failed_when", "changed_when"})
NAME_FIELDS = frozenset({"name", "register", "tags", "orgs", "schema"})
LOOP_NAMES = frozenset({"loop_var", "index_var"})


def strings(value: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    """(path, text) of every string inside nested mappings and lists."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings(item, (*path, index))


def step_templates(step: Mapping[str, Any], base: JsonPath) -> Iterator[tuple[JsonPath, str, bool]]:
    """(path, text, is_expression) for every templated string of a raw step."""
    for field, value in step.items():
        if field in NAME_FIELDS:
            continue
        path = (*base, field)
        if isinstance(value, str):  # as the branches below read a text, without their walk
            yield path, value, field in EXPRESSION_FIELDS or field == "assert"
        elif field in EXPRESSION_FIELDS:
            for where, text in strings(value, path):
                yield where, text, True
        elif field == "assert":
            yield from _assert(value, path)
        elif field == "debug" and isinstance(value, Mapping):
            for key, item in value.items():
                for where, text in strings(item, (*path, key)):
                    yield where, text, key == "var"
        elif field == "loop_control" and isinstance(value, Mapping):
            for where, text in strings(value.get("label"), (*path, "label")):
                yield where, text, False
        else:
            for where, text in strings(value, path):
                yield where, text, False


def _assert(value: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str, bool]]:
    if not isinstance(value, Mapping):
        for where, text in strings(value, path):
            yield where, text, True
        return
    for key, item in value.items():
        for where, text in strings(item, (*path, key)):
            yield where, text, key == "that"


def names_read(step: Mapping[str, Any], base: JsonPath) -> frozenset[str]:
    """Every variable a raw step's templates and conditions read."""
    found: set[str] = set()
    for _, text, is_expression in step_templates(step, base):
        found |= variables_read(text, expression=is_expression)
    return frozenset(found)

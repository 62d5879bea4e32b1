"""Where a template's value went missing, said in the playbook's own terms.

Jinja2 says ``'dict object' has no attribute 'Nme'``; a person wants to know
which of the values the template reads lacked what: ``'found.json.records[0]'
has no key 'Nme' (it has: Id, Name)``. Each variable path the template reads is
walked link by link until one is missing, and the value before it is described.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runner.playbook.references import path_links, value_paths
from runner.playbook.templating import TemplateRenderError, evaluate

KEYS_SHOWN = 12


def explain_missing(source: str, context: Mapping[str, Any], *,
                    expression: bool = False) -> str | None:
    """What is missing for ``source`` to render, or None when no path of it is."""
    for path in value_paths(source, expression=expression):
        found = _first_missing(path, context)
        if found is not None:
            return found
    return None


def _first_missing(path: str, context: Mapping[str, Any]) -> str | None:
    before: tuple[str, Any] | None = None
    for text, key in path_links(path):
        try:
            value = evaluate(text, context)
        except TemplateRenderError:
            return _describe(before, key, text)
        before = (text, value)
    return None


def _describe(before: tuple[str, Any] | None, key: str | int, text: str) -> str:
    if before is None:
        return f"{text!r} is undefined"
    where, value = before
    if isinstance(value, Mapping):
        keys = [str(name) for name in value]
        shown = ", ".join(keys[:KEYS_SHOWN]) + (", …" if len(keys) > KEYS_SHOWN else "")
        return f"{where!r} has no key {key!r} (it has: {shown or 'no keys'})"
    if isinstance(value, list):
        return f"{where!r} has no item {key!r} (it has {len(value)} items)"
    if value is None:
        return f"{where!r} is null, so it has no {key!r}"
    kind = "text" if isinstance(value, str) else "a number" if isinstance(
        value, (int, float)) else "a value"
    return f"{where!r} is {kind}, so it has no {key!r}"


def explained(exc: TemplateRenderError, sources: list[tuple[str, bool]],
              context: Mapping[str, Any]) -> str:
    """An undefined-variable error said as which value lacks what, when one of ``sources``
    (``(text, is_expression)``) shows it; otherwise the error's own message."""
    if not exc.message.startswith("undefined variable"):
        return exc.message
    for text, is_expression in sources:
        found = explain_missing(text, context, expression=is_expression)
        if found is not None:
            return f"undefined variable: {found}"
    return exc.message

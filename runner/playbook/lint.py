"""Checks that need no network: templates parse, names are defined, JMESPath compiles.

Run before any org is contacted, so a typo such as ``{{ fund.json }}`` is a
positioned exit-4 error rather than a failure halfway through a run. A name
counts as defined when a ``vars`` entry, an ``-e`` variable, an org's vars, an
earlier ``register`` or a built-in scope (``env``, ``org``, ``vars``) provides it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from runner.errors import PlaybookError
from runner.playbook import templating
from runner.playbook.expressions import expression_error, schema_error
from runner.playbook.loader import format_path
from runner.playbook.model import Playbook
from runner.playbook.suggest import did_you_mean

BUILTINS = frozenset({"env", "org", "vars", "range", "dict", "lipsum", "cycler", "joiner",
                      "namespace", "true", "false", "none"})
EXPRESSION_FIELDS = frozenset({"when", "until"})
SKIPPED_FIELDS = frozenset({"name", "register", "tags", "orgs", "schema"})
ORG_TEMPLATE_FIELDS = ("login_url", "client_id", "username", "audience", "emulator")

Path = tuple[str | int, ...]


def _strings(value: Any, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))


def _step_templates(step: Mapping[str, Any], base: Path) -> Iterator[tuple[Path, str, bool]]:
    """(path, text, is_expression) for every templated string of a raw step."""
    for field, value in step.items():
        if field in SKIPPED_FIELDS:
            continue
        if field in EXPRESSION_FIELDS and isinstance(value, str):
            yield (*base, field), value, True
        elif field == "assert":
            for path, text in _strings(value, (*base, field)):
                yield path, text, True
        else:
            for path, text in _strings(value, (*base, field)):
                yield path, text, False


def check_playbook(playbook: Playbook, *, extra_vars: Mapping[str, Any]) -> None:
    """Raise a positioned PlaybookError for the first template or expression problem."""
    document = playbook.document
    raw_steps = document.data.get("steps", []) if isinstance(document.data, dict) else []
    known = set(BUILTINS) | set(playbook.vars) | set(extra_vars)
    for org in playbook.orgs.values():
        known |= set(org.vars)
    for index, (step, raw) in enumerate(zip(playbook.steps, raw_steps, strict=False)):
        step_known = known | ({"item"} if step.loop is not None else set())
        for path, text, is_expression in _step_templates(raw, ("steps", index)):
            names = step_known | ({"response"} if path[-1] == "until" else set())
            _check_template(playbook, path, text, is_expression, names)
        if step.expect is not None and step.expect.schema is not None:
            found = schema_error(step.expect.schema)
            if found:
                raise document.error(("steps", index, "expect", "schema", *found[0]), found[1])
        if step.expect is not None:
            for expression in step.expect.json:
                problem = expression_error(expression)
                if problem:
                    raise document.error(("steps", index, "expect", "json", expression), problem)
        if step.register:
            known.add(step.register)
    _check_orgs(playbook, set(BUILTINS) | set(playbook.vars) | set(extra_vars))


def _check_orgs(playbook: Playbook, known: set[str]) -> None:
    """Org fields are templates too (``client_id: "{{ env.ID }}"``): a typo in one is an
    exit-4 error at its file and line, not a failed login halfway through the run."""
    for org in playbook.orgs.values():
        names = known | set(org.vars)
        own = org.position is None or org.position.file == playbook.document.path
        for field in ORG_TEMPLATE_FIELDS:
            for path, text in _strings(getattr(org, field), ("orgs", org.name, field)):
                try:
                    _check_template(playbook, path, text, False, names)
                except PlaybookError as error:
                    if own:
                        raise
                    message = f"{format_path(path)}: {error.message}"  # from an inventory
                    raise PlaybookError(message, position=org.position, hint=error.hint) from None


def _check_template(
    playbook: Playbook, path: Path, text: str, is_expression: bool, known: set[str]
) -> None:
    document = playbook.document
    problem = templating.syntax_error(text, expression=is_expression)
    if problem:
        raise document.error(path, problem, key=False)
    for name in sorted(templating.undeclared_names(text, expression=is_expression) - known):
        error = document.error(
            path,
            f"undefined variable {name!r}{did_you_mean(name, sorted(known - BUILTINS))}",
            key=False,
            hint="define it under vars:, pass it with -e, or register it in an earlier step",
        )
        raise _at_name(error, text, name)


def _at_name(error: PlaybookError, text: str, name: str) -> PlaybookError:
    """Move the caret from the start of a one-line value to the variable itself."""
    position, line = error.position, error.source_line
    match = re.search(rf"\b{re.escape(name)}\b", text)
    if position is None or line is None or match is None or "\n" in text:
        return error
    quote = 1 if line[position.col - 1 : position.col] in ("'", '"') else 0
    column = position.col + quote + match.start()
    if line[column - 1 : column - 1 + len(name)] != name:
        return error
    moved = replace(position, col=column)
    return PlaybookError(error.message, position=moved, source_line=line, hint=error.hint)



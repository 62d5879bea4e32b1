"""``-e``/``--extra-vars``, parsed as ansible-playbook parses them.

``@FILE`` reads a YAML or JSON mapping (its relative paths resolve against the
file's folder); text starting with ``{`` is an inline YAML or JSON mapping whose
types are kept; anything else is ``name=value`` pairs split as a shell splits
words, so ``account_type="Customer - Direct"`` is one pair and every value is a
string. Later options win name by name. Values stay templates, rendered lazily
like any other variable.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from typing import Any

from runner.errors import PlaybookError, UsageError
from runner.playbook.environ import as_text
from runner.playbook.loader import load_document, load_text
from runner.playbook.origins import Defined, command_line_layer, document_layer


def parse_extra_vars(options: Iterable[str]) -> dict[str, Defined]:
    """Every ``-e`` option merged, later ones winning, each name with where it was set."""
    merged: dict[str, Defined] = {}
    for option in options:
        merged.update(_parse_one(option))
    return merged


def _parse_one(option: str) -> dict[str, Defined]:
    text = as_text(option.strip())
    if text.startswith("@"):
        return _from_file(text[1:])
    if text.startswith(("{", "[")):
        return command_line_layer(_inline(option, text))
    if text.startswith(("/", ".")) and "=" not in text:
        raise UsageError(f"-e {_quoted(option)}: to read variables from a file, prepend '@'",
                         hint=f"-e @{text}")
    return command_line_layer(_pairs(option, text))


SHOWN = 60
"""Characters of an -e value an error message quotes."""


def _quoted(option: str) -> str:
    """The -e value as an error quotes it: a long one (JSON nested 5,000 deep) is cut."""
    return repr(option if len(option) <= SHOWN else option[:SHOWN] + "…")


def _inline(option: str, text: str) -> dict[str, Any]:
    try:
        value = load_text(text, "-e").data
    except PlaybookError as exc:
        raise UsageError(f"-e {_quoted(option)}: not valid YAML or JSON ({exc.message})") from None
    if not isinstance(value, dict):
        raise UsageError(f"-e {_quoted(option)}: inline extra vars must be a mapping, "
                         f"such as '{{\"name\": \"value\"}}'")
    return value


def _pairs(option: str, text: str) -> dict[str, str]:
    try:
        words = shlex.split(text)
    except ValueError as exc:  # an unclosed quote
        raise UsageError(f"-e {_quoted(option)}: {exc}", hint="quote values as a shell does: "
                         "name=\"two words\"") from None
    pairs: dict[str, str] = {}
    for word in words:
        name, sep, value = word.partition("=")
        if not sep or not name.isidentifier():
            raise UsageError(
                f"-e {_quoted(option)}: expected NAME=VALUE, a mapping in braces, or @FILE",
                hint='for example: -e api=v60.0 -e \'account_type="Customer - Direct"\'',
            )
        pairs[name] = value
    if not pairs:
        raise UsageError("-e needs NAME=VALUE, a mapping in braces, or @FILE")
    return pairs


def _from_file(path: str) -> dict[str, Defined]:
    if not path:
        raise UsageError("-e @FILE needs a file name")
    document = load_document(path)
    if not isinstance(document.data, dict):
        raise PlaybookError(
            "extra vars file must hold a mapping of names to values",
            position=document.position_of(()),
        )
    return document_layer(document, document.data)

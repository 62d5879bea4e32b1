"""Syntax trees of templates, for the checks before a run: parsed once, read without compiling.

A check reads each template's tree several times (syntax, names, references, file
lookups), and a playbook repeats the same few expressions in many texts
(``step {{ n }} of {{ prefix }}``). So a text made only of plain text and ``{{ }}``
expressions is put together from the trees of its expressions, each parsed once;
anything else (statements, comments, whitespace control, braces inside an
expression, a carriage return) is parsed whole by Jinja2, as before.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jinja2
from jinja2 import meta, nodes

from runner.playbook.suggest import did_you_mean
from runner.playbook.templating import ENVIRONMENT

NAMESPACES = frozenset({"vars", "env", "org"})

_EXPRESSION_BLOCK = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


@lru_cache(maxsize=16384)
def parsed(source: str, *, expression: bool = False) -> nodes.Template | str:
    """``source``'s syntax tree, or its syntax error's message: each distinct template is
    parsed once, however many checks read it (syntax, names, references)."""
    if expression:
        return _parse("{{ " + source + " }}")
    pieces = expression_pieces(source)
    return _parse(source) if pieces is None else _composed(pieces)


def expression_pieces(source: str) -> list[str] | None:
    """``source`` cut into text, expression, text, ...; None when Jinja2 must read it whole."""
    if "{%" in source or "{#" in source or "\r" in source:  # Jinja2 rewrites \r\n in text
        return None
    pieces = _EXPRESSION_BLOCK.split(source)
    texts, expressions = pieces[0::2], pieces[1::2]
    if any("{{" in text for text in texts):  # an expression left open
        return None
    for inner in expressions:
        if "{" in inner or "}" in inner or inner[:1] in "-+" or inner[-1:] in "-+":
            return None
        if "\\" in inner or inner.count("'") % 2 or inner.count('"') % 2:
            return None  # maybe a string holding "}}": where the expression ends is Jinja2's call
    return pieces


def _composed(pieces: list[str]) -> nodes.Template | str:
    """The tree Jinja2 would make of text and expressions, from each expression's own."""
    output: list[nodes.Expr] = []
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            if piece:
                output.append(nodes.TemplateData(piece, lineno=1))
            continue
        tree = _expression_block(piece)
        if isinstance(tree, str):
            return tree
        output.extend(tree.body[0].nodes)  # type: ignore[attr-defined]
    template = nodes.Template([nodes.Output(output, lineno=1)] if output else [], lineno=1)
    template.set_environment(ENVIRONMENT)  # as Jinja2's parser does: its compiler reads it
    return template


@lru_cache(maxsize=16384)
def _expression_block(inner: str) -> nodes.Template | str:
    return parse_block(inner)


def parse_block(inner: str) -> nodes.Template | str:
    """``{{inner}}``'s syntax tree, or its syntax error's message (not kept)."""
    return _parse("{{" + inner + "}}")


def _parse(source: str) -> nodes.Template | str:
    try:
        return ENVIRONMENT.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        return f"template syntax error: {exc.message}"
    except RecursionError:
        return "template syntax error: nested too deeply"
    except ValueError as exc:  # a number literal longer than Python reads (4,300 digits)
        return f"template syntax error: {str(exc).split(':')[0].lower()}"


def syntax_error_line(source: str) -> int:
    """The line of a template's syntax error (an unknown filter's or test's too), or 1."""
    try:
        tree = ENVIRONMENT.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        return exc.lineno or 1
    except (RecursionError, ValueError):
        return 1
    for node in tree.find_all((nodes.Filter, nodes.Test)):
        if isinstance(node, (nodes.Filter, nodes.Test)) and node.name not in _known(node):
            return node.lineno
    return 1


def undeclared(tree: nodes.Template) -> frozenset[str]:
    """The names ``tree`` reads from its context, as ``jinja2.meta.find_undeclared_variables``
    finds them. Text and ``{{ }}`` expressions bind no name, so in a template of only those
    every name loaded is read from the context, but the environment's globals and ``self``.
    Jinja2's own analysis compiles the template, ten times the cost of this walk: it is
    left the templates with statements (``{% for %}``, ``{% set %}``), those its compiler
    may refuse (an unknown filter or test; an attribute of a literal, which it computes)
    so that they fail as they always have, and so any attribute not read from a name."""
    names = read(tree).names
    return _compiled_undeclared(tree) if names is None else names


def _compiled_undeclared(tree: nodes.Template) -> frozenset[str]:
    """Jinja2's own analysis; a template its compiler refuses reads nothing (the refusal is
    the syntax check's to report, and the step's when it renders)."""
    shared = copy.deepcopy(tree, {id(ENVIRONMENT): ENVIRONMENT})  # its compiler folds in place
    try:
        return frozenset(meta.find_undeclared_variables(shared))
    except jinja2.TemplateError:
        return frozenset()


def _root(node: nodes.Expr) -> nodes.Expr:
    """What ``a.b[0].c`` is read from: ``a``."""
    while isinstance(node, (nodes.Getattr, nodes.Getitem)):
        node = node.node
    return node


@dataclass(frozen=True)
class Reading:
    """What the checks before a run read of a template: ``names`` is None when only
    Jinja2's own analysis of the whole template may say (``undeclared``)."""

    syntax: str | None = None  # why it does not parse
    unknown: str | None = None  # the first filter or test no template can use
    names: frozenset[str] | None = frozenset()
    keys: frozenset[tuple[str, str]] = frozenset()  # ("vars", "who"), ("env", "HOME")

    @property
    def problem(self) -> str | None:
        return self.syntax or self.unknown


def read(tree: nodes.Template | str) -> Reading:
    """What a syntax tree (or a syntax error's message) says, in one walk that visits the
    nodes in the order of Jinja2's ``find_all``."""
    if isinstance(tree, str):
        return Reading(syntax=tree)
    plain = all(isinstance(node, nodes.Output) for node in tree.body)
    unknown: str | None = None
    loaded: set[str] = set()
    keys: set[tuple[str, str]] = set()
    for node in tree.find_all((nodes.Name, nodes.Filter, nodes.Test, nodes.Getattr,
                               nodes.Getitem)):
        if isinstance(node, nodes.Name):
            if node.ctx == "load":
                loaded.add(node.name)
        elif isinstance(node, (nodes.Getattr, nodes.Getitem)):
            key = _namespace_key(node)
            keys |= {key} if key is not None else set()
            plain = plain and isinstance(_root(node), nodes.Name)  # else maybe folded
        elif isinstance(node, (nodes.Filter, nodes.Test)) and node.name not in _known(node):
            # a filter or test Jinja2 refuses only when it compiles
            plain = False
            unknown = unknown or _unknown_message(node)
    names = frozenset(loaded - set(ENVIRONMENT.globals) - {"self"}) if plain else None
    return Reading(None, unknown, names, frozenset(keys))


def _namespace_key(node: nodes.Getattr | nodes.Getitem) -> tuple[str, str] | None:
    """``vars.who`` and ``vars['who']`` read the key ("vars", "who")."""
    target = node.node
    if not isinstance(target, nodes.Name) or target.name not in NAMESPACES:
        return None
    if isinstance(node, nodes.Getattr):
        return target.name, node.attr
    if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        return target.name, node.arg.value
    return None


def _known(node: nodes.Filter | nodes.Test) -> Mapping[str, Any]:
    return ENVIRONMENT.filters if isinstance(node, nodes.Filter) else ENVIRONMENT.tests


def _unknown_message(node: nodes.Filter | nodes.Test) -> str:
    kind = "filter" if isinstance(node, nodes.Filter) else "test"
    return (f"template error: no {kind} named {node.name!r}"
            f"{did_you_mean(node.name, _known(node))}")

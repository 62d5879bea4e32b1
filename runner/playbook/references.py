"""What a template reads: top-level names, and keys of ``vars``, ``env`` and ``org``.

Found in Jinja2's syntax tree, not by pattern matching, so ``vars.who``,
``vars['who']`` and ``env.SF_CLIENT_ID`` are seen wherever they sit in an
expression. Checks before the run use this to find undefined names, variable
cycles and environment variables that are not set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import nodes

from runner.playbook.summaries import summary
from runner.playbook.templating import is_template
from runner.playbook.trees import NAMESPACES, parsed, undeclared


@dataclass(frozen=True)
class References:
    names: frozenset[str]
    keys: frozenset[tuple[str, str]]  # ("vars", "who"), ("env", "SF_CLIENT_ID"), ("org", "name")

    def of(self, namespace: str) -> set[str]:
        return {key for space, key in self.keys if space == namespace} if self.keys else set()


NONE = References(frozenset(), frozenset())


@lru_cache(maxsize=4096)
def references(source: str, *, expression: bool = False) -> References:
    """The names and namespace keys ``source`` reads; nothing when it does not parse."""
    found = summary(source, expression=expression)
    if found.syntax is not None:
        return NONE
    names = found.names
    if names is None:  # only Jinja2's own analysis of the whole template says
        tree = parsed(source, expression=expression)
        names = frozenset() if isinstance(tree, str) else undeclared(tree)
    return References(names, found.keys)


def variables_read(source: str, *, expression: bool = False) -> set[str]:
    """Variable names a template reads, bare or as ``vars.NAME``."""
    found = references(source, expression=expression)
    return (set(found.names) - NAMESPACES) | found.of("vars")


STATE_TESTS = frozenset({"failed", "succeeded", "success", "successful", "changed", "skipped"})


@lru_cache(maxsize=1024)
def value_paths(source: str, *, expression: bool = True) -> tuple[str, ...]:
    """The variables an expression (or a template) reads, as the paths written in it,
    outermost first: ``a.b['c'] > d * 2`` reads ``a.b['c']`` and ``d`` (what a failed
    assert shows, and where an undefined value is looked for)."""
    tree = parsed(source, expression=expression)
    if isinstance(tree, str):
        return ()
    found: dict[str, None] = {}
    _collect_paths(tree, found)
    return tuple(found)


def _collect_paths(node: nodes.Node, found: dict[str, None]) -> None:
    text = _path_text(node)
    if text is not None:
        found.setdefault(text, None)
        return
    if isinstance(node, nodes.Call):  # a method's receiver is a value; the call is not
        receiver: nodes.Node = node.node
        _collect_paths(receiver.node if isinstance(receiver, nodes.Getattr) else receiver, found)
        for argument in [*node.args, *(kw.value for kw in node.kwargs)]:
            _collect_paths(argument, found)
        return
    for child in node.iter_child_nodes():
        _collect_paths(child, found)


def path_links(path: str) -> tuple[tuple[str, str | int], ...]:
    """A path as written split into links: ``a.b[0]`` → ``(("a", "a"), ("a.b", "b"),
    ("a.b[0]", 0))``, each the text up to that link and the link's key."""
    tree = parsed(path, expression=True)
    if isinstance(tree, str) or not tree.body:
        return ()
    output = tree.body[0]
    if not isinstance(output, nodes.Output) or not output.nodes:
        return ()
    node: nodes.Node = output.nodes[0]
    links: list[tuple[str, str | int]] = []
    while True:
        text = _path_text(node)
        if text is None:
            return ()
        if isinstance(node, nodes.Name):
            links.append((text, node.name))
            return tuple(reversed(links))
        key = node.attr if isinstance(node, nodes.Getattr) else node.arg.value  # type: ignore[attr-defined]
        links.append((text, key))
        node = node.node  # type: ignore[attr-defined]


def _path_text(node: nodes.Node) -> str | None:
    """``name``, ``name.attr`` or ``name['key'][0]`` as written; None for anything else."""
    if isinstance(node, nodes.Name) and node.ctx == "load":
        return None if node.name in ("true", "false", "none") else node.name
    if isinstance(node, nodes.Getattr):
        base = _path_text(node.node)
        return None if base is None else f"{base}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        base = _path_text(node.node)
        key = node.arg.value
        if base is None or not isinstance(key, (str, int)) or isinstance(key, bool):
            return None
        return f"{base}[{key!r}]"
    return None


@lru_cache(maxsize=1024)
def state_tests(expression: str) -> frozenset[str]:
    """Names an expression tests for a step's state (``made is failed``, ``r is skipped``)."""
    tree = parsed(expression, expression=True)
    if isinstance(tree, str):
        return frozenset()
    return frozenset(
        node.node.name for node in tree.find_all(nodes.Test)
        if node.name in STATE_TESTS and isinstance(node.node, nodes.Name)
    )


LOOKUPS = frozenset({"lookup", "query", "q"})
_MAY_LOOK_UP = re.compile(r"\b(?:lookup|query|q)\s*\(")


@lru_cache(maxsize=1024)
def file_lookups(source: str, *, expression: bool = False) -> tuple[str, ...]:
    """The file names written as plain strings in ``lookup('file', ...)`` calls of ``source``,
    for checks before the run (a name built by a template is known only then; a lookup
    told ``errors='ignore'`` or ``'warn'`` may miss its file)."""
    if "(" not in source or (not expression and not is_template(source)) \
            or not _MAY_LOOK_UP.search(source):
        return ()
    tree = parsed(source, expression=expression)
    if isinstance(tree, str):
        return ()
    names: list[str] = []
    for call in tree.find_all(nodes.Call):
        target, args = call.node, call.args
        if not (isinstance(target, nodes.Name) and target.name in LOOKUPS and args):
            continue
        if any(keyword.key == "errors" and not (isinstance(keyword.value, nodes.Const)
                                                and keyword.value.value == "strict")
               for keyword in call.kwargs):
            continue  # errors='ignore' (or 'warn'): a missing file is no error
        if isinstance(args[0], nodes.Const) and args[0].value == "file":
            names += [arg.value for arg in args[1:]
                      if isinstance(arg, nodes.Const) and isinstance(arg.value, str)]
    return tuple(names)

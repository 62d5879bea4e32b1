"""What a template reads: top-level names, and keys of ``vars``, ``env`` and ``org``.

Found in Jinja2's syntax tree, not by pattern matching, so ``vars.who``,
``vars['who']`` and ``env.SF_CLIENT_ID`` are seen wherever they sit in an
expression. Checks before the run use this to find undefined names, variable
cycles and environment variables that are not set.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from jinja2 import meta, nodes

from runner.playbook.templating import is_template, parsed

NAMESPACES = frozenset({"vars", "env", "org"})


@dataclass(frozen=True)
class References:
    names: frozenset[str]
    keys: frozenset[tuple[str, str]]  # ("vars", "who"), ("env", "SF_CLIENT_ID"), ("org", "name")

    def of(self, namespace: str) -> set[str]:
        return {key for space, key in self.keys if space == namespace}


NONE = References(frozenset(), frozenset())


@lru_cache(maxsize=4096)
def references(source: str, *, expression: bool = False) -> References:
    """The names and namespace keys ``source`` reads; nothing when it does not parse."""
    if not expression and not is_template(source):
        return NONE
    tree = parsed(source, expression=expression)
    if isinstance(tree, str):
        return NONE
    keys = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        target = getattr(node, "node", None)
        if not isinstance(target, nodes.Name) or target.name not in NAMESPACES:
            continue
        if isinstance(node, nodes.Getattr):
            keys.add((target.name, node.attr))
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) \
                and isinstance(node.arg.value, str):
            keys.add((target.name, node.arg.value))
    return References(frozenset(meta.find_undeclared_variables(tree)), frozenset(keys))


def variables_read(source: str, *, expression: bool = False) -> set[str]:
    """Variable names a template reads, bare or as ``vars.NAME``."""
    found = references(source, expression=expression)
    return (set(found.names) - NAMESPACES) | found.of("vars")

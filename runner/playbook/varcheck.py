"""Variables that use variables, checked before the run: cycles and undefined names.

Each org sees its own layering of variables (see ``scope``), so the graph of
"this value reads that name" is built per org, with the org's templated
settings (``org.username`` …) as nodes too. A cycle anywhere is an error naming
the chain and where each link is written. An undefined name inside a
variable's value is an error only when a template of the playbook reads that
variable (directly or through others): an unused variable does no harm, as in
Ansible.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from runner.errors import PlaybookError
from runner.playbook.model import OrgSpec
from runner.playbook.origins import Layer, Origin, merged
from runner.playbook.references import references, variables_read
from runner.playbook.scope import MAX_DEPTH
from runner.playbook.suggest import did_you_mean
from runner.playbook.summaries import syntax_error

ORG_TEMPLATES = ("login_url", "client_id", "username", "audience", "api_version",
                 "private_key", "certificate")


@dataclass(frozen=True)
class Node:
    """A variable (or an org setting, named ``org.FIELD``) and the names its value reads."""

    name: str
    origin: Origin
    texts: tuple[str, ...]
    data: bool = False

    @property
    def reads(self) -> frozenset[str]:
        """Variables and org settings (as ``org.FIELD``) the value's templates read."""
        found: set[str] = set()
        for text in self.texts:
            found |= variables_read(text)
            found |= {f"org.{key}" for key in references(text).of("org")}
        return frozenset(found)


def strings(value: Any) -> Iterator[str]:
    """Every string inside a value of nested mappings and lists."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def org_graph(org: OrgSpec | None, layers: Iterable[Layer]) -> dict[str, Node]:
    """The nodes one org's templates resolve through."""
    definitions = merged([org.vars if org else {}, *layers])
    nodes = {name: Node(name, defined.origin, tuple(strings(defined.value)), defined.data)
             for name, defined in definitions.items()}
    if org is not None:
        for field in ORG_TEMPLATES:
            raw = getattr(org, field)
            if raw is not None:
                origin = Origin(org.base_dir, org.position)
                nodes[f"org.{field}"] = Node(f"org.{field}", origin, tuple(strings(raw)))
    return nodes


def find_cycle(nodes: Mapping[str, Node]) -> list[Node] | None:
    """One cycle of the graph, as the chain of nodes from its first to itself, or None."""
    done: set[str] = set()
    for start in nodes:
        found = _walk(nodes, start, [], done)
        if found:
            return found
    return None


def _walk(nodes: Mapping[str, Node], name: str, trail: list[str], done: set[str]) -> list[Node]:
    if name in trail:
        return [nodes[link] for link in trail[trail.index(name):]]
    if name in done or name not in nodes or nodes[name].data:
        return []
    if len(trail) >= MAX_DEPTH:  # the run would refuse it too; and the walk stays shallow
        first = nodes[trail[0]]
        raise PlaybookError(f"variables nest deeper than {MAX_DEPTH} levels: "
                            f"{' → '.join(trail[:3])} → … → {name}",
                            position=first.origin.position)
    trail.append(name)
    for read in sorted(nodes[name].reads):
        found = _walk(nodes, read, trail, done)
        if found:
            return found
    trail.pop()
    done.add(name)
    return []


def cycle_error(chain: list[Node]) -> PlaybookError:
    links = [f"{node.name} ({node.origin})" for node in chain]
    message = "variables form a cycle: " + " → ".join([*links, chain[0].name])
    return PlaybookError(message, position=chain[0].origin.position,
                         hint="one of these values must not use the others")


def reachable(nodes: Mapping[str, Node], roots: Iterable[str]) -> list[Node]:
    """The variables that templates reading ``roots`` end up rendering, in first-seen order."""
    seen: dict[str, Node] = {}
    pending = list(roots)
    while pending:
        name = pending.pop(0)
        node = nodes.get(name)
        if node is None or name in seen or node.data:
            continue
        seen[name] = node
        pending.extend(sorted(node.reads))
    return list(seen.values())


def used_value_error(
    nodes: Mapping[str, Node], roots: Iterable[str], known: set[str]
) -> PlaybookError | None:
    """An error for the first used variable whose value does not parse or reads a name
    defined nowhere."""
    for node in reachable(nodes, roots):
        if node.name.startswith("org."):
            continue
        for text in node.texts:
            problem = syntax_error(text)
            if problem:
                return PlaybookError(f"{node.name}: {problem}", position=node.origin.position)
        for name in sorted(node.reads - known - set(nodes)):
            if name.startswith("org."):
                continue
            message = (f"{node.name}: undefined variable {name!r}"
                       f"{did_you_mean(name, sorted(known | set(nodes)))}")
            return PlaybookError(message, position=node.origin.position,
                                 hint="define it under vars:, pass it with -e, or register it "
                                 "in an earlier step")
    return None

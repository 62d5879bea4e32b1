"""Inventories: orgs and groups kept outside the playbook, and ``--limit``.

Like Ansible's, an inventory is where orgs live when one playbook runs
against many of them. An inventory org replaces a playbook org of the same
name as a whole (no field-by-field merge, so what runs is what the file
says); variables layer as inventory < group (ancestors first) < org, each
keeping the line that wrote it. An inventory org's relative paths resolve
against the inventory's folder (its ``base_dir``).
"""

from __future__ import annotations

import fnmatch
import os
from collections import deque
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from runner.errors import Position, UsageError
from runner.playbook.document import Document
from runner.playbook.loader import load_document
from runner.playbook.model import OrgSpec, build_org
from runner.playbook.origins import Defined, Layer, document_layer
from runner.playbook.suggest import did_you_mean
from runner.playbook.validation import validate

GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class GroupSpec:
    name: str
    orgs: tuple[str, ...]
    children: tuple[str, ...]
    vars: Layer
    position: Position | None = None


@dataclass(frozen=True)
class Inventory:
    path: Path
    vars: Layer
    orgs: Mapping[str, OrgSpec]
    groups: Mapping[str, GroupSpec]
    document: Document


def load_inventory(path: str | os.PathLike[str]) -> Inventory:
    """Load and validate an inventory file; group children must exist and not loop."""
    document = load_document(path)
    validate(document, "inventory")
    return build_inventory(document)


def build_inventory(document: Document) -> Inventory:
    """Build an Inventory from a schema-valid document."""
    data: Mapping[str, Any] = document.data
    orgs = {name: build_org(name, raw, document) for name, raw in data.get("orgs", {}).items()}
    groups = {
        name: GroupSpec(
            name,
            tuple(raw.get("orgs", ())),
            tuple(raw.get("children", ())),
            document_layer(document, raw.get("vars", {}), ("groups", name, "vars")),
            document.position_of(("groups", name)),
        )
        for name, raw in data.get("groups", {}).items()
    }
    _check_children(groups, document)
    variables = document_layer(document, data.get("vars", {}), ("vars",))
    return Inventory(Path(document.path), variables, orgs, groups, document)


def _check_children(groups: Mapping[str, GroupSpec], document: Document) -> None:
    for group in groups.values():
        for index, child in enumerate(group.children):
            if child not in groups:
                raise document.error(
                    ("groups", group.name, "children", index),
                    f"groups.{group.name}.children: no group named {child!r}"
                    f"{did_you_mean(child, groups)}",
                    key=False,
                )
    cycle = _cycle(groups)
    if cycle:
        shown = cycle if len(cycle) <= 7 else [*cycle[:3], "…", *cycle[-3:]]
        raise document.error(("groups", cycle[0]),
                             f"groups: children form a cycle: {' -> '.join(shown)}")


def _cycle(groups: Mapping[str, GroupSpec]) -> list[str] | None:
    """The first cycle among the groups' children (``[a, b, a]``), or None: one walk over
    every group and child, without recursion, however deep or wide the groups."""
    done: set[str] = set()
    for root in groups:
        if root in done:
            continue
        trail, on_trail = [root], {root}
        pending = [iter(groups[root].children)]
        while pending:
            child = next(pending[-1], None)
            if child is None:  # every child of the trail's last group is done
                finished = trail.pop()
                on_trail.discard(finished)
                done.add(finished)
                pending.pop()
                continue
            if child in on_trail:
                return [*trail[trail.index(child):], child]
            if child not in done:
                trail.append(child)
                on_trail.add(child)
                pending.append(iter(groups[child].children))
    return None


def group_members(groups: Mapping[str, GroupSpec], name: str) -> list[str]:
    """Org names of a group and its descendants, first occurrence order."""
    found: dict[str, None] = {}
    pending = deque([name])
    seen: set[str] = set()
    while pending:
        current = pending.popleft()
        if current in seen:
            continue
        seen.add(current)
        found.update(dict.fromkeys(groups[current].orgs))
        pending.extend(groups[current].children)
    return list(found)


def _depths(groups: Mapping[str, GroupSpec]) -> dict[str, int]:
    """Each group's level: 1 for a top group, one more than its deepest parent otherwise
    (groups in an order where parents come first; the children form no cycle)."""
    parents = {name: 0 for name in groups}
    for group in groups.values():
        for child in set(group.children):
            parents[child] += 1
    depth = dict.fromkeys(groups, 1)
    ready = deque(name for name, count in parents.items() if count == 0)
    while ready:
        name = ready.popleft()
        for child in set(groups[name].children):
            depth[child] = max(depth[child], depth[name] + 1)
            parents[child] -= 1
            if parents[child] == 0:
                ready.append(child)
    return depth


def _group_vars(groups: Mapping[str, GroupSpec]) -> list[tuple[set[str], Layer]]:
    """(members, vars) per group, parents before their children."""
    depth = _depths(groups)
    ordered = sorted(groups.values(), key=lambda group: depth[group.name])
    return [(set(group_members(groups, group.name)), group.vars) for group in ordered]


def merge_orgs(
    playbook_orgs: Mapping[str, OrgSpec],
    inventory: Inventory,
    *,
    keys: Collection[str] | None = None,
) -> dict[str, OrgSpec]:
    """The orgs of a run: the playbook's, replaced or extended by the inventory's.

    With ``keys`` (the playbook's ``keys:`` names), an inventory org's ``key``
    must name one of them.
    """
    merged = {
        name: org
        for name, org in playbook_orgs.items()
        if not (org.implicit and inventory.orgs)
    }
    merged.update(inventory.orgs)
    _check_group_orgs(inventory, merged)
    if keys is not None:
        _check_keys(inventory, keys)
    layers = _group_vars(inventory.groups)
    result = {}
    for name, org in merged.items():
        layered: dict[str, Defined] = dict(inventory.vars)
        for members, group_vars in layers:
            if name in members:
                layered.update(group_vars)
        layered.update(org.vars)
        result[name] = replace(org, vars=layered)
    return result


def _check_group_orgs(inventory: Inventory, orgs: Mapping[str, OrgSpec]) -> None:
    for group in inventory.groups.values():
        for index, name in enumerate(group.orgs):
            if name not in orgs:
                raise inventory.document.error(
                    ("groups", group.name, "orgs", index),
                    f"groups.{group.name}.orgs: no org named {name!r}{did_you_mean(name, orgs)}",
                    key=False,
                )


def _check_keys(inventory: Inventory, keys: Collection[str]) -> None:
    for name, org in inventory.orgs.items():
        if org.key is not None and org.key not in keys:
            raise inventory.document.error(
                ("orgs", name, "key"),
                f"orgs.{name}.key: the playbook has no key named {org.key!r}"
                f"{did_you_mean(org.key, keys)}",
                hint="name an entry of the playbook's keys:, or give private_key: PATH instead",
                key=False,
            )


def select_orgs(
    orgs: Mapping[str, Any] | Iterable[str],
    groups: Mapping[str, GroupSpec],
    limit: str | None,
) -> list[str]:
    """Org names chosen by ``-l/--limit``: comma-separated names, groups, globs, ``!exclusions``.

    With only exclusions, they apply to every org. Unknown names and patterns
    that match nothing are a UsageError with a did-you-mean.
    """
    names = list(orgs)
    if limit is None or not limit.strip():
        return names
    parts = [part.strip() for part in limit.split(",") if part.strip()]
    includes = [part for part in parts if not part.startswith("!")]
    excludes = [part[1:].strip() for part in parts if part.startswith("!")]
    chosen: set[str] = set()
    for pattern in includes or ["*"]:
        chosen.update(_matches(pattern, names, groups))
    for pattern in excludes:
        chosen.difference_update(_matches(pattern, names, groups))
    selected = [name for name in names if name in chosen]
    if not selected:
        raise UsageError(f"--limit {limit!r} selects no org", hint=_known(names, groups))
    return selected


def _matches(pattern: str, names: list[str], groups: Mapping[str, GroupSpec]) -> set[str]:
    if not pattern:
        raise UsageError("--limit: empty pattern after '!'")
    if GLOB_CHARS & set(pattern):
        found = {name for name in names if fnmatch.fnmatchcase(name, pattern)}
        for group in groups:
            if fnmatch.fnmatchcase(group, pattern):
                found.update(group_members(groups, group))
        if not found:
            message = f"--limit: no org or group matches {pattern!r}"
            raise UsageError(message, hint=_known(names, groups))
        return found
    if pattern in groups:
        return set(group_members(groups, pattern))
    if pattern in names:
        return {pattern}
    suggestion = did_you_mean(pattern, [*names, *groups])
    message = f"--limit: no org or group named {pattern!r}{suggestion}"
    raise UsageError(message, hint=_known(names, groups))


def _known(names: Iterable[str], groups: Mapping[str, GroupSpec]) -> str:
    orgs = ", ".join(names) or "none"
    return f"orgs: {orgs}" + (f"; groups: {', '.join(groups)}" if groups else "")

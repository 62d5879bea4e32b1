"""``--list-orgs``: each targeted org with its login URL rendered as a run would, and its groups."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from runner.playbook.inventory import GroupSpec, group_members
from runner.playbook.model import Playbook
from runner.playbook.scope import RunVars, build_scope
from runner.playbook.templating import TemplateRenderError


@dataclass(frozen=True)
class Target:
    name: str
    where: str  # "embedded org", the login URL, or why it cannot be rendered yet
    groups: tuple[str, ...]
    production: bool


def groups_of(groups: Mapping[str, GroupSpec]) -> dict[str, tuple[str, ...]]:
    """Org name → the groups it belongs to (directly or through a child group), by name."""
    found: dict[str, list[str]] = {}
    for name in sorted(groups):
        for org in group_members(groups, name):
            found.setdefault(org, []).append(name)
    return {org: tuple(names) for org, names in found.items()}


def list_targets(
    playbook: Playbook, run: RunVars, groups: Mapping[str, GroupSpec]
) -> list[Target]:
    membership = groups_of(groups)
    targets = []
    for org in playbook.orgs.values():
        if org.is_emulated:
            where = "embedded org"
        else:
            try:
                where = str(build_scope(run, org).org_setting("login_url") or "")
            except TemplateRenderError as exc:
                where = f"login_url cannot be rendered: {exc.message}"
        targets.append(Target(org.name, where, membership.get(org.name, ()), org.production))
    return targets

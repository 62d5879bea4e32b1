"""``--list-orgs``, ``--list-steps`` and ``--list-tags``: what a run would target."""

from __future__ import annotations

from rich.console import Console

from runner.playbook.model import Playbook
from runner.playbook.shards import Selection
from runner.playbook.steps import INCLUDES, StepSpec
from runner.run.targets import Target
from runner.secrets import redact


def org_line(target: Target) -> str:
    """``acme-prod  (https://login.salesforce.com)  groups: production  production: true``"""
    line = f"    {target.name}  ({target.where})"
    if target.groups:
        line += f"  groups: {', '.join(target.groups)}"
    return line + ("  production: true" if target.production else "")


def print_listing(
    console: Console, playbook: Playbook, steps: tuple[StepSpec, ...], *,
    orgs: list[Target] | None, list_steps: bool, tags: bool,
    selection: Selection | None = None,
) -> None:
    """The orgs (when given), the selected steps and the tags of one playbook, as asked."""
    def say(text: str) -> None:
        console.print(redact(text), markup=False, highlight=False)

    say(f"playbook: {playbook.path} ({playbook.name})")
    if orgs is not None:
        shard = selection.shard if selection else None
        if selection is None or shard is None:
            say("  orgs:")
        else:
            say(f"  orgs of shard {shard} ({len(orgs)} of the "
                f"{len(selection.selected)} selected, by name):")
        for target in orgs:
            say(org_line(target))
        if not orgs:
            say("    (none)")
    if list_steps:
        say("  steps:")
        for step in steps:
            shown = f"  tags: {', '.join(step.tags)}" if step.tags else ""
            if step.include is not None and step.include.body is None:
                shown += "  (its file is chosen when it runs)"
            say(f"    {'   ' * _depth(step)}{step.index + 1}. {step.name}{shown}")
    if tags:
        names = sorted({tag for step in playbook.steps for tag in step.tags})
        say(f"  tags: {', '.join(names) or '(none)'}")


def _depth(step: StepSpec) -> int:
    """How many includes a step runs inside: its line is indented under theirs."""
    chain = step.source.chain if step.source is not None else ()
    return sum(1 for link in chain if link.keyword in INCLUDES)

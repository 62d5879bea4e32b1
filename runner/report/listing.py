"""``--list-orgs``, ``--list-steps`` and ``--list-tags``: what a run would target."""

from __future__ import annotations

from rich.console import Console

from runner.playbook.model import Playbook, StepSpec
from runner.playbook.shards import Selection


def print_listing(
    console: Console, playbook: Playbook, steps: tuple[StepSpec, ...], *,
    orgs: bool, list_steps: bool, tags: bool, selection: Selection | None = None,
) -> None:
    """The orgs, the selected steps and the tags of one playbook, as asked."""
    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False)

    say(f"playbook: {playbook.path} ({playbook.name})")
    if orgs:
        shard = selection.shard if selection else None
        if selection is None or shard is None:
            say("  orgs:")
        else:
            say(f"  orgs of shard {shard} ({len(playbook.orgs)} of the "
                f"{len(selection.selected)} selected, by name):")
        for org in playbook.orgs.values():
            where = "embedded org" if org.is_emulated else (org.login_url or "")
            say(f"    {org.name}  ({where})")
        if not playbook.orgs:
            say("    (none)")
    if list_steps:
        say("  steps:")
        for step in steps:
            shown = f"  tags: {', '.join(step.tags)}" if step.tags else ""
            say(f"    {step.index + 1}. {step.name}{shown}")
    if tags:
        names = sorted({tag for step in playbook.steps for tag in step.tags})
        say(f"  tags: {', '.join(names) or '(none)'}")

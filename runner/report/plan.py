"""``--check``: the plan of a run as a person reads it, every line masked."""

from __future__ import annotations

from rich.console import Console

from runner.playbook.model import Playbook
from runner.run.plan import Plan
from runner.secrets import redact


def print_plan(console: Console, playbook: Playbook, plan: Plan) -> None:
    def say(text: str) -> None:
        console.print(redact(text), markup=False, highlight=False)

    say(f"PLAN {playbook.name}  ({playbook.path}) — check mode: nothing is sent")
    for key in plan.keys:
        say(f"  key {key.name}: {key.path} {key.state}")
    for org in plan.orgs:
        say(f"org {org.name}")
        say(f"  {org.login}")
        for item in org.steps:
            say(f"  {item.number}. {item.name}: {item.action}")

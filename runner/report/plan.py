"""``--check``: the plan of a run as a person reads it, every line masked.

A request is its method and path, its body as the JSON that would be sent and
its SOQL as written (not URL-encoded); a write that a production org would
refuse says so on its own line.
"""

from __future__ import annotations

from rich.console import Console

from runner.playbook.model import Playbook
from runner.run.plan import Plan, PlannedStep
from runner.secrets import redact

INDENT = "       "


def step_lines(step: PlannedStep) -> list[str]:
    """The line of one planned step, and the lines under it."""
    head = f"  {step.number}. {step.name}: "
    if step.skipped:
        return [head + f"skipped: {step.skipped}"]
    if step.problem:
        return [head + f"cannot be rendered before the run: {step.problem}"]
    lines = [head + step.request]
    if step.soql is not None:
        lines.append(f"{INDENT}soql: {step.soql}")
    if step.body is not None:
        lines.append(f"{INDENT}{step.body}")
    if step.when:
        lines.append(f"{INDENT}when: {step.when} (decided during the run)")
    if step.section == "rescue":
        lines.append(f"{INDENT}rescue: runs only when a step of its block fails")
    elif step.section == "always":
        lines.append(f"{INDENT}always: runs after its block, whatever happened")
    if step.refused:
        lines.append(f"{INDENT}REFUSED: {step.refused}")
    return lines


def print_plan(console: Console, playbook: Playbook, plan: Plan) -> None:
    def say(text: str) -> None:
        console.print(redact(text), markup=False, highlight=False)

    say(f"PLAN {playbook.name}  ({playbook.path}) — check mode: nothing is sent")
    for key in plan.keys:
        say(f"  key {key.name}: {key.path} {key.state}")
    for org in plan.orgs:
        say(f"org {org.name}" + (f" (production: writes {org.writes})" if org.writes else ""))
        say(f"  {org.login}")
        for item in org.steps:
            for line in step_lines(item):
                say(line)

"""Which steps run: ``--tags``, ``--skip-tags`` and ``--start-at-step``; which orgs a step is for.

Tags follow Ansible: ``always`` runs unless skipped by name, ``never`` runs only
when asked for by name.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from fnmatch import fnmatch

from runner.errors import UsageError
from runner.playbook.model import Playbook
from runner.playbook.steps import StepSpec, leaves
from runner.playbook.suggest import did_you_mean


def split_tags(options: Iterable[str]) -> set[str]:
    return {tag.strip() for option in options for tag in option.split(",") if tag.strip()}


def _tag_selected(step: StepSpec, wanted: set[str], skipped: set[str]) -> bool:
    tags = set(step.tags)
    if tags & skipped:
        return False
    if "never" in tags and not (tags & wanted):
        return False
    if not wanted or "all" in wanted:
        return True
    return bool(tags & (wanted | {"always"}))


def select_steps(playbook: Playbook, args: argparse.Namespace) -> tuple[StepSpec, ...]:
    steps = playbook.steps
    start = getattr(args, "start_at_step", None)
    if start:
        names = [step.name for step in steps]
        if start not in names:
            suggestion = did_you_mean(start, names)
            raise UsageError(f"--start-at-step: no step named {start!r}{suggestion}")
        first = names.index(start)
        _refuse_inside_include(steps, first)
        steps = steps[first:]
    wanted = split_tags(getattr(args, "tags", []))
    skipped = split_tags(getattr(args, "skip_tags", []))
    known = {tag for step in playbook.steps for tag in step.tags} | {"all", "always", "never"}
    for tag in sorted((wanted | skipped) - known):
        raise UsageError(f"unknown tag {tag!r}{did_you_mean(tag, sorted(known))}")
    return tuple(step for step in steps if _tag_selected(step, wanted, skipped))


def _refuse_inside_include(steps: tuple[StepSpec, ...], index: int) -> None:
    """A run cannot start inside an include (as in Ansible): the include would not run, and
    neither would the step asked for."""
    for step in steps[:index]:
        body = step.include.body if step.include is not None else None
        if body is not None and any(leaf.index == steps[index].index for leaf in leaves(body)):
            raise UsageError(f"--start-at-step: {steps[index].name!r} is a step of "
                             f"{step.name!r}; a run cannot start inside an include",
                             hint=f"start at {step.name!r}, or import the file with "
                             "import_steps")


def applies_to(step: StepSpec, org_name: str) -> bool:
    """Whether a step's ``orgs:`` (names or globs) includes this org."""
    return not step.orgs or any(fnmatch(org_name, pattern) for pattern in step.orgs)

"""What ``sfjwt-run PLAYBOOK`` does once its options are parsed.

Loads and checks every playbook before running any (``runner.cli.loading``), so a
typo in the second file is reported before the first one touches the network;
``execute`` then runs them and writes the reports. ``--syntax-check`` has a module
of its own (``runner.cli.check``) that imports none of this.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from runner import secrets
from runner.cli.check import syntax_check_command
from runner.cli.doctor import run_doctor
from runner.cli.environment import Environment
from runner.cli.execute import execute
from runner.cli.folders import source_text
from runner.cli.init import init_project
from runner.cli.loading import load_all, with_targets
from runner.cli.signals import Signals
from runner.context import current
from runner.errors import ExitStatus
from runner.playbook import lint, selection
from runner.playbook.inventory import load_inventory
from runner.playbook.model import Playbook, load_playbook
from runner.playbook.scope import RunVars
from runner.playbook.steps import StepSpec
from runner.report import init as report_init
from runner.report import listing, messages
from runner.report import plan as report_plan
from runner.run import plan
from runner.run.results import worst
from runner.run.targets import list_targets


def init_command(args: argparse.Namespace, env: Environment) -> ExitStatus:
    from_env = Path(args.from_env) if args.from_env else None
    scaffold = init_project(Path(args.directory), from_env=from_env, org=args.org,
                            move_key=args.move_key, force=args.force)
    report_init.print_scaffold(env.stdout, created=scaffold.created, kept=scaffold.kept,
                               replaced=scaffold.replaced, warnings=scaffold.warnings,
                               replace_hint=not args.force)
    inventory = load_inventory(scaffold.directory / "inventory.yml")
    playbook = with_targets(
        load_playbook(scaffold.directory / "playbook.yml", extra_org_names=inventory.orgs),
        [inventory], None)
    lint.check_playbook(playbook, extra_vars={})
    report_init.print_checked(env.stdout, playbook.path, inventory.path, scaffold.checklist)
    return ExitStatus.OK


def run_command(args: argparse.Namespace, env: Environment, signals: Signals) -> ExitStatus:
    if args.syntax_check:
        return syntax_check_command(args, env)
    loaded = load_all(args)
    playbooks, runs, selections = loaded.playbooks, loaded.runs, loaded.selections
    if args.doctor:
        results = [run_doctor(env, playbook, run, verify=args.ca_bundle or True)
                   for playbook, run in zip(playbooks, runs, strict=True)]
        return worst(results)
    if args.check:
        for playbook, run in zip(playbooks, runs, strict=True):
            print_plan(env, playbook, selection.select_steps(playbook, args), run,
                       allow_writes=args.allow_writes)
        return ExitStatus.OK
    if args.list_steps or args.list_orgs or args.list_tags:
        groups = {name: group for inv in loaded.inventories for name, group in inv.groups.items()}
        for playbook, run, chosen in zip(playbooks, runs, selections, strict=True):
            listed = list_targets(playbook, run, groups) if args.list_orgs else None
            listing.print_listing(env.stdout, playbook, selection.select_steps(playbook, args),
                                  orgs=listed, list_steps=args.list_steps,
                                  tags=args.list_tags, selection=chosen)
        return ExitStatus.OK
    if args.verbose:
        for found in loaded.notices:
            messages.print_notices(env.stderr, [n for n in found if n.kind == "hidden"])
    return execute(args, env, list(zip(playbooks, runs, selections, strict=True)),
                   loaded.extra_vars, signals, source=source_text(args))


def print_plan(
    env: Environment, playbook: Playbook, steps: tuple[StepSpec, ...], run: RunVars, *,
    allow_writes: bool = False,
) -> None:
    # Keys are not loaded in check mode, so their passphrases were never registered;
    # a step that renders one into a URL or body must still show it masked.
    named = [key.passphrase_env for key in playbook.keys.values()]
    named += [org.passphrase_env for org in playbook.orgs.values()]
    for variable in filter(None, named):
        secrets.register(current().environ.get(variable))
    planned = plan.plan_playbook(playbook, steps, run, allow_writes=allow_writes)
    report_plan.print_plan(env.stdout, playbook, planned)

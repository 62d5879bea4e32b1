"""What ``sfjwt-run PLAYBOOK`` does once its options are parsed.

Loads and checks every playbook before running any, so a typo in the second
file is reported before the first one touches the network; ``execute`` then runs
them and writes the reports.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from runner import secrets
from runner.cli.doctor import run_doctor
from runner.cli.environment import Environment
from runner.cli.execute import execute
from runner.cli.folders import by_keyword, playbook_paths, source_text
from runner.cli.init import init_project
from runner.cli.signals import Signals
from runner.context import current
from runner.errors import ExitStatus, UsageError
from runner.playbook import lint, selection
from runner.playbook.environ import load_env
from runner.playbook.inventory import GroupSpec, Inventory, load_inventory, merge_orgs, select_orgs
from runner.playbook.model import Playbook, load_playbook
from runner.playbook.origins import Layer
from runner.playbook.scope import RunVars
from runner.playbook.shards import Selection
from runner.playbook.steps import StepSpec
from runner.playbook.variables import parse_extra_vars
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
    if args.ca_bundle and not Path(args.ca_bundle).is_file():  # else every lane fails alike
        raise UsageError(f"--ca-bundle {args.ca_bundle}: no such file",
                         hint="give a PEM file of the CA certificates to trust")
    extra_vars = parse_extra_vars(args.extra_vars)
    inventories = [load_inventory(path) for path in args.inventory]
    known = {name for inv in inventories for name in (*inv.orgs, *inv.groups)}
    root = project_root(args.root)
    loaded = [load_playbook(path, extra_org_names=known, root=root)
              for path in playbook_paths(args)]
    selected = [with_targets(playbook, inventories, args.limit)
                for playbook in by_keyword(loaded, args.keyword)]
    runs = [run_vars(playbook, inventories, extra_vars) for playbook in selected]
    # every selected org, so that all shards refuse the same errors
    notices = [lint.check_playbook(playbook, extra_vars=extra_vars, env=run.env)
               for playbook, run in zip(selected, runs, strict=True)]
    selections = [Selection(tuple(playbook.orgs), args.shard) for playbook in selected]
    playbooks = list(map(in_selection, selected, selections))
    if args.syntax_check:
        for playbook, found in zip(playbooks, notices, strict=True):
            messages.print_notices(env.stderr, found)
            messages.print_syntax_ok(env.stdout, playbook, found)
        return ExitStatus.OK
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
        groups = {name: group for inv in inventories for name, group in inv.groups.items()}
        for playbook, run, chosen in zip(playbooks, runs, selections, strict=True):
            listed = list_targets(playbook, run, groups) if args.list_orgs else None
            listing.print_listing(env.stdout, playbook, selection.select_steps(playbook, args),
                                  orgs=listed, list_steps=args.list_steps,
                                  tags=args.list_tags, selection=chosen)
        return ExitStatus.OK
    if args.verbose:
        for found in notices:
            messages.print_notices(env.stderr, [n for n in found if n.kind == "hidden"])
    return execute(args, env, list(zip(playbooks, runs, selections, strict=True)), extra_vars,
                   signals, source=source_text(args))


def with_targets(
    playbook: Playbook, inventories: list[Inventory], limit: str | None
) -> Playbook:
    """The playbook with the orgs this run targets: its own, then inventories, then -l."""
    orgs = dict(playbook.orgs)
    groups: dict[str, GroupSpec] = {}
    for inventory in inventories:
        orgs = merge_orgs(orgs, inventory, keys=playbook.keys)
        groups.update(inventory.groups)
    selected = select_orgs(orgs, groups, limit)
    project = playbook.project.widened(inventory.path.parent for inventory in inventories)
    return replace(playbook, orgs={name: orgs[name] for name in selected}, project=project)


def project_root(root: str | None) -> Path | None:
    """``--root DIR``: the one folder every data file must be inside."""
    if root is None:
        return None
    if not Path(root).is_dir():
        raise UsageError(f"--root {root}: no such folder",
                         hint="name the folder that holds the playbooks and their files")
    return Path(root)


def in_selection(playbook: Playbook, chosen: Selection) -> Playbook:
    """The playbook with only the orgs of ``chosen``'s shard."""
    return replace(playbook, orgs={name: playbook.orgs[name] for name in chosen.orgs})


def run_vars(playbook: Playbook, inventories: list[Inventory], extra: Layer) -> RunVars:
    """What the playbook's templates start from; ``.env`` files are read from the working
    directory, then next to the playbook, then next to each inventory."""
    folders = [current().cwd, playbook.base_dir, *(inv.path.parent for inv in inventories)]
    return RunVars.of(playbook, extra, load_env(*folders))


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

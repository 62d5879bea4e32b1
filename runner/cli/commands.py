"""What ``sfjwt-run PLAYBOOK`` does once its options are parsed.

Loads and checks every playbook before running any, so a typo in the second
file is reported before the first one touches the network. The run happens in
a worker thread so that Ctrl-C or SIGTERM can stop new requests while the
reports of what already ran are still written.
"""

from __future__ import annotations

import argparse
import socket
import threading
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from runner import secrets
from runner.cli.doctor import run_doctor
from runner.cli.environment import Environment
from runner.cli.init import init_project
from runner.context import carry, current
from runner.errors import ExitStatus, UsageError
from runner.playbook import lint, selection
from runner.playbook.environ import load_env
from runner.playbook.inventory import GroupSpec, Inventory, load_inventory, merge_orgs, select_orgs
from runner.playbook.model import Playbook, StepSpec, load_playbook
from runner.playbook.origins import Layer
from runner.playbook.scope import RunVars
from runner.playbook.shards import Selection
from runner.playbook.variables import parse_extra_vars
from runner.report import files, github, listing, messages
from runner.report import init as report_init
from runner.report import plan as report_plan
from runner.report.console import ConsoleReport, print_overall
from runner.run import plan
from runner.run.executor import Executor, RunOptions
from runner.run.results import Invocation, RunResult, worst
from runner.run.targets import list_targets
from runner.salesforce.token_cache import TokenCache


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


def run_command(args: argparse.Namespace, env: Environment) -> ExitStatus:
    if args.ca_bundle and not Path(args.ca_bundle).is_file():  # else every lane fails alike
        raise UsageError(f"--ca-bundle {args.ca_bundle}: no such file",
                         hint="give a PEM file of the CA certificates to trust")
    extra_vars = parse_extra_vars(args.extra_vars)
    inventories = [load_inventory(path) for path in args.inventory]
    known = {name for inv in inventories for name in (*inv.orgs, *inv.groups)}
    selected = [
        with_targets(load_playbook(Path(path), extra_org_names=known), inventories, args.limit)
        for path in args.playbooks
    ]
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
    cache = TokenCache(Path(args.token_cache)) if args.token_cache else None
    targets = report_targets(args)
    console = env.stderr if any(t.path is None for t in targets) else env.stdout
    invocation = Invocation(started_at=datetime.now(timezone.utc).astimezone(),
                            hostname=socket.gethostname())
    try:
        for playbook, run in zip(playbooks, runs, strict=True):
            options = RunOptions(
                forks=args.forks,
                extra_vars=extra_vars,
                env=run.env,
                steps=selection.select_steps(playbook, args),
                allow_writes=args.allow_writes,
                verify=args.ca_bundle or True,
                org_timeout=args.org_timeout,
                token_cache=cache,
            )
            report = ConsoleReport(console, verbosity=args.verbose,
                                   progress=not args.no_progress)
            result = run_playbook(playbook, options, report)
            invocation.runs.append(result)
            if result.interrupted:
                break
    except KeyboardInterrupt:  # between two runs, or a second Ctrl-C: report what finished
        invocation.stopped = True
    if cache is not None:
        cache.save()
    if len(invocation.runs) > 1:
        print_overall(console, invocation)
    if current().environ.get("GITHUB_ACTIONS") == "true":
        github.print_annotations(console, invocation)
    files.write_reports(invocation, targets, env.stdout.file, console)
    return invocation.exit_status


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
    return replace(playbook, orgs={name: orgs[name] for name in selected})


def in_selection(playbook: Playbook, chosen: Selection) -> Playbook:
    """The playbook with only the orgs of ``chosen``'s shard."""
    return replace(playbook, orgs={name: playbook.orgs[name] for name in chosen.orgs})


def run_vars(playbook: Playbook, inventories: list[Inventory], extra: Layer) -> RunVars:
    """What the playbook's templates start from; ``.env`` files are read from the working
    directory, then next to the playbook, then next to each inventory."""
    folders = [current().cwd, playbook.base_dir, *(inv.path.parent for inv in inventories)]
    return RunVars(playbook.vars, extra, load_env(*folders))


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


def report_targets(args: argparse.Namespace) -> list[files.Target]:
    """Where each requested report goes; ``-`` is standard output (one report at most)."""
    summary = current().environ.get("GITHUB_STEP_SUMMARY")
    requested = {kind: getattr(args, kind, None) for kind in files.RENDERERS}
    return files.targets(requested, step_summary=summary)


def run_playbook(playbook: Playbook, options: RunOptions, report: ConsoleReport) -> RunResult:
    """Run one playbook, its lines and recap printed by ``report``."""
    result = _run_interruptibly(Executor(playbook, options, report))
    report.recap(result)
    return result


def _run_interruptibly(executor: Executor) -> RunResult:
    box: dict[str, Any] = {}
    finished = threading.Event()

    def target() -> None:
        try:
            box["result"] = executor.run()
        except BaseException as exc:  # handed back to the main thread below
            box["error"] = exc
        finally:
            finished.set()

    worker = threading.Thread(target=carry(target), name="run", daemon=True)
    worker.start()
    # An Event, not Thread.join(): a join() interrupted by Ctrl-C can mark the thread as
    # finished while it still runs (CPython before 3.13), and the result would be lost.
    try:
        while not finished.wait(0.1):
            pass
    except KeyboardInterrupt:
        executor.stop()
        finished.wait()  # a second Ctrl-C gets out without waiting (exit 99, no reports)
    if "error" in box:
        raise box["error"]
    result: RunResult = box["result"]
    return result

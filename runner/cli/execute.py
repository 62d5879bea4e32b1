"""Run the selected playbooks one after the other, then write every report, whatever signal comes.

Each run happens in a worker thread, so that Ctrl-C or SIGTERM (``signals``) can
stop new requests while the main thread stays free to write the reports of what
already ran. The report paths are checked before the first request is sent.
"""

from __future__ import annotations

import argparse
import socket
import threading
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from runner.cli.environment import Environment
from runner.cli.signals import Signals
from runner.context import carry, current
from runner.errors import ExitStatus
from runner.playbook import selection
from runner.playbook.model import Playbook
from runner.playbook.origins import Layer
from runner.playbook.scope import RunVars
from runner.playbook.shards import Selection
from runner.report import files, github, messages
from runner.report.console import ConsoleReport
from runner.run.executor import Executor, RunOptions
from runner.run.results import Invocation, RunResult
from runner.salesforce.token_cache import TokenCache


def report_targets(args: argparse.Namespace) -> list[files.Target]:
    """Where each requested report goes; ``-`` is standard output (one report at most)."""
    summary = current().environ.get("GITHUB_STEP_SUMMARY")
    requested = {kind: getattr(args, kind, None) for kind in files.RENDERERS}
    return files.targets(requested, step_summary=summary)


def execute(
    args: argparse.Namespace, env: Environment,
    playbooks: Sequence[tuple[Playbook, RunVars, Selection]], extra_vars: Layer, signals: Signals,
    *, source: str = "",
) -> ExitStatus:
    """Run ``playbooks`` (each with what its templates start from and the orgs it was
    selected from) and write the reports; returns the command's exit status. Several
    playbooks (a folder of recipes: ``source``) get one header and one recap, each
    playbook still showing its lines."""
    targets = report_targets(args)
    files.check_paths(targets)
    cache = TokenCache(Path(args.token_cache)) if args.token_cache else None
    console = env.stderr if any(t.path is None for t in targets) else env.stdout
    invocation = Invocation(started_at=datetime.now(timezone.utc).astimezone(),
                            hostname=socket.gethostname())
    several = len(playbooks) > 1
    if several:
        ConsoleReport(console).header([playbook for playbook, _, _ in playbooks], source)
    try:
        report: ConsoleReport | None = None
        with signals.running():
            for playbook, run, chosen in playbooks:
                if signals.requested:  # came between two playbooks: the next one does not start
                    invocation.stopped = True
                    break
                options = RunOptions(
                    forks=args.forks, extra_vars=extra_vars, env=run.env,
                    steps=selection.select_steps(playbook, args),
                    allow_writes=args.allow_writes, verify=args.ca_bundle or True,
                    org_timeout=args.org_timeout, token_cache=cache, selection=chosen,
                    keep_going=args.keep_going, verbosity=args.verbose,
                )
                report = ConsoleReport(console, verbosity=args.verbose,
                                       progress=not args.no_progress)
                executor = Executor(playbook, options, report)
                signals.watch(executor.stop)
                result = _run_in_worker(executor)
                invocation.runs.append(result)
                if several:
                    report.finish()
                    report.afterword(result)
                    console.print()
                else:
                    report.recap(result)
                if result.interrupted:
                    break
    except KeyboardInterrupt:  # a second signal: the playbooks that had finished are reported
        invocation.stopped = True
        if report is not None:
            report.finish()  # the lines the lanes had handed over
    return finish(invocation, targets, env, console, cache)


def finish(
    invocation: Invocation, targets: list[files.Target], env: Environment, console: Any,
    cache: TokenCache | None,
) -> ExitStatus:
    """The token cache, the annotations and every report that can be written."""
    if env.results is not None:
        env.results.append(invocation)
    if cache is not None:
        cache.save()
    if len(invocation.runs) > 1:
        ConsoleReport(console).summary(invocation)
    if current().environ.get("GITHUB_ACTIONS") == "true":
        github.print_annotations(console, invocation)
    unwritten = files.write_reports(invocation, targets, env.stdout.file, console)
    for problem in unwritten:
        messages.print_unwritten(env.stderr, problem.message)
    status = invocation.exit_status
    if any(problem.internal for problem in unwritten):
        return ExitStatus.INTERNAL_ERROR
    if unwritten and status is ExitStatus.OK:
        return ExitStatus.BAD_OPTIONS  # the run passed, but CI would miss a report
    return status


def _run_in_worker(executor: Executor) -> RunResult:
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
    # An Event, not Thread.join(): a join() interrupted by a signal can mark the thread as
    # finished while it still runs (CPython before 3.13), and the result would be lost.
    # The first signal only stops the executor; a second one raises out of this wait.
    while not finished.wait(0.1):
        pass
    if "error" in box:
        raise box["error"]
    result: RunResult = box["result"]
    return result

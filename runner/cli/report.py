"""``sfjwt-run report merge SHARD.json...``: the run that the shards of a CI matrix make together.

Reads each shard's ``--json`` report, merges them (``runner.report.merge``), prints the recap
and matrix a single run would print, and finishes as a run does: annotations when
``GITHUB_ACTIONS=true``, every requested report (``-`` for standard output,
``$GITHUB_STEP_SUMMARY`` appended to), and the merged exit status, so the final job of a
matrix fails or passes as one run would.
"""

from __future__ import annotations

import argparse

from runner.cli.environment import Environment
from runner.cli.execute import finish, report_targets
from runner.errors import ExitStatus
from runner.report import files
from runner.report.console import ConsoleReport, print_merge_header
from runner.report.merge import merge_reports
from runner.report.reading import read_report

FILE_HELP = {"junit": "a JUnit XML report", "json": "a JSON report",
             "markdown": "a markdown summary", "html": "an HTML report"}


def add_report_commands(parser: argparse.ArgumentParser) -> None:
    """``merge`` under ``sfjwt-run report``; its file options are those a run writes."""
    commands = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    merge = commands.add_parser(
        "merge", prog=f"{parser.prog} merge",
        help="merge the JSON reports of shards (--shard K/N) into one run",
        description="Rebuild one run from the --json reports of its shards (--shard K/N): the "
        "recap, matrix, reports and exit status one process running every org would give. "
        "Refuses (exit 4) reports of other playbooks or selections, a shard given twice or "
        "missing, and a report format it does not read.")
    merge.add_argument("reports", nargs="+", metavar="REPORT",
                       help="the shards' JSON reports (e.g. shard-*.json)")
    for kind in files.RENDERERS:
        merge.add_argument(f"--{kind}", metavar="FILE",
                           help=f"write {FILE_HELP.get(kind, 'a ' + kind + ' report')} of the "
                           "merged run ('-' for standard output)")


def report_command(args: argparse.Namespace, env: Environment) -> ExitStatus:
    """``report merge``: the merged runs' recaps, reports and exit status."""
    targets = report_targets(args)
    files.check_paths(targets)
    reports = [read_report(path) for path in args.reports]
    invocation = merge_reports(reports)
    console = env.stderr if any(t.path is None for t in targets) else env.stdout
    for run in invocation.runs:
        print_merge_header(console, run, [report.path for report in reports])
        ConsoleReport(console).recap(run)
    return finish(invocation, targets, env, console, None)

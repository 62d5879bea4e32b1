"""Command line: argv → options → run → report → exit status.

The one place that turns exceptions into one-line messages and the only
``sys.exit``. Every bad input gets a documented exit status and no traceback;
an unexpected error (a bug) prints one line, and the traceback only with -vvv.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from typing import Any, NoReturn

from rich.console import Console

from runner import __version__
from runner.cli.commands import init_command, run_command
from runner.cli.completion import SHELLS, completion_script
from runner.cli.environment import COLOR_MODES, Environment, silence_stdout
from runner.cli.schemas import schema_command
from runner.cli.signals import Phase, Signals
from runner.context import RunContext, activate
from runner.errors import ExitStatus, SfjwtError, UsageError
from runner.playbook.schema import schema_names
from runner.playbook.shards import parse_shard
from runner.report import messages
from runner.report.text import print_raw


class ArgumentParser(argparse.ArgumentParser):
    """argparse exits 2 on bad options; ours must exit 5 with one line."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, hint=f"see '{self.prog} --help'")


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="sfjwt-run",
        description="Run a playbook of Salesforce REST checks over the OAuth 2.0 JWT Bearer flow.",
        epilog="Start a project with: sfjwt-run init DIR [--from-env PATH]. Other commands: "
        "sfjwt-run schema NAME [--write DIR], sfjwt-run completion bash|zsh|fish. "
        "Exit status: 0 passed, "
        "2 a step failed, 3 an org could not log in, 4 invalid playbook, 5 bad options, "
        "99 interrupted, 250 internal error.",
    )
    parser.add_argument("playbooks", nargs="+", metavar="PLAYBOOK", help="playbook files to run")
    parser.add_argument("-i", "--inventory", metavar="FILE", action="append", default=[],
                        help="orgs file (extends and overrides the playbook's own orgs)")
    parser.add_argument("-l", "--limit", metavar="PATTERN",
                        help="run only these orgs or groups (comma list, globs, !exclusions)")
    parser.add_argument("--shard", metavar="K/N", type=parse_shard,
                        help="run only the K-th of N slices of the selected orgs (sorted by name, "
                        "cut into N balanced parts); for CI matrices, merged by 'report merge'")
    parser.add_argument("-t", "--tags", metavar="TAGS", action="append", default=[],
                        help="run only steps with one of these tags (comma list)")
    parser.add_argument("--skip-tags", metavar="TAGS", action="append", default=[],
                        help="skip steps with one of these tags (comma list)")
    parser.add_argument("--start-at-step", metavar="NAME", help="skip the steps before this one")
    parser.add_argument("-e", "--extra-vars", metavar="K=V|@FILE", action="append", default=[],
                        help="set variables (K=V, JSON, or @file.yml); highest precedence")
    parser.add_argument("-f", "--forks", type=_positive_int, default=10, metavar="N",
                        help="orgs run at the same time (default 10)")
    parser.add_argument("--org-timeout", type=_positive_float, metavar="SECONDS",
                        help="an org that takes longer has its remaining steps skipped")
    parser.add_argument("--syntax-check", action="store_true",
                        help="validate only (schema and templates); no network")
    parser.add_argument("--doctor", action="store_true",
                        help="diagnose each org (key, certificate, clock, audience, login); "
                        "writes nothing")
    parser.add_argument("-C", "--check", action="store_true",
                        help="plan: show what would be sent, per org; no network, no files")
    parser.add_argument("--list-steps", action="store_true", help="list the steps and exit")
    parser.add_argument("--list-orgs", action="store_true", help="list the orgs and exit")
    parser.add_argument("--list-tags", action="store_true", help="list the tags and exit")
    parser.add_argument("--junit", metavar="FILE",
                        help="write a JUnit XML report (- for standard output: the console "
                        "then goes to standard error)")
    parser.add_argument("--json", metavar="FILE", help="write a JSON report (- for stdout)")
    parser.add_argument("--markdown", metavar="FILE",
                        help="write a markdown summary (- for stdout; appended when FILE is "
                        "$GITHUB_STEP_SUMMARY)")
    parser.add_argument("--html", metavar="FILE",
                        help="write an HTML report: one self-contained page (matrix, timeline, "
                        "failures) that loads nothing from the network (- for stdout)")
    parser.add_argument("--token-cache", metavar="FILE",
                        help="reuse access tokens across runs (file written with mode 0600)")
    parser.add_argument("--no-progress", action="store_true",
                        help="no live progress display (it is off anyway when not on a terminal)")
    parser.add_argument("--allow-writes", action="store_true",
                        help="allow non-GET requests on orgs marked production: true")
    parser.add_argument("--ca-bundle", metavar="FILE",
                        help="CA certificates to trust (REQUESTS_CA_BUNDLE is honoured too)")
    parser.add_argument("--color", choices=COLOR_MODES, default="auto",
                        help="colour: auto (terminals, unless NO_COLOR is set), always, never")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more detail: -v requests, -vv responses, -vvv tracebacks")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def build_init_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="sfjwt-run init",
        description="Create a project for one org: key, certificate, playbook, inventory, "
        ".env.example, .gitignore; then print the Salesforce Setup checklist.",
    )
    parser.add_argument("directory", metavar="DIR", help="where to create the project")
    parser.add_argument("--from-env", metavar="PATH",
                        help="import the JWT tutorial's .env (KeyFile, ClientId, UserName, "
                        "Domain) and reuse its key")
    parser.add_argument("--move-key", action="store_true",
                        help="with --from-env: move the tutorial's key and certificate into the "
                        "project instead of copying them")
    parser.add_argument("--org", default="myorg", help="the org's name in the inventory")
    parser.add_argument("--force", action="store_true",
                        help="replace files that are already there (a made key is never replaced)")
    return parser


def build_schema_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="sfjwt-run schema",
        description="Print a JSON Schema, or write it (with the schemas it refers to) into DIR.",
    )
    parser.add_argument("name", metavar="NAME", choices=[*schema_names(), "all"],
                        help=f"one of {', '.join(schema_names())}, or all (with --write)")
    parser.add_argument("--write", metavar="DIR",
                        help="write NAME.schema.json and what it refers to into DIR")
    return parser


def build_completion_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="sfjwt-run completion",
        description="Print a shell completion script, e.g. "
        "eval \"$(sfjwt-run completion bash)\" in ~/.bashrc.",
    )
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    return parser


def _positive(kind: type[int] | type[float], *, minimum: float) -> Any:
    """An argparse type: a number of ``kind`` no smaller than ``minimum``."""
    words = "a whole number" if kind is int else "a number"

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {words}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum:g}, got {text}")
        return value

    return parse


_positive_int = _positive(int, minimum=1)
_positive_float = _positive(float, minimum=0.001)


def main(
    argv: Sequence[str] | None = None, env: Environment | None = None,
    run_context: RunContext | None = None, signals: Signals | None = None,
) -> int:
    """Run the command line; returns the exit status (the console script exits with it).

    ``run_context`` is what the run takes from its process (environment variables, working
    directory) and its own secret registry: by default a snapshot of this process's.
    ``signals`` is the process's handler of SIGINT and SIGTERM, already installed
    (``runner.cli.entry``); without it, one is installed for this call alone.
    """
    run_context = run_context or RunContext.from_process()
    args_list = list(sys.argv[1:] if argv is None else argv)
    with activate(run_context):
        if signals is not None:
            return _main(args_list, env, run_context, signals)
        with Signals().installed() as own:
            return _main(args_list, env, run_context, own)


def _main(
    args_list: list[str], env: Environment | None, run_context: RunContext, signals: Signals
) -> int:
    verbosity = sum(a.count("v") for a in args_list if a.startswith("-v") and set(a[1:]) == {"v"})
    try:
        env = env or Environment.from_system(_color_option(args_list), run_context.environ)
        return _command(args_list, env, signals)
    except SfjwtError as exc:
        messages.print_error(_stderr(env), exc)
        return int(exc.exit_status)
    except KeyboardInterrupt:
        messages.print_interrupted(_stderr(env))
        return int(ExitStatus.INTERRUPTED)
    except Exception as exc:  # a bug: one line, and the traceback only on request
        shown = traceback.format_exc() if verbosity >= 3 else None
        messages.print_internal_error(_stderr(env), exc, shown)
        return int(ExitStatus.INTERNAL_ERROR)
    finally:
        signals.phase = Phase.FINISHING  # a signal from now on changes nothing
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            silence_stdout()


def _command(args_list: list[str], env: Environment, signals: Signals) -> int:
    if args_list[:1] == ["init"]:
        return int(init_command(build_init_parser().parse_args(args_list[1:]), env))
    if args_list[:1] == ["schema"]:
        return int(schema_command(build_schema_parser().parse_args(args_list[1:]), env))
    if args_list[:1] == ["completion"]:
        shell = build_completion_parser().parse_args(args_list[1:]).shell
        print_raw(env.stdout, completion_script(shell, subcommand_parsers()))
        return int(ExitStatus.OK)
    options = build_parser().parse_args(args_list)
    return int(run_command(options, env, signals))


def _stderr(env: Environment | None) -> Console:
    return env.stderr if env is not None else Environment.from_system().stderr


def subcommand_parsers() -> dict[str, ArgumentParser]:
    """The run parser under "", and each subcommand's parser under its name."""
    return {"": build_parser(), "init": build_init_parser(), "schema": build_schema_parser(),
            "completion": build_completion_parser()}


def _color_option(args: list[str]) -> str:
    """``--color`` read ahead of parsing, so even a bad-option error honours it."""
    early = ArgumentParser(add_help=False)
    early.add_argument("--color", choices=COLOR_MODES, default="auto")
    try:
        known, _ = early.parse_known_args(args)
    except UsageError:  # a bad value: the real parser reports it
        return "auto"
    return str(known.color)

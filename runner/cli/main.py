"""Command line: argv → options → run → report → exit status.

The one place that turns exceptions into one-line messages and the only
``sys.exit``. Every bad input gets a documented exit status and no traceback;
an unexpected error (a bug) prints one line, and the traceback only with -vvv.

Only argparse is imported before the arguments are parsed: a command's module, and all
it needs (requests, jsonschema, rich, ...), is imported once that command is chosen,
through ``LAZY`` below, so ``--version`` and ``--help`` answer at once.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from runner import __version__
from runner.cli.numbers import positive_float, positive_int

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy reads it alike)
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any, NoReturn

    from rich.console import Console

    from runner.cli.environment import Environment
    from runner.cli.signals import Signals
    from runner.context import RunContext

    Command = Callable[[Environment, Signals], int]

COLOR_MODES = ("auto", "always", "never")

# The module of each name this command line uses once a command is chosen. This table and
# ``_lazy`` are the package's one deferred import: everything else imports at the top.
LAZY = {
    "init_command": "runner.cli.commands",
    "run_command": "runner.cli.commands",
    "syntax_check_command": "runner.cli.check",
    "schema_command": "runner.cli.schemas",
    "token_command": "runner.cli.token",
    "report_command": "runner.cli.report",
    "add_report_commands": "runner.cli.report",
    "completion_script": "runner.cli.completion",
    "SHELLS": "runner.cli.completion",
    "Environment": "runner.cli.environment",
    "silence_stdout": "runner.cli.environment",
    "Phase": "runner.cli.signals",
    "Signals": "runner.cli.signals",
    "RunContext": "runner.context",
    "activate": "runner.context",
    "ExitStatus": "runner.errors",
    "SfjwtError": "runner.errors",
    "UsageError": "runner.errors",
    "schema_names": "runner.playbook.schema",
    "parse_shard": "runner.playbook.shards",
    "print_error": "runner.report.messages",
    "print_interrupted": "runner.report.messages",
    "print_internal_error": "runner.report.messages",
    "print_raw": "runner.report.text",
    "format_exc": "traceback",
}


def _lazy(name: str) -> Any:
    """``name`` from its module in ``LAZY``, imported on first use."""
    return getattr(importlib.import_module(LAZY[name]), name)


class ArgumentParser(argparse.ArgumentParser):
    """argparse exits 2 on bad options; ours must exit 5 with one line."""

    def error(self, message: str) -> NoReturn:
        raise _lazy("UsageError")(message, hint=f"see '{self.prog} --help'")


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="sfjwt-run",
        description="Run a playbook of Salesforce REST checks over the OAuth 2.0 JWT Bearer flow.",
        epilog="Start a project with: sfjwt-run init DIR [--from-env PATH]. Other commands: "
        "sfjwt-run schema NAME [--write DIR], sfjwt-run token ORG [-i FILE] [PLAYBOOK], "
        "sfjwt-run report merge REPORT..., "
        "sfjwt-run completion bash|zsh|fish. "
        "Exit status: 0 passed, "
        "2 a step failed, 3 an org could not log in, 4 invalid playbook, 5 bad options, "
        "99 interrupted, 250 internal error.",
    )
    parser.add_argument("playbooks", nargs="+", metavar="PLAYBOOK",
                        help="playbook files to run, or folders of them (every playbook in the "
                        "folder, sorted)")
    parser.add_argument("--glob", metavar="PATTERN", action="append", default=[],
                        help="which files of a PLAYBOOK folder are playbooks (default *.yml and "
                        "*.yaml; **/*.yml reaches into subfolders)")
    parser.add_argument("-k", "--keyword", metavar="WORD", action="append", default=[],
                        help="run only the playbooks whose file name or name holds WORD "
                        "(case-insensitive; several -k: any of them)")
    parser.add_argument("-i", "--inventory", metavar="FILE", action="append", default=[],
                        help="orgs file (extends and overrides the playbook's own orgs)")
    parser.add_argument("-l", "--limit", metavar="PATTERN",
                        help="run only these orgs or groups (comma list, globs, !exclusions)")
    parser.add_argument("--shard", metavar="K/N", type=_shard,
                        help="run only the K-th of N slices of the selected orgs (sorted by name, "
                        "cut into N balanced parts); for CI matrices, merged by 'report merge'")
    parser.add_argument("-t", "--tags", metavar="TAGS", action="append", default=[],
                        help="run only steps with one of these tags (comma list)")
    parser.add_argument("--skip-tags", metavar="TAGS", action="append", default=[],
                        help="skip steps with one of these tags (comma list)")
    parser.add_argument("--start-at-step", metavar="NAME", help="skip the steps before this one")
    parser.add_argument("--root", metavar="DIR",
                        help="the project folder: files the playbooks read or write (step files, "
                        "roles, vars_files, lookups, body files, save) must be inside it "
                        "(default: each playbook's folder and the inventories' folders)")
    parser.add_argument("-e", "--extra-vars", metavar="K=V|@FILE", action="append", default=[],
                        help="set variables (K=V, JSON, or @file.yml); highest precedence")
    parser.add_argument("-f", "--forks", type=positive_int, default=10, metavar="N",
                        help="orgs run at the same time (default 10)")
    parser.add_argument("--org-timeout", type=positive_float, metavar="SECONDS",
                        help="an org that takes longer has its remaining steps skipped")
    parser.add_argument("--keep-going", action="store_true",
                        help="run an org's remaining steps after one fails (as the playbook's "
                        "keep_going); the failure still counts")
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
    parser.add_argument("name", metavar="NAME", choices=[*_lazy("schema_names")(), "all"],
                        help=f"one of {', '.join(_lazy('schema_names')())}, or all (with --write)")
    parser.add_argument("--write", metavar="DIR",
                        help="write NAME.schema.json and what it refers to into DIR")
    return parser


def build_token_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="sfjwt-run token",
        description="Log in to ORG and print 'export SF_ACCESS_TOKEN=... SF_INSTANCE_URL=...' "
        "for eval in a shell (the only command that prints a token).",
    )
    parser.add_argument("org", metavar="ORG", help="the org's name in the inventory or playbook")
    parser.add_argument("playbook", metavar="PLAYBOOK", nargs="?",
                        help="a playbook whose orgs (and keys) to use")
    parser.add_argument("-i", "--inventory", metavar="FILE", action="append", default=[],
                        help="orgs file (as for a run)")
    parser.add_argument("-e", "--extra-vars", metavar="K=V|@FILE", action="append", default=[],
                        help="set variables, as for a run")
    parser.add_argument("--ca-bundle", metavar="FILE", help="CA certificates to trust")
    return parser


def build_report_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="sfjwt-run report",
        description="Work with the JSON reports of runs: merge the reports of shards.",
    )
    _lazy("add_report_commands")(parser)
    return parser


def build_completion_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="sfjwt-run completion",
        description="Print a shell completion script, e.g. "
        "eval \"$(sfjwt-run completion bash)\" in ~/.bashrc.",
    )
    parser.add_argument("shell", choices=_lazy("SHELLS"), help="the shell to complete in")
    return parser


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
    args_list = list(sys.argv[1:] if argv is None else argv)
    command, plain = _chosen(args_list)  # --help and --version exit here, having imported little
    run_context = run_context or _lazy("RunContext").from_process()
    with _lazy("activate")(run_context):
        if signals is not None:
            return _main(command, args_list, env, run_context, signals, plain)
        with _lazy("Signals")().installed() as own:
            return _main(command, args_list, env, run_context, own, plain)


def _shard(text: str) -> Any:
    """``--shard K/N``'s value (an argparse type)."""
    return _lazy("parse_shard")(text)


def _main(
    command: Command, args_list: list[str], env: Environment | None, run_context: RunContext,
    signals: Signals, plain: bool,
) -> int:
    """``plain``: the command prints plain lines (rich's consoles are then built on need)."""
    verbosity = sum(a.count("v") for a in args_list if a.startswith("-v") and set(a[1:]) == {"v"})
    status = _lazy("ExitStatus")
    try:
        env = env or _lazy("Environment").from_system(_color_option(args_list),
                                                      run_context.environ, lazy=plain)
        return command(env, signals)
    except _lazy("SfjwtError") as exc:
        _lazy("print_error")(_stderr(env), exc)
        return int(exc.exit_status)
    except KeyboardInterrupt:
        _lazy("print_interrupted")(_stderr(env))
        return int(status.INTERRUPTED)
    except Exception as exc:  # a bug: one line, and the traceback only on request
        shown = _lazy("format_exc")() if verbosity >= 3 else None
        _lazy("print_internal_error")(_stderr(env), exc, shown)
        return int(status.INTERNAL_ERROR)
    finally:
        signals.phase = _lazy("Phase").FINISHING  # a signal from now on changes nothing
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _lazy("silence_stdout")()


def _chosen(args_list: list[str]) -> tuple[Command, bool]:
    """The command ``args_list`` asks for with its options parsed, and whether all it prints
    is plain lines; a bad option becomes a command that raises its error, so that it is
    reported like any other."""
    try:
        if args_list[:1] == ["init"]:
            options = build_init_parser().parse_args(args_list[1:])
            return lambda env, signals: int(_lazy("init_command")(options, env)), False
        if args_list[:1] == ["schema"]:
            options = build_schema_parser().parse_args(args_list[1:])
            return lambda env, signals: int(_lazy("schema_command")(options, env)), False
        if args_list[:1] == ["token"]:
            options = build_token_parser().parse_args(args_list[1:])
            return lambda env, signals: int(_lazy("token_command")(options, env)), False
        if args_list[:1] == ["report"]:
            options = build_report_parser().parse_args(args_list[1:])
            return lambda env, signals: int(_lazy("report_command")(options, env)), False
        if args_list[:1] == ["completion"]:
            shell = build_completion_parser().parse_args(args_list[1:]).shell
            return lambda env, signals: _print_completion(shell, env), False
        options = build_parser().parse_args(args_list)
        if options.syntax_check:  # its own module: it imports nothing a run needs
            return lambda env, signals: int(_lazy("syntax_check_command")(options, env)), True
        return lambda env, signals: int(_lazy("run_command")(options, env, signals)), False
    except (Exception, KeyboardInterrupt) as exc:
        return _raising(exc), True


def _raising(exc: BaseException) -> Command:
    def command(env: Environment, signals: Signals) -> int:
        raise exc

    return command


def _print_completion(shell: str, env: Environment) -> int:
    _lazy("print_raw")(env.stdout, _lazy("completion_script")(shell, subcommand_parsers()))
    return int(_lazy("ExitStatus").OK)


def _stderr(env: Environment | None) -> Console:
    return env.stderr if env is not None else _lazy("Environment").from_system().stderr


def subcommand_parsers() -> dict[str, ArgumentParser]:
    """The run parser under "", and each subcommand's parser under its name."""
    return {"": build_parser(), "init": build_init_parser(), "schema": build_schema_parser(),
            "token": build_token_parser(), "report": build_report_parser(),
            "completion": build_completion_parser()}


def _color_option(args: list[str]) -> str:
    """``--color`` read ahead of parsing, so even a bad-option error honours it."""
    early = ArgumentParser(add_help=False)
    early.add_argument("--color", choices=COLOR_MODES, default="auto")
    try:
        known, _ = early.parse_known_args(args)
    except _lazy("UsageError"):  # a bad value: the real parser reports it
        return "auto"
    return str(known.color)

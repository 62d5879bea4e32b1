"""``sfjwt-run completion bash|zsh|fish``: completion scripts generated from the parsers by shtab.

The command line is a run parser (``sfjwt-run PLAYBOOK...``) beside subcommands picked by
their first word (``init``, ``schema``, ...). shtab reads one parser, so it is given one
built for the purpose: the run options, the subcommands as a first positional whose
completions are also YAML files (a playbook goes there), and each subcommand's own parser.
"""

from __future__ import annotations

import argparse
import copy
from collections.abc import Mapping

import shtab

SHELLS = ("bash", "zsh", "fish")
FILE_OPTIONS = {"--inventory", "--junit", "--json", "--markdown", "--token-cache", "--ca-bundle",
                "--from-env", "--write"}


# shtab offers either subcommands or files at one position; the first word here is either,
# so each shell's script gets files added there, through the hooks that script itself reads.
BASH_FILES = "_shtab_{name}_pos_0_COMPGEN=_shtab_compgen_files\n"
ZSH_FILES = """\
functions[_shtab_{name}_subcommands]=$functions[_shtab_{name}_commands]
_shtab_{name}_commands() {{ _shtab_{name}_subcommands; _files }}

typeset -A opt_args
"""
FISH_FILES = "complete -c {prog} -n _shtab_{name}_using -F\n"


def completion_script(shell: str, parsers: Mapping[str, argparse.ArgumentParser]) -> str:
    """The completion script for ``shell``; ``parsers[""]`` is the run parser."""
    prog = parsers[""].prog
    name = shtab.wordify(prog)
    if shell == "bash":
        return str(shtab.complete(completion_parser(parsers), shell=shell,
                                  preamble=BASH_FILES.format(name=name)))
    script = str(shtab.complete(completion_parser(parsers), shell=shell))
    if shell == "zsh":
        return script.replace("\ntypeset -A opt_args\n", "\n" + ZSH_FILES.format(name=name), 1)
    return script + FISH_FILES.format(prog=prog, name=name)


def completion_parser(parsers: Mapping[str, argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """One parser for shtab: the run options and every subcommand (never used to parse)."""
    run = parsers[""]
    combined = argparse.ArgumentParser(prog=run.prog, description=run.description,
                                       add_help=False)
    for action in run._actions:  # shtab reads parsers the same way
        if action.option_strings:
            combined._add_action(_annotated(action))
    commands = combined.add_subparsers(dest="command", metavar="PLAYBOOK|COMMAND")
    for name, parser in parsers.items():
        if name:
            sub = commands.add_parser(name, help=parser.description, add_help=False)
            for action in parser._actions:
                sub._add_action(_annotated(action))
    return combined


def _annotated(action: argparse.Action) -> argparse.Action:
    """A copy of ``action`` that tells shtab which values are files or directories."""
    marked = copy.copy(action)
    if FILE_OPTIONS & set(action.option_strings):
        marked.complete = shtab.FILE  # type: ignore[attr-defined]
    elif action.dest == "directory":
        marked.complete = shtab.DIRECTORY  # type: ignore[attr-defined]
    return marked

"""``sfjwt-run schema NAME [--write DIR]``: the packaged JSON Schemas, for editors and CI.

The schemas refer to each other by file name (``playbook.schema.json#/$defs/org``), so a
schema is written together with every schema it refers to, into one directory, where the
references resolve offline. ``init`` writes the project's copies the same way.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from runner.cli.environment import Environment
from runner.errors import ExitStatus, UsageError
from runner.playbook.schema import load_schema, schema_dir, schema_names
from runner.report import init as report_init
from runner.report.text import print_raw


def referenced(name: str) -> list[str]:
    """``name`` and the schemas it refers to, directly or not, in a stable order."""
    found: list[str] = []
    pending = [name]
    while pending:
        current = pending.pop(0)
        if current in found:
            continue
        found.append(current)
        pending += sorted(_files_referred(load_schema(current)))
    return found


def _files_referred(node: object) -> set[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        file = ref.partition("#")[0] if isinstance(ref, str) else ""
        own = {file.removesuffix(".schema.json")} if file else set()
        return own.union(*(_files_referred(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_files_referred(value) for value in node))
    return set()


def write_schemas(directory: Path, names: list[str], *, force: bool
                  ) -> tuple[list[Path], list[Path], list[Path]]:
    """Copy ``names`` (and what they refer to) into ``directory``: (created, replaced, kept)."""
    created: list[Path] = []
    replaced: list[Path] = []
    kept: list[Path] = []
    wanted = [n for name in names for n in referenced(name)]
    directory.mkdir(parents=True, exist_ok=True)
    for name in dict.fromkeys(wanted):
        target = directory / f"{name}.schema.json"
        text = (schema_dir() / f"{name}.schema.json").read_text(encoding="utf-8")
        if target.exists() and (not force or target.read_text(encoding="utf-8") == text):
            kept.append(target)
            continue
        (replaced if target.exists() else created).append(target)
        target.write_text(text, encoding="utf-8")
    return created, replaced, kept


def schema_command(args: argparse.Namespace, env: Environment) -> ExitStatus:
    names = schema_names() if args.name == "all" else [args.name]
    if args.write is None:
        if len(names) > 1:
            raise UsageError("schema all needs --write DIR", hint="or name one schema")
        print_raw(env.stdout, (schema_dir() / f"{names[0]}.schema.json").read_text("utf-8"))
        return ExitStatus.OK
    created, replaced, kept = write_schemas(Path(args.write), names, force=True)
    report_init.print_scaffold(env.stdout, created=created, replaced=replaced, kept=kept,
                               warnings=[])
    return ExitStatus.OK

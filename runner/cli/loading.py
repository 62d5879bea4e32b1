"""Every playbook of a command loaded and checked before any of them runs.

A typo in the second file is reported before the first one touches the network.
Only the playbook packages are imported here: ``--syntax-check`` needs nothing else.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from pathlib import Path

from runner.cli.folders import by_keyword, playbook_paths
from runner.context import current
from runner.errors import UsageError
from runner.playbook import lint
from runner.playbook.environ import load_env
from runner.playbook.inventory import GroupSpec, Inventory, load_inventory, merge_orgs, select_orgs
from runner.playbook.model import Playbook, load_playbook
from runner.playbook.origins import Layer
from runner.playbook.scope import RunVars
from runner.playbook.shards import Selection
from runner.playbook.variables import parse_extra_vars


@dataclass(frozen=True)
class Loaded:
    """The playbooks one command runs, each with what its templates start from, its
    warnings and its shard, in the order they run."""

    playbooks: list[Playbook]
    runs: list[RunVars]
    notices: list[list[lint.Notice]]
    selections: list[Selection]
    inventories: list[Inventory]
    extra_vars: Layer


def load_all(args: argparse.Namespace) -> Loaded:
    """The PLAYBOOK arguments loaded, targeted (inventories, ``-l``), filtered (``-k``),
    checked and cut to the shard."""
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
    return Loaded(playbooks, runs, notices, selections, inventories, extra_vars)


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

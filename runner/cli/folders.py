"""The PLAYBOOK arguments as playbook files: a folder stands for the playbooks in it.

``sfjwt-run recipes/`` runs every playbook of the folder, sorted; ``--glob``
chooses which files of a folder count, ``-k`` keeps the playbooks whose file
name or ``name:`` holds a word.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from runner.playbook.folders import DEFAULT_GLOBS, matching, playbooks_in
from runner.playbook.model import Playbook


def playbook_paths(args: argparse.Namespace) -> list[Path]:
    """Every PLAYBOOK argument, a folder replaced by its playbooks."""
    globs = tuple(args.glob) or DEFAULT_GLOBS
    inventories = [Path(path) for path in args.inventory]
    paths: list[Path] = []
    for argument in args.playbooks:
        path = Path(argument)
        paths += playbooks_in(path, globs, skip=inventories) if path.is_dir() else [path]
    return paths


def source_text(args: argparse.Namespace) -> str:
    """Where the playbooks come from, for the header: the folder when there is one."""
    folders = [argument for argument in args.playbooks if Path(argument).is_dir()]
    return folders[0] if len(args.playbooks) == 1 and folders else ""


def by_keyword(playbooks: Sequence[Playbook], keywords: Sequence[str]) -> list[Playbook]:
    """The playbooks ``-k`` keeps (all without ``-k``)."""
    chosen = matching([(playbook.path, playbook.name) for playbook in playbooks], keywords)
    return [playbooks[index] for index in chosen]

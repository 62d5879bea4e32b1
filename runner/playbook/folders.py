"""A folder of recipes: which of its files are playbooks, in a stable order.

``sfjwt-run recipes/`` runs the files of the folder that match the globs
(``*.yml`` and ``*.yaml`` by default, ``--glob`` to change; ``**/`` reaches
into subfolders), sorted by path. Step files (a YAML list) and inventories (a
mapping of nothing but ``vars``, ``orgs`` and ``groups``) live beside
playbooks and are left out; every other match is a playbook, so a misspelled
key in one is reported rather than skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from runner.errors import PlaybookError, UsageError
from runner.playbook.loader import load_document

DEFAULT_GLOBS = ("*.yml", "*.yaml")
INVENTORY_KEYS = frozenset({"vars", "orgs", "groups"})


def playbooks_in(folder: Path, globs: Sequence[str] = DEFAULT_GLOBS, *,
                 skip: Iterable[Path] = ()) -> list[Path]:
    """The playbooks of ``folder``, sorted; ``skip`` (the inventories given with ``-i``)
    are left out."""
    left_out = {path.resolve() for path in skip}
    found = sorted({path for pattern in globs for path in folder.glob(pattern)
                    if path.is_file() and path.resolve() not in left_out})
    chosen = [path for path in found if is_playbook(path)]
    if not chosen:
        raise UsageError(f"{folder}: no playbooks (files matching {', '.join(globs)} that hold "
                         "a mapping with steps: or roles:)", hint="choose files with --glob")
    return chosen


def is_playbook(path: Path) -> bool:
    """False for a step file or an inventory; True otherwise, and for a file that does not
    load (its error is then reported where playbooks are loaded)."""
    try:
        data = load_document(path).data
    except PlaybookError:
        return True
    if isinstance(data, list):
        return False
    return not (isinstance(data, dict) and data and set(data) <= INVENTORY_KEYS)


def matching(playbooks: Sequence[tuple[Path, str]], keywords: Sequence[str]) -> list[int]:
    """The positions of the playbooks whose file name or ``name:`` holds one of
    ``keywords`` (``-k``, case-insensitive); all of them when there are none."""
    if not keywords:
        return list(range(len(playbooks)))
    wanted = [keyword.casefold() for keyword in keywords]
    chosen = [index for index, (path, name) in enumerate(playbooks)
              if any(word in path.name.casefold() or word in name.casefold() for word in wanted)]
    if not chosen:
        raise UsageError(f"-k {' '.join(keywords)}: no playbook's file name or name matches",
                         hint="playbooks: " + ", ".join(path.name for path, _ in playbooks))
    return chosen

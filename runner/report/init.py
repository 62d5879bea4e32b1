"""``sfjwt-run init``: which files were written or kept, the check, the Setup checklist."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console


def _say(console: Console, text: str = "") -> None:
    console.print(text, markup=False, highlight=False)


def print_scaffold(
    console: Console, *, created: Sequence[Path], kept: Sequence[Path], warnings: Sequence[str],
    replaced: Sequence[Path] = (), replace_hint: bool = False,
) -> None:
    for path in created:
        _say(console, f"created  {path}")
    for path in replaced:
        _say(console, f"replaced {path}")
    for path in kept:
        _say(console, f"kept     {path} (already there)")
    if kept and replace_hint:
        _say(console, f"{len(kept)} file(s) kept as they were "
                      "(--force replaces them; a key init made is kept)")
    for warning in warnings:
        _say(console, f"warning: {warning}")


def print_checked(console: Console, playbook: Path, inventory: Path, checklist: str) -> None:
    """The new project passed its syntax check; then what to do in Salesforce's Setup."""
    _say(console, f"syntax check: {playbook} with {inventory}: OK")
    _say(console)
    _say(console, checklist)

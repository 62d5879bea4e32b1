"""Which steps run: tags as in Ansible (always, never), --start-at-step, a step's orgs."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from runner.errors import UsageError
from runner.playbook.model import Playbook, load_playbook
from runner.playbook.selection import applies_to, select_steps

PLAYBOOK = """\
name: Tags
orgs:
  acme-prod: {emulator: true}
  acme-uat: {emulator: true}
steps:
  - {name: Identity, request: {path: /}, tags: identity}
  - {name: Limits, request: {path: /}, tags: [limits, always]}
  - {name: Describe, request: {path: /}, tags: [access], orgs: ["*-uat"]}
  - {name: Cleanup, request: {path: /}, tags: [never, cleanup]}
  - {name: Untagged, request: {path: /}}
"""


@pytest.fixture
def playbook(tmp_path: Path) -> Playbook:
    path = tmp_path / "playbook.yml"
    path.write_text(PLAYBOOK)
    return load_playbook(path)


def names(playbook: Playbook, **options: object) -> list[str]:
    args = argparse.Namespace(**{"tags": [], "skip_tags": [], "start_at_step": None, **options})
    return [step.name for step in select_steps(playbook, args)]


def test_without_options_every_step_but_never_runs(playbook: Playbook) -> None:
    assert names(playbook) == ["Identity", "Limits", "Describe", "Untagged"]


def test_tags_pick_steps_and_always_comes_along(playbook: Playbook) -> None:
    assert names(playbook, tags=["identity"]) == ["Identity", "Limits"]
    assert names(playbook, tags=["cleanup,access"]) == ["Limits", "Describe", "Cleanup"]
    assert names(playbook, tags=["all"]) == ["Identity", "Limits", "Describe", "Untagged"]


def test_skip_tags_win_even_over_always(playbook: Playbook) -> None:
    assert names(playbook, skip_tags=["always", "identity"]) == ["Describe", "Untagged"]


def test_start_at_step_and_unknown_names_say_what_exists(playbook: Playbook) -> None:
    assert names(playbook, start_at_step="Describe") == ["Describe", "Untagged"]
    with pytest.raises(UsageError, match="did you mean 'Describe'"):
        names(playbook, start_at_step="Describ")
    with pytest.raises(UsageError, match="unknown tag 'limit'; did you mean 'limits'"):
        names(playbook, tags=["limit"])


def test_a_steps_orgs_are_names_or_globs(playbook: Playbook) -> None:
    describe = playbook.steps[2]
    assert applies_to(describe, "acme-uat") and not applies_to(describe, "acme-prod")
    assert applies_to(playbook.steps[0], "anything")

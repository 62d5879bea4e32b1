"""import_steps, include_steps and roles build into steps that keep their own file and place."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.errors import PlaybookError
from runner.playbook.model import load_playbook
from runner.playbook.steps import BlockSpec, StepSpec


def project(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder / "p.yml"


STEP = "- name: {name}\n  assert: 'true'\n"


def test_an_import_hands_its_keywords_to_every_step(tmp_path: Path) -> None:
    playbook = load_playbook(project(tmp_path, {
        "p.yml": "name: p\nsteps:\n  - import_steps: s/a.yml\n    when: org.production\n"
                 "    tags: [smoke]\n    vars: {x: 1}\n    ignore_errors: true\n",
        "s/a.yml": "- {name: one, assert: 'true', when: x == 1, tags: own}\n"
                   + STEP.format(name="two"),
    }))
    one, two = playbook.steps
    (block,) = playbook.body
    assert isinstance(block, BlockSpec) and block.block == (one, two)
    assert [c.test for c in one.conditions] == ["org.production", "x == 1"]
    assert [c.document.path for c in one.conditions if c.document] == [
        str(tmp_path / "p.yml"), str(tmp_path / "s" / "a.yml")]
    assert (one.index, one.name, one.tags) == (0, "one", ("smoke", "own"))
    assert (two.index, two.tags, two.ignore_errors) == (1, ("smoke",), True)
    assert two.vars["x"].value == 1
    assert str(two.vars["x"].origin) == f"{tmp_path / 'p.yml'}:6:12"
    assert two.position is not None and str(two.position) == f"{tmp_path / 's' / 'a.yml'}:2:3"
    assert [str(link) for link in two.source.chain] == [
        f"import_steps s/a.yml at {tmp_path / 'p.yml'}:3:5"]


def test_an_include_with_a_plain_name_holds_its_steps_numbered_after_it(tmp_path: Path) -> None:
    playbook = load_playbook(project(tmp_path, {
        "p.yml": "name: p\nsteps:\n  - include_steps: inc.yml\n    loop: [1, 2]\n"
                 "    vars: {n: 3}\n" + "  - {name: last, assert: 'true'}\n",
        "inc.yml": STEP.format(name="inside"),
    }))
    include, _ = playbook.body
    assert isinstance(include, StepSpec) and include.kind == "include"
    assert include.name == "include_steps inc.yml"
    assert include.include is not None and include.include.params["n"].value == 3
    assert [(s.index, s.name) for s in playbook.steps] == [
        (0, "include_steps inc.yml"), (1, "inside"), (2, "last")]
    inside = playbook.steps[1].source
    assert inside is not None and inside.items == {"item"} and set(inside.params) == {"n"}


def test_roles_run_first_and_export_their_defaults(tmp_path: Path) -> None:
    playbook = load_playbook(project(tmp_path, {
        "p.yml": "name: p\nroles: [limits]\nsteps:\n" + "  - {name: own, assert: 'true'}\n",
        "roles/limits/steps/main.yml": STEP.format(name="from the role"),
        "roles/limits/defaults/main.yml": "floor: 1000\n",
    }))
    assert [s.name for s in playbook.steps] == ["from the role", "own"]
    assert playbook.defaults["floor"].value == 1000
    role = playbook.steps[0].source.role
    assert role is not None and role.folder == tmp_path / "roles" / "limits"


@pytest.mark.parametrize(("files", "words"), [
    ({"p.yml": "name: p\nsteps:\n  - import_steps: '{{ which }}.yml'\n"},
     "p.yml:3:19: import_steps: '{{ which }}.yml' is read when the playbook loads"),
    ({"p.yml": "name: p\nroles: [nope]\n"},
     "p.yml:2:9: roles: no role named 'nope' (looked in"),
    ({"p.yml": "name: p\nsteps:\n  - import_steps: a.yml\n", "a.yml": "{name: x}\n"},
     "a.yml:1:1: expected a list, got a mapping (from import_steps a.yml at"),
    ({"p.yml": "name: p\nsteps:\n  - import_steps: ../x.yml\n"},
     "p.yml:3:19: import_steps: '../x.yml' is outside the project"),
    ({"p.yml": "name: p\nsteps:\n  - import_steps: a.yml\n", "a.yml": "- import_steps: a.yml\n"},
     "a.yml:1:17: import_steps: 'a.yml' includes itself: import_steps a.yml at"),
])
def test_what_cannot_be_expanded_is_refused_where_it_is_written(
    tmp_path: Path, files: dict[str, str], words: str
) -> None:
    folder = tmp_path / "proj"
    with pytest.raises(PlaybookError) as caught:
        load_playbook(project(folder, files))
    assert str(caught.value).startswith(f"{folder / words}"), str(caught.value)


def test_nesting_is_bounded(tmp_path: Path) -> None:
    files = {"p.yml": "name: p\nsteps:\n  - import_steps: s0.yml\n"}
    files |= {f"s{n}.yml": f"- import_steps: s{n + 1}.yml\n" for n in range(20)}
    with pytest.raises(PlaybookError, match="step files nest deeper than 16 levels"):
        load_playbook(project(tmp_path, files))

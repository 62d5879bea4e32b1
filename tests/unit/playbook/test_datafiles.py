"""vars_files: mappings of variables, each with where it is written; refused when not."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.errors import PlaybookError
from runner.playbook.model import load_playbook


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder / "p.yml"


PLAYBOOK = "name: p\nvars: {a: 1, b: 1}\nvars_files: [v/one.yml, v/two.json]\nsteps:\n" \
           "  - {name: s, assert: 'true'}\n"


def test_later_files_win_and_each_name_keeps_its_place(tmp_path: Path) -> None:
    playbook = load_playbook(write(tmp_path, {
        "p.yml": PLAYBOOK, "v/one.yml": "b: 2\nc: 2\n", "v/two.json": '{"c": 3}'}))
    assert {name: d.value for name, d in playbook.vars.items()} == {"a": 1, "b": 2, "c": 3}
    origin = playbook.vars["b"].origin
    assert str(origin) == f"{tmp_path / 'v' / 'one.yml'}:1:1"
    assert origin.base_dir == tmp_path / "v"


@pytest.mark.parametrize(("two", "words"), [
    ("[1, 2]", "v/two.json:1:1: a vars file holds a mapping of names to values "
               "(from vars_files v/two.json at"),
    ('{"not-a-name": 1}', "v/two.json:1:2: 'not-a-name' is not a valid variable name"),
    ('{"c": ', "v/two.json:1:6: did not find expected node content"),
])
def test_a_vars_file_that_is_not_a_mapping_of_names_is_refused(
    tmp_path: Path, two: str, words: str
) -> None:
    with pytest.raises(PlaybookError) as caught:
        load_playbook(write(tmp_path, {"p.yml": PLAYBOOK, "v/one.yml": "b: 2\n",
                                       "v/two.json": two}))
    assert str(caught.value).startswith(str(tmp_path / words)), str(caught.value)


def test_a_templated_name_is_refused_with_a_hint(tmp_path: Path) -> None:
    text = PLAYBOOK.replace("v/two.json", "'v/{{ env }}.yml'")
    with pytest.raises(PlaybookError, match="is read when the playbook loads") as caught:
        load_playbook(write(tmp_path, {"p.yml": text, "v/one.yml": "b: 2\n"}))
    assert caught.value.hint == "name the file itself, or pass variables with -e @FILE"

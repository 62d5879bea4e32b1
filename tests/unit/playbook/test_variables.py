"""``-e`` parsing as ansible-playbook parses it, each name remembering where it was set."""

from pathlib import Path

import pytest

from runner.errors import PlaybookError, UsageError
from runner.playbook.origins import values_of
from runner.playbook.variables import parse_extra_vars


def values(*options: str) -> dict[str, object]:
    return values_of(parse_extra_vars(options))


def test_name_value_pairs_are_strings():
    assert values("api=v60.0", "a=1 b=two") == {"api": "v60.0", "a": "1", "b": "two"}


def test_quoted_values_keep_their_spaces_as_a_shell_splits_words():
    assert values('account_type="Customer - Direct" n=1') == {
        "account_type": "Customer - Direct", "n": "1"}
    assert values("note='two words'", "eq=a=b") == {"note": "two words", "eq": "a=b"}


def test_json_and_inline_yaml_keep_types():
    assert values('{"limit": 5, "on": true}') == {"limit": 5, "on": True}
    assert values("{n: 7, names: [a, b]}") == {"n": 7, "names": ["a", "b"]}


def test_later_options_win():
    assert values("a=1", "a=2") == {"a": "2"}


@pytest.mark.parametrize("bad", ["novalue", "=x", "1a=2", "{not: [closed", "[1, 2]", "@", "  ",
                                 'a="unclosed', "./vars.yml", "/etc/vars.yml"])
def test_malformed_extra_vars_are_usage_errors(bad):
    with pytest.raises(UsageError):
        parse_extra_vars([bad])


def test_a_bare_path_says_to_prepend_an_at_sign():
    with pytest.raises(UsageError, match="prepend '@'") as caught:
        parse_extra_vars(["./ci.yml"])
    assert caught.value.hint == "-e @./ci.yml"


def test_vars_file_values_know_their_file_and_line(tmp_path: Path):
    path = tmp_path / "vars.yml"
    path.write_text("limit: 3\nname: x\n")
    layer = parse_extra_vars([f"@{path}"])
    assert values_of(layer) == {"limit": 3, "name": "x"}
    assert str(layer["name"].origin) == f"{path}:2:1"
    assert layer["name"].origin.base_dir == tmp_path


def test_command_line_values_resolve_paths_against_the_working_directory():
    layer = parse_extra_vars(["key_file=certs/k.key"])
    assert layer["key_file"].origin.base_dir == Path(".")
    assert str(layer["key_file"].origin) == "-e"


def test_vars_file_must_be_a_mapping(tmp_path):
    path = tmp_path / "vars.yml"
    path.write_text("- 1\n- 2\n")
    with pytest.raises(PlaybookError, match="mapping"):
        parse_extra_vars([f"@{path}"])

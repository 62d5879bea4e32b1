import pytest

from runner.errors import PlaybookError, UsageError
from runner.playbook.variables import load_env, parse_extra_vars


def test_name_value_pairs_are_strings():
    assert parse_extra_vars(["api=v60.0", "a=1 b=two"]) == {"api": "v60.0", "a": "1", "b": "two"}


def test_json_object_keeps_types():
    assert parse_extra_vars(['{"limit": 5, "on": true}']) == {"limit": 5, "on": True}


def test_later_options_win():
    assert parse_extra_vars(["a=1", "a=2"]) == {"a": "2"}


@pytest.mark.parametrize("bad", ["novalue", "=x", "1a=2", "{not json", "[1, 2]", "@", "  "])
def test_malformed_extra_vars_are_usage_errors(bad):
    with pytest.raises(UsageError):
        parse_extra_vars([bad])


def test_vars_file(tmp_path):
    path = tmp_path / "vars.yml"
    path.write_text("limit: 3\nname: x\n")
    assert parse_extra_vars([f"@{path}"]) == {"limit": 3, "name": "x"}


def test_vars_file_must_be_a_mapping(tmp_path):
    path = tmp_path / "vars.yml"
    path.write_text("- 1\n- 2\n")
    with pytest.raises(PlaybookError, match="mapping"):
        parse_extra_vars([f"@{path}"])


def test_env_reads_dotenv_under_the_process_environment(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("ClientId = 'from-file'\nUserName = 'u@example.com'\n")
    monkeypatch.setenv("UserName", "from-shell")
    env = load_env(tmp_path)
    assert env["ClientId"] == "from-file"
    assert env["UserName"] == "from-shell"

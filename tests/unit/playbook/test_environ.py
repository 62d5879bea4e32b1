"""``env``: the process environment over ``.env`` files, in a documented order."""

from pathlib import Path

import pytest

from runner.playbook.environ import describe_missing, load_env, source_file
from runner.playbook.templating import TemplateRenderError, render


def test_env_reads_dotenv_under_the_process_environment(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("ClientId = 'from-file'\nUserName = 'u@example.com'\n")
    monkeypatch.setenv("UserName", "from-shell")
    env = load_env(tmp_path)
    assert env["ClientId"] == "from-file"
    assert env["UserName"] == "from-shell"
    assert source_file(env, "ClientId") == tmp_path / ".env"
    assert source_file(env, "UserName") is None


def test_the_first_folder_that_sets_a_name_wins(tmp_path: Path):
    work, book, inventory = (tmp_path / name for name in ("work", "book", "inv"))
    for folder, text in ((work, "A=work\n"), (book, "A=book\nB=book\n"),
                         (inventory, "B=inv\nC=inv\n")):
        folder.mkdir()
        (folder / ".env").write_text(text)
    env = load_env(work, book, inventory)
    assert (env["A"], env["B"], env["C"]) == ("work", "book", "inv")


def test_a_missing_name_says_where_it_was_looked_for(tmp_path: Path):
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / ".env").write_text("OTHER=1\n")
    env = load_env(tmp_path, tmp_path / "proj", tmp_path / "proj")
    text = describe_missing(env, "SF_NOPE_LOGIN_URL")
    assert text == (f"env.SF_NOPE_LOGIN_URL is not set (looked in the environment, "
                    f"{tmp_path}/.env, {tmp_path}/proj/.env)")
    with pytest.raises(TemplateRenderError) as caught:
        render("{{ env.SF_NOPE_LOGIN_URL }}", {"env": env})
    assert caught.value.message == f"undefined variable: {text}"
    with pytest.raises(TemplateRenderError, match="looked in the environment"):
        render("https://{{ env.SF_NOPE_LOGIN_URL }}/x", {"env": env})


def test_no_env_file_at_all_is_said_too(tmp_path: Path):
    env = load_env(tmp_path)
    assert describe_missing(env, "X_UNSET_HERE") == (
        f"env.X_UNSET_HERE is not set (looked in the environment; no .env file at {tmp_path}/.env)")

"""``.env`` files are found next to the working directory, the playbook and the inventory, in
that order; a name set nowhere says where it was looked for, and ``--syntax-check`` warns."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli

PLAYBOOK = """\
name: Env files
steps:
  - name: Each name comes from the first place that sets it
    assert:
      - env.ORDER_A == 'work'
      - env.ORDER_B == 'playbook'
      - env.ORDER_C == 'inventory'
      - env.ORDER_D == 'shell'
"""

UNSET = """\
name: Unset
keys:
  main: {private_key: server.key}
orgs:
  acme:
    login_url: "{{ env.ACME_LOGIN_URL_UNSET }}"
    client_id: 3MVG9acme
    username: api@acme.com
    key: main
steps:
  - name: Versions
    request: {path: /services/data/}
"""


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path, Path]:
    work, book, inventory = tmp_path / "work", tmp_path / "book", tmp_path / "inv"
    for folder in (work, book, inventory):
        folder.mkdir()
    (work / ".env").write_text("ORDER_A=work\nORDER_D=work\n")
    (book / ".env").write_text("ORDER_A=playbook\nORDER_B=playbook\n")
    (inventory / ".env").write_text("ORDER_B=inventory\nORDER_C=inventory\n")
    (inventory / "orgs.yml").write_text("orgs:\n  embedded: {emulator: true}\n")
    return work, book, inventory


def test_env_files_next_to_the_playbook_and_the_inventory_are_read_in_order(
    folders: tuple[Path, Path, Path],
) -> None:
    work, book, _ = folders
    (book / "env.yml").write_text(PLAYBOOK)
    run = run_cli("-i", "../inv/orgs.yml", "../book/env.yml", cwd=work, env={"ORDER_D": "shell"})
    assert run.status == 0, run.output
    assert "ok        Each name comes from the first place that sets it" in run.stdout


def test_an_unset_name_says_where_it_was_looked_for(folders: tuple[Path, Path, Path]) -> None:
    work, book, _ = folders
    (book / "unset.yml").write_text(UNSET)
    where = "looked in the environment, ./.env, ../book/.env, ../inv/.env"
    run = run_cli("-i", "../inv/orgs.yml", "../book/unset.yml", "-l", "acme", cwd=work)
    assert run.status == 3, run.output
    assert (f"acme: could not log in: orgs.acme.login_url: undefined variable: "
            f"env.ACME_LOGIN_URL_UNSET is not set ({where})") in run.stdout
    check = run_cli("-i", "../inv/orgs.yml", "../book/unset.yml", "--syntax-check", cwd=work)
    assert check.status == 0, check.output
    assert check.stderr == (f"../book/unset.yml:6:16: warning: env.ACME_LOGIN_URL_UNSET is not "
                            f"set ({where})\n")
    assert check.stdout == "../book/unset.yml: syntax OK (1 steps), 1 warning\n"

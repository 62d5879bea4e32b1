"""Every relative path resolves against the file that holds it, whatever the working directory.

The JWT tutorial's layout: its key in ``sf-jwt-app/certs``, a project next to it whose
inventory names that key as ``../sf-jwt-app/certs/server.key``, a playbook with a key
of its own, and a CI vars file passed with ``-e @`` that names the tutorial's key
relative to itself. The same command works from three working directories.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.e2e.org_records import CLIENT_ID, USERNAME, standalone_org

PLAYBOOK = """\
name: Tutorial paths
keys:
  local: {private_key: certs/local.key, certificate: certs/local.crt}
orgs:
  embedded: {emulator: true, key: local}
  ci:
    login_url: "{{ login_url }}"
    client_id: {client_id}
    username: {username}
    private_key: "{{ identity_key }}"
steps:
  - name: Record where the run came from
    request:
      method: POST
      path: /services/data/v60.0/sobjects/Account
      json: {Name: "{{ org.name }} from {{ where }}"}
    orgs: [tutorial, ci]
  - name: Versions
    request: {path: /services/data/}
"""


@pytest.fixture
def tutorial(tmp_path: Path) -> Path:
    root = tmp_path / "tutorial"
    (root / "proj").mkdir(parents=True)
    (root / "ci").mkdir()
    (root / "proj" / "playbook.yml").write_text(
        PLAYBOOK.replace("{client_id}", CLIENT_ID).replace("{username}", USERNAME))
    (root / "ci" / "vars.yml").write_text("identity_key: ../sf-jwt-app/certs/server.key\n")
    return root


def inventory(root: Path, url: str) -> None:
    (root / "proj" / "inventory.yml").write_text(
        "vars:\n"
        f"  login_url: {url}\n"
        "orgs:\n"
        "  tutorial:\n"
        "    login_url: \"{{ login_url }}\"\n"
        f"    client_id: {CLIENT_ID}\n"
        f"    username: {USERNAME}\n"
        "    private_key: ../sf-jwt-app/certs/server.key\n"
        "    certificate: ../sf-jwt-app/certs/server.crt\n"
    )


def test_the_same_run_from_three_working_directories(tutorial: Path) -> None:
    runs = {
        "tutorial": (tutorial, ["-i", "proj/inventory.yml", "proj/playbook.yml",
                                "-e", "@ci/vars.yml"]),
        "proj": (tutorial / "proj", ["-i", "inventory.yml", "playbook.yml",
                                     "-e", "@../ci/vars.yml"]),
        "elsewhere": (tutorial.parent, ["-i", "tutorial/proj/inventory.yml",
                                        "tutorial/proj/playbook.yml",
                                        "-e", "@tutorial/ci/vars.yml"]),
    }
    with standalone_org(tutorial / "sf-jwt-app") as org:
        inventory(tutorial, org.url)
        for where, (cwd, args) in runs.items():
            run = run_cli(*args, "-e", f"where={where}", cwd=cwd)
            assert run.status == 0, (where, run.output)
            logins = re.findall(r"^  ok +log in +(\S+)", run.stdout, re.MULTILINE)
            assert sorted(logins) == ["ci", "embedded", "tutorial"], (where, run.stdout)
            doctor = run_cli(*args, "-e", "where=doctor", "--doctor", cwd=cwd)
            assert doctor.status == 0, (where, doctor.output)
            assert "all checks passed" in doctor.stdout
    assert sorted(org.records("Account", "Name")) == sorted(  # lanes run side by side
        (f"{name} from {where}",) for where in runs for name in ("tutorial", "ci"))
    assert (tutorial / "proj" / "certs" / "local.key").is_file()  # next to the playbook
    for cwd in (tutorial, tutorial.parent):
        assert not (cwd / "certs").exists()


def test_a_missing_key_names_the_path_it_resolved(tutorial: Path) -> None:
    with standalone_org(tutorial / "sf-jwt-app") as org:
        inventory(tutorial, org.url)
        text = (tutorial / "proj" / "inventory.yml").read_text()
        (tutorial / "proj" / "inventory.yml").write_text(text.replace("sf-jwt-app", "sf-jwt"))
        run = run_cli("-i", "proj/inventory.yml", "proj/playbook.yml", "-e", "@ci/vars.yml",
                      "-e", "where=x", "--doctor", cwd=tutorial)
    assert run.status == 3, run.output
    section = run.stdout[run.stdout.index("org tutorial"):]
    assert section.splitlines()[1:3] == [
        "  fail  key loads                proj/../sf-jwt/certs/server.key does not exist",
        "        fix: check orgs.tutorial.private_key: nothing generates it, and a relative "
        "path resolves against the folder of proj/inventory.yml",
    ]

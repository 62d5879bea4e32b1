"""Authoring and diagnosis end to end: init, syntax check, check mode, listings, tags, doctor."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from runner.salesforce import keys
from tests.conftest import PLAYBOOKS, run_cli
from tests.e2e.standalone import standalone_emulator


def test_init_makes_a_project_that_passes_the_syntax_check(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    run = run_cli("init", str(project))
    assert run.status == 0, run.output
    key = project / "certs" / "server.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    for name in ("playbook.yml", "inventory.yml", ".env.example", ".gitignore", "certs/server.crt"):
        assert (project / name).exists(), name
    assert ".env" in (project / ".gitignore").read_text()
    assert "syntax check:" in run.stdout and "OK" in run.stdout
    assert "Use digital signatures" in run.stdout and "pre-authorized" in run.stdout
    assert "refresh_token, offline_access" in run.stdout
    again = run_cli("init", str(project))
    assert again.status == 0 and "kept" in again.stdout
    check = run_cli("-i", str(project / "inventory.yml"), str(project / "playbook.yml"),
                    "--syntax-check")
    assert check.status == 0, check.output


def tutorial_folder(tmp_path: Path, domain: str) -> Path:
    """The JWT tutorial's folder: certs/server.key made by openssl (0644), and its .env."""
    folder = tmp_path / "sf-jwt-app"
    keys.ensure_key_pair(private_key=folder / "certs" / "server.key",
                         certificate=folder / "certs" / "server.crt")
    os.chmod(folder / "certs" / "server.key", 0o644)
    (folder / ".env").write_text(
        "KeyFile = 'certs/server.key'\n\nClientId = 'TUTORIAL_APP'\n\n"
        "UserName = 'api.user@test.not'\n\n" f"Domain = '{domain}'\n"
    )
    return folder


def test_the_tutorials_env_gives_a_syntax_check_and_a_doctor_report(tmp_path: Path) -> None:
    folder = tutorial_folder(tmp_path, "http://127.0.0.1:1")
    certificate = str(folder / "certs" / "server.crt")
    with standalone_emulator("--cert", certificate, "--client-id", "TUTORIAL_APP",
                             "--username", "api.user@test.not") as url:
        env_file = folder / ".env"
        env_file.write_text(env_file.read_text().replace("http://127.0.0.1:1", url))
        project = tmp_path / "project"
        init = run_cli("init", str(project), "--from-env", str(env_file))
        assert init.status == 0, init.output
        assert "chmod 600" in init.stdout  # the tutorial's key is too open; init says so
        copied = project / "certs" / "server.key"  # the project gets its own copy, 0600
        assert copied.read_bytes() == (folder / "certs" / "server.key").read_bytes()
        assert stat.S_IMODE(copied.stat().st_mode) == 0o600
        doctor = run_cli("-i", "inventory.yml", "playbook.yml", "--doctor", cwd=project)
    assert doctor.status == 0, doctor.output
    for check in ("key matches certificate", "clock skew", "audience", "token exchange"):
        assert check in doctor.stdout
    assert "all checks passed" in doctor.stdout


def test_doctor_explains_a_wrong_consumer_key(tmp_path: Path) -> None:
    folder = tutorial_folder(tmp_path, "http://127.0.0.1:1")
    os.chmod(folder / "certs" / "server.key", 0o600)
    with standalone_emulator("--cert", str(folder / "certs" / "server.crt"),
                             "--client-id", "OTHER_APP", "--username", "api.user@test.not") as url:
        env_file = folder / ".env"
        env_file.write_text(env_file.read_text().replace("http://127.0.0.1:1", url))
        project = tmp_path / "project"
        assert run_cli("init", str(project), "--from-env", str(env_file)).status == 0
        doctor = run_cli("-i", "inventory.yml", "playbook.yml", "--doctor", cwd=project)
    assert doctor.status == 3
    assert "invalid_client_id" in doctor.stdout and "fix:" in doctor.stdout


def test_check_mode_sends_nothing_and_shows_deferred_values(tmp_path: Path) -> None:
    smoke = tmp_path / "smoke.yml"
    shutil.copy(PLAYBOOKS / "smoke.yml", smoke)
    run = run_cli(str(smoke), "--check")
    assert run.status == 0, run.output
    assert "key main: certs/server.key would be created" in run.stdout
    assert not (tmp_path / "certs").exists()
    assert "/sobjects/Account/⟨found.json.records[0].Id⟩?fields=Name%2CAccountNumber" in run.stdout


def test_listings_and_tag_selection(tmp_path: Path) -> None:
    health = str(PLAYBOOKS / "health.yml")
    steps = run_cli(health, "--list-steps", "-t", "limits")
    assert steps.status == 0
    assert "API limits" in steps.stdout and "Identity" not in steps.stdout
    tags = run_cli(health, "--list-tags")
    assert "access, certificate, identity, limits" in tags.stdout
    skipped = run_cli(health, "--skip-tags", "limits,identity")
    assert skipped.status == 0, skipped.output
    assert "Integration user can read Accounts" in skipped.stdout
    assert "API limits" not in skipped.stdout
    start = run_cli(health, "--start-at-step", "Integration user can read Accounts",
                    "--list-steps")
    assert "Identity" not in start.stdout
    wrong = run_cli(health, "--start-at-step", "Integration user can read Acounts")
    assert wrong.status == 5 and "did you mean" in wrong.stderr


@pytest.mark.parametrize("flag", ["-t", "--skip-tags"])
def test_unknown_tag_is_a_usage_error(flag: str) -> None:
    run = run_cli(str(PLAYBOOKS / "health.yml"), flag, "limit")
    assert run.status == 5 and "did you mean 'limits'" in run.stderr

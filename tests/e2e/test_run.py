"""End to end: the real ``sfjwt-run`` against the embedded org over HTTP."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from runner.salesforce import keys
from tests.conftest import PLAYBOOKS, REPO, run_cli, single_run
from tests.e2e.standalone import standalone_emulator


@pytest.fixture
def smoke(tmp_path: Path) -> Path:
    """A copy of the shipped smoke playbook in a fresh folder (its key goes there)."""
    target = tmp_path / "smoke.yml"
    shutil.copy(PLAYBOOKS / "smoke.yml", target)
    return target


def test_smoke_passes_on_a_fresh_machine_and_again_with_the_key_kept(smoke: Path) -> None:
    first = run_cli(str(smoke))
    assert first.status == 0, first.output
    assert "changed   key main" in first.stdout
    assert "PASSED" in first.stdout
    key = smoke.parent / "certs" / "server.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    second = run_cli(str(smoke))
    assert second.status == 0, second.output
    assert "ok        key main" in second.stdout
    for name in ("API versions are listed", "Find an account with a number", "Read it by id",
                 "API headroom"):
        assert f"ok        {name}" in second.stdout
    assert "Traceback" not in first.output + second.output


def test_failed_expectation_shows_expected_and_actual(tmp_path: Path) -> None:
    playbook = tmp_path / "p.yml"
    playbook.write_text(
        "name: wrong name\n"
        "steps:\n"
        "  - name: Find\n"
        "    query: SELECT Id, Name FROM Account WHERE AccountNumber != null LIMIT 1\n"
        "    register: found\n"
        "  - name: Read\n"
        "    request: {path: \"/services/data/v60.0/sobjects/Account/"
        "{{ found.json.records[0].Id }}\"}\n"
        "    expect:\n"
        "      json:\n"
        "        Name: {equals: Nobody}\n"
        "        AccountNumber: {exists: true}\n"
    )
    run = run_cli(str(playbook), "--json", str(tmp_path / "r.json"))
    assert run.status == 2, run.output
    assert "✗ json Name: equals 'Nobody', got '" in run.stdout
    assert "response: {" in run.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    [check] = [c for c in single_run(report)["orgs"][0]["steps"][1]["checks"] if not c["passed"]]
    assert check["expected"] == "Nobody" and check["actual"]


def test_wrong_consumer_key_exits_3_with_salesforce_words_and_a_hint(tmp_path: Path) -> None:
    keys.ensure_key_pair(private_key=tmp_path / "server.key",
                                   certificate=tmp_path / "server.crt")
    with standalone_emulator("--cert", str(tmp_path / "server.crt"), "--client-id", "RIGHT",
                             "--username", "api.user@example.com") as url:
        playbook = tmp_path / "p.yml"
        playbook.write_text(
            "name: wrong consumer key\n"
            "orgs:\n"
            "  standalone:\n"
            f"    login_url: {url}\n"
            "    client_id: WRONG\n"
            "    username: api.user@example.com\n"
            "    private_key: server.key\n"
            "steps:\n"
            "  - name: versions\n"
            "    request: {path: /services/data/}\n"
        )
        run = run_cli(str(playbook))
    assert run.status == 3, run.output
    assert "invalid_client_id" in run.stdout
    assert "client identifier invalid" in run.stdout
    assert "hint:" in run.stdout and "consumer key" in run.stdout.lower()
    assert "skipped   versions" in run.stdout


def test_right_consumer_key_against_standalone_emulator_passes(tmp_path: Path) -> None:
    keys.ensure_key_pair(private_key=tmp_path / "server.key", certificate=tmp_path / "server.crt")
    with standalone_emulator("--cert", str(tmp_path / "server.crt"), "--client-id", "RIGHT",
                             "--username", "api.user@example.com") as url:
        playbook = tmp_path / "p.yml"
        playbook.write_text(
            "name: standalone\n"
            "orgs:\n"
            "  standalone:\n"
            f"    login_url: {url}\n"
            "    client_id: \"{{ env.SF_CLIENT_ID }}\"\n"
            "    username: api.user@example.com\n"
            "    private_key: server.key\n"
            "steps:\n"
            "  - name: identity\n"
            "    request: {path: /services/oauth2/userinfo}\n"
            "    expect:\n"
            "      json:\n"
            "        preferred_username: {equals: \"{{ org.username }}\"}\n"
        )
        run = run_cli(str(playbook), env={"SF_CLIENT_ID": "RIGHT"})
    assert run.status == 0, run.output


def test_misspelled_key_exits_4_with_position(tmp_path: Path) -> None:
    playbook = tmp_path / "p.yml"
    playbook.write_text("name: typo\nsteps:\n  - name: x\n    reqest: {path: /}\n")
    run = run_cli(str(playbook))
    assert run.status == 4
    assert f"{playbook}:4:5: " in run.stderr
    assert "did you mean 'request'?" in run.stderr
    assert "    reqest: {path: /}" in run.stderr and "^" in run.stderr
    assert "Traceback" not in run.output


@pytest.mark.parametrize(
    ("args", "status"),
    [(["--forks", "0", "x.yml"], 5), (["--no-such-flag", "x.yml"], 5), ([], 5),
     (["-e", "novalue", "x.yml"], 5), (["missing.yml"], 4)],
)
def test_bad_options_and_files_get_documented_exit_codes(args: list[str], status: int,
                                                          tmp_path: Path) -> None:
    run = run_cli(*args, cwd=tmp_path)
    assert run.status == status, run.output
    assert "Traceback" not in run.output
    assert len(run.stderr.strip().splitlines()) <= 3


def test_emulated_org_with_a_certificate_that_does_not_match_the_key(tmp_path: Path) -> None:
    keys.ensure_key_pair(private_key=tmp_path / "other.key", certificate=tmp_path / "other.crt")
    playbook = tmp_path / "p.yml"
    playbook.write_text(
        "name: mismatched certificate\n"
        "keys:\n  main: {private_key: certs/server.key, certificate: certs/server.crt}\n"
        "orgs:\n"
        "  good: {emulator: true, key: main}\n"
        "  bad: {emulator: {certificate: other.crt}, key: main}\n"
        "steps:\n  - name: versions\n    request: {path: /services/data/}\n"
    )
    run = run_cli(str(playbook), cwd=REPO)
    assert run.status == 3, run.output
    assert "bad: could not authenticate: invalid_grant: invalid assertion" in run.stdout
    assert "ok        versions" in run.stdout


def test_output_cut_short_by_the_reader_is_not_an_internal_error(tmp_path: Path) -> None:
    shutil.copy(PLAYBOOKS / "smoke.yml", tmp_path / "smoke.yml")
    process = subprocess.Popen([sys.executable, "-m", "runner", str(tmp_path / "smoke.yml")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.readline()
    process.stdout.close()
    _, err = process.communicate(timeout=60)
    assert b"internal error" not in err and b"Traceback" not in err
    assert process.returncode in (0, 99)  # 99 when the pipe breaks outside the console

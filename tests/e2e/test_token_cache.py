"""--token-cache: one login across runs, mode 0600, a stale token replaced after one 401."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from runner.salesforce import keys
from tests.conftest import run_cli
from tests.e2e.standalone import standalone_emulator

NO_SECOND_LOGIN = '{path: /services/oauth2/token, status: 400, error_code: invalid_grant, ' \
                  'message: "a second login was attempted", after: 1}'


def playbook(folder: Path, url: str) -> Path:
    path = folder / "p.yml"
    path.write_text(
        "name: cached\norgs:\n  one:\n"
        f"    login_url: {url}\n    client_id: APP\n    username: api.user@example.com\n"
        "    private_key: server.key\n"
        "steps:\n  - name: versions\n    request: {path: /services/data/v60.0/limits}\n"
    )
    return path


def test_second_run_reuses_the_token(tmp_path: Path) -> None:
    keys.ensure_key_pair(private_key=tmp_path / "server.key", certificate=tmp_path / "server.crt")
    cache = tmp_path / "tokens.json"
    with standalone_emulator("--cert", str(tmp_path / "server.crt"), "--client-id", "APP",
                             "--username", "api.user@example.com",
                             "--fault", NO_SECOND_LOGIN) as url:
        book = playbook(tmp_path, url)
        first = run_cli(str(book), "--token-cache", str(cache))
        second = run_cli(str(book), "--token-cache", str(cache))
        without = run_cli(str(book))
    assert first.status == 0, first.output
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    token = next(iter(json.loads(cache.read_text())["tokens"].values()))["access_token"]
    assert second.status == 0, second.output
    assert without.status == 3 and "a second login was attempted" in without.stdout
    assert token not in first.output + second.output


def test_stale_token_is_replaced_after_one_401(tmp_path: Path) -> None:
    keys.ensure_key_pair(private_key=tmp_path / "server.key", certificate=tmp_path / "server.crt")
    cache = tmp_path / "tokens.json"
    args = ("--cert", str(tmp_path / "server.crt"), "--client-id", "APP",
            "--username", "api.user@example.com")
    with standalone_emulator(*args) as url:
        assert run_cli(str(playbook(tmp_path, url)), "--token-cache", str(cache)).status == 0
    old = cache.read_text()
    with standalone_emulator(*args) as url:  # a new server knows none of the old tokens
        run = run_cli(str(playbook(tmp_path, url)), "--token-cache", str(cache))
    assert run.status == 0, run.output
    assert cache.read_text() != old


def test_cache_readable_by_others_is_refused(tmp_path: Path) -> None:
    cache = tmp_path / "tokens.json"
    cache.write_text("{}")
    cache.chmod(0o644)
    book = tmp_path / "p.yml"
    book.write_text("name: x\nsteps:\n  - name: v\n    request: {path: /services/data/}\n")
    run = run_cli(str(book), "--token-cache", str(cache))
    assert run.status == 5 and "chmod 600" in run.stderr


def test_a_damaged_cache_or_a_refused_cached_instance_costs_one_login(tmp_path: Path) -> None:
    """``{"tokens": [1]}`` is ignored; a cached token whose instance_url is a foreign host is
    never used (its token is not sent there): the org logs in afresh and the run passes."""
    keys.ensure_key_pair(private_key=tmp_path / "server.key", certificate=tmp_path / "server.crt")
    cache = tmp_path / "tokens.json"
    args = ("--cert", str(tmp_path / "server.crt"), "--client-id", "APP",
            "--username", "api.user@example.com")
    with standalone_emulator(*args) as url:
        book = playbook(tmp_path, url)
        cache.write_text('{"tokens": [1]}')
        cache.chmod(0o600)
        damaged = run_cli(str(book), "--token-cache", str(cache))
        key = f"{url}|APP|api.user@example.com"
        planted = {"access_token": "00Dxx0000000001!planted-token-for-a-foreign-host",
                   "instance_url": "https://collector.example.net", "id_url": "", "scope": "",
                   "org_id": "", "user_id": "", "token_type": "Bearer"}
        cache.write_text(json.dumps({"version": 1, "tokens": {key: planted}}))
        foreign = run_cli(str(book), "--token-cache", str(cache), "-vv")
    assert damaged.status == 0, damaged.output
    assert foreign.status == 0, foreign.output
    assert "collector.example.net" not in foreign.output
    entry = json.loads(cache.read_text())["tokens"][key]
    assert entry["instance_url"] == url and entry["access_token"] != planted["access_token"]


def test_a_cache_where_none_can_be_written_is_refused_before_the_run(tmp_path: Path) -> None:
    book = tmp_path / "p.yml"
    book.write_text("name: x\nsteps:\n  - name: v\n    request: {path: /services/data/}\n")
    for where in ("/proc/self/tokens.json", "/dev/zero"):
        run = run_cli(str(book), "--token-cache", where, "--json", str(tmp_path / "r.json"))
        assert run.status == 5, run.output
        assert run.stderr.startswith(f"sfjwt-run: error: --token-cache {where}: "), run.stderr
        assert "PLAY" not in run.stdout and "Traceback" not in run.output

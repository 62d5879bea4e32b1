"""The Emulator object: orgs before and after start, persistence, per-org latency and faults."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests

from runner.emulator import Emulator
from runner.emulator import app as app_module
from runner.emulator.config import EmulatorConfigError
from runner.emulator.messages import Request

from .conftest import claims, token_request


def _login(emu: Emulator, key: str, org_index: int = 0) -> dict[str, Any]:
    org = emu.orgs[org_index]
    assertion = jwt.encode(claims(org.client_id, org.username), key, algorithm="RS256")
    response = emu.handle(token_request(assertion))
    body: dict[str, Any] = json.loads(response.body)
    return body


def test_base_url_needs_a_port() -> None:
    emu = Emulator()
    with pytest.raises(RuntimeError, match="not started"):
        _ = emu.base_url
    assert Emulator(port=8123).base_url == "http://127.0.0.1:8123"
    assert Emulator(port=8123, https=True).base_url == "https://127.0.0.1:8123"


def test_orgs_added_before_and_after_start_are_served(key_pair: tuple[str, str]) -> None:
    emu = Emulator(config={"orgs": [{"name": "early", "certificate_pem": key_pair[1]}]})
    emu.start()
    try:
        late = emu.add_org({"name": "late", "certificate_pem": key_pair[1], "type": "sandbox"})
        assert late.login_url == late.instance_url == emu.base_url
        assert late.org_id.startswith("00D") and len(late.org_id) == 18
        for org, aud in ((emu.orgs[0], "https://login.salesforce.com"), (late, emu.base_url)):
            assertion = jwt.encode(
                claims(org.client_id, org.username, aud=aud), key_pair[0], "RS256"
            )
            response = requests.post(
                f"{org.login_url}/services/oauth2/token",
                data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                      "assertion": assertion},
                timeout=10,
            )  # fmt: skip
            assert response.status_code == 200, response.text
            assert response.json()["access_token"][:15] == org.org_id[:15]
    finally:
        emu.stop()
    emu.stop()


def test_duplicate_username_or_name_is_refused() -> None:
    emu = Emulator(port=9)
    emu.add_org({"name": "a", "username": "same@x.test"})
    with pytest.raises(EmulatorConfigError, match="unique across all orgs"):
        emu.add_org({"name": "b", "username": "SAME@x.test"})
    with pytest.raises(EmulatorConfigError, match="already exists"):
        emu.add_org({"name": "a", "username": "other@x.test"})


def test_invalid_options_name_the_org(key_pair: tuple[str, str]) -> None:
    with pytest.raises(EmulatorConfigError, match=r"emulator: orgs\[1\]\.latency_ms"):
        Emulator(config={"orgs": [{"name": "ok"}, {"name": "bad", "latency_ms": -1}]})


def test_data_file_keeps_records_across_restarts(tmp_path: Path, key_pair: tuple[str, str]) -> None:
    path = str(tmp_path / "org.db")
    options = {"name": "kept", "certificate_pem": key_pair[1], "sample_data": False}
    first = Emulator(port=9, data_path=path)
    org_id = first.add_org(options).org_id
    token = _login(first, key_pair[0])["access_token"]
    created = first.handle(
        Request("POST", "/services/data/v60.0/sobjects/Account", "",
                {"Authorization": f"Bearer {token}"}, b'{"Name": "Survivor"}')
    )  # fmt: skip
    record_id = json.loads(created.body)["id"]
    first.close()
    second = Emulator(port=9, data_path=path)
    assert second.add_org(options).org_id == org_id
    token = _login(second, key_pair[0])["access_token"]
    found = second.handle(
        Request("GET", f"/services/data/v60.0/sobjects/Account/{record_id}", "",
                {"Authorization": f"Bearer {token}"})
    )  # fmt: skip
    assert json.loads(found.body)["Name"] == "Survivor"
    second.close()


def test_latency_sleeps_per_org_and_per_rule(
    key_pair: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(app_module.time, "sleep", slept.append)
    emu = Emulator(port=9)
    rule = {"path": "/services/data/*/limits", "latency_ms": 400}
    emu.add_org({"name": "slow", "certificate_pem": key_pair[1], "latency_ms": 25,
                 "faults": [rule]})  # fmt: skip
    token = _login(emu, key_pair[0])["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    emu.handle(Request("GET", "/services/data/v60.0/", "", auth))
    emu.handle(Request("GET", "/services/data/v60.0/limits", "", auth))
    assert slept == [0.025, 0.025, 0.4]


def _statuses(seed: int, key: str, cert: str) -> list[int]:
    emu = Emulator(port=9)
    rule = {"path": "/services/data/*", "status": 500, "rate": 0.5}
    emu.add_org({"name": "flaky", "certificate_pem": cert, "faults": [rule], "random_seed": seed})
    token = _login(emu, key)["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    return [emu.handle(Request("GET", "/services/data/v60.0/", "", auth)).status for _ in range(40)]


def test_faults_are_reproducible_with_a_seed(key_pair: tuple[str, str]) -> None:
    first = _statuses(11, *key_pair)
    assert first == _statuses(11, *key_pair)
    assert set(first) == {200, 500}
    assert first != _statuses(12, *key_pair)


def test_token_endpoint_faults_find_the_org_through_the_assertion(
    key_pair: tuple[str, str],
) -> None:
    emu = Emulator(port=9)
    emu.add_org({"name": "fine", "certificate_pem": key_pair[1]})
    rule = {"path": "/services/oauth2/token", "status": 400, "error_code": "invalid_grant",
            "message": "ip restricted", "times": 1}  # fmt: skip
    emu.add_org({"name": "locked", "certificate_pem": key_pair[1], "faults": [rule]})
    assert "access_token" in _login(emu, key_pair[0], 0)
    assert _login(emu, key_pair[0], 1) == {
        "error": "invalid_grant",
        "error_description": "ip restricted",
    }
    assert "access_token" in _login(emu, key_pair[0], 1)


def test_unknown_paths_are_not_found(key_pair: tuple[str, str]) -> None:
    emu = Emulator(port=9)
    response = emu.handle(Request("GET", "/nothing/here"))
    assert response.status == 404
    assert json.loads(response.body)[0]["errorCode"] == "NOT_FOUND"


def test_internal_errors_become_500(monkeypatch: pytest.MonkeyPatch) -> None:
    emu = Emulator(port=9)

    def boom(request: Request) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(emu, "_route", boom)
    response = emu.handle(Request("GET", "/services/data/"))
    assert response.status == 500
    assert json.loads(response.body)[0]["errorCode"] == "UNKNOWN_EXCEPTION"


def test_many_orgs_in_parallel_each_see_their_own_data(key_pair: tuple[str, str]) -> None:
    import threading

    with Emulator() as emu:
        orgs = [
            emu.add_org({"name": f"par{i}", "certificate_pem": key_pair[1], "latency_ms": 5,
                         "sample_data": False})
            for i in range(12)
        ]  # fmt: skip
        signed = {
            o.name: jwt.encode(claims(o.client_id, o.username), key_pair[0], "RS256") for o in orgs
        }
        seen: dict[str, str] = {}

        def work(name: str, login_url: str) -> None:
            with requests.Session() as session:
                token = session.post(
                    f"{login_url}/services/oauth2/token",
                    data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                          "assertion": signed[name]},
                    timeout=30,
                ).json()["access_token"]  # fmt: skip
                body = session.get(
                    f"{login_url}/services/data/v60.0/query",
                    params={"q": "SELECT Name FROM Organization"},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=30,
                ).json()
                seen[name] = body["records"][0]["Name"]

        threads = [threading.Thread(target=work, args=(o.name, o.login_url)) for o in orgs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert seen == {o.name: o.name for o in orgs}


def test_stop_closes_kept_alive_connections() -> None:
    import http.client

    emu = Emulator()
    emu.start()
    port = int(emu.base_url.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/services/data")
    assert conn.getresponse().read()
    emu.stop()
    with pytest.raises((http.client.HTTPException, OSError)):
        conn.request("GET", "/services/data")
        conn.getresponse().read()
    conn.close()

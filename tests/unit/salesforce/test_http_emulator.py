"""The client side against the embedded org: login, faults, expiry, TLS, doctor.

The same behaviours test_http.py pins against a scripted fake, here against
the emulator's own token endpoint, REST API and fault injection.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import requests

from runner.emulator import EmulatedOrg, Emulator
from runner.errors import AuthenticationError
from runner.salesforce import cooperative
from runner.salesforce.auth import SANDBOX_AUDIENCE, JwtCredentials
from runner.salesforce.cooperative import Hub
from runner.salesforce.doctor import Status, diagnose
from runner.salesforce.http import OrgClient, ResponseFormatError
from runner.salesforce.keys import ephemeral_key_pair
from runner.salesforce.retry import NetworkError, RetryPolicy

LIMITS = "/services/data/v60.0/limits"
_names = itertools.count()


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    emu = Emulator()
    emu.start()
    yield emu
    emu.close()


def add_org(emu: Emulator, **options: Any) -> EmulatedOrg:
    number = next(_names)
    settings = {
        "name": f"client{number}",
        "username": f"api.user{number}@client.test",
        "certificate_pem": ephemeral_key_pair().certificate_pem(),
        "sample_data": False,
        **options,
    }
    return emu.add_org(settings)


def credentials(org: EmulatedOrg, **changes: str) -> JwtCredentials:
    values = {"login_url": org.login_url, "client_id": org.client_id, "username": org.username}
    values.update(changes)
    return JwtCredentials(private_key=ephemeral_key_pair().private_key, **values)


def client_for(org: EmulatedOrg, *, sleeps: list[float] | None = None, **changes: Any) -> OrgClient:
    record = sleeps.append if sleeps is not None else (lambda seconds: None)
    policy = RetryPolicy(sleep=record, random=lambda: 1.0, attempts=3)
    verify = changes.pop("verify", True)
    return OrgClient(credentials(org, **changes), retry=policy, verify=verify)


def fault(**rule: Any) -> dict[str, Any]:
    return {"faults": [{"path": LIMITS, "times": 1, **rule}]}


def test_login_once_and_read(emulator: Emulator) -> None:
    org = add_org(emulator)
    with client_for(org) as client:
        versions = client.request("GET", "/services/data/")
        limits = client.request("GET", LIMITS)
        assert client.token is not None and client.token.org_id == org.org_id
        assert client.token_exchanges == 1
    assert versions.status == 200 and isinstance(versions.json(), list)
    assert limits.json()["DailyApiRequests"]["Max"] > 0


@pytest.mark.parametrize(
    ("changes", "error", "description", "phrase"),
    [
        (
            {"client_id": "3MVG9unknown"},
            "invalid_client_id",
            "client identifier invalid",
            "Manage Consumer Details",
        ),
        (
            {"username": "nobody@client.test"},
            "invalid_grant",
            "user hasn't approved this consumer",
            "pre-authorized",
        ),
    ],
)
def test_refused_logins_carry_the_words_and_a_hint(
    emulator: Emulator, changes: dict[str, Any], error: str, description: str, phrase: str
) -> None:
    org = add_org(emulator)
    with client_for(org, **changes) as client, pytest.raises(AuthenticationError) as caught:
        client.authenticate()
    assert (caught.value.error, caught.value.description) == (error, description)
    assert phrase in (caught.value.hint or "")


def test_sandbox_needs_the_test_audience(emulator: Emulator) -> None:
    org = add_org(emulator, type="sandbox")
    with client_for(org) as client, pytest.raises(AuthenticationError, match="audience is invalid"):
        client.authenticate()
    with client_for(org, audience=SANDBOX_AUDIENCE) as client:
        assert client.authenticate().org_id == org.org_id


@pytest.mark.parametrize(
    ("rule", "sleeps_wanted"),
    [
        ({"status": 503, "retry_after": 1}, [1.0]),
        ({"status": 429}, [0.5]),
        (
            {
                "status": 403,
                "error_code": "REQUEST_LIMIT_EXCEEDED",
                "message": "ConcurrentRequests (Concurrent API Requests) Limit exceeded.",
            },
            [0.5],
        ),
        ({"drop": True}, [0.5]),
        ({"truncate": True}, [0.5]),
    ],
)
def test_transient_faults_pass_after_a_retry(
    emulator: Emulator, rule: dict[str, Any], sleeps_wanted: list[float]
) -> None:
    org = add_org(emulator, **fault(**rule))
    sleeps: list[float] = []
    with client_for(org, sleeps=sleeps) as client:
        response = client.request("GET", LIMITS)
    assert (response.status, response.attempts) == (200, 2)
    assert sleeps == sleeps_wanted


@pytest.mark.parametrize(
    ("rule", "status"),
    [
        ({"status": 500}, 500),
        (
            {
                "status": 403,
                "error_code": "REQUEST_LIMIT_EXCEEDED",
                "message": "TotalRequests Limit exceeded.",
            },
            403,
        ),
    ],
)
def test_lasting_faults_are_answers_not_retries(
    emulator: Emulator, rule: dict[str, Any], status: int
) -> None:
    org = add_org(emulator, **fault(**rule))
    with client_for(org) as client:
        response = client.request("GET", LIMITS)
    assert (response.status, response.attempts) == (status, 1)
    assert response.json()[0]["errorCode"]


def test_maintenance_page_is_not_json(emulator: Emulator) -> None:
    org = add_org(emulator, faults=[{"path": LIMITS, "html": True, "status": 500}])
    with client_for(org) as client:
        response = client.request("GET", LIMITS)
    with pytest.raises(ResponseFormatError, match=r"text/html, not JSON: .*Maintenance"):
        response.json()


def test_a_dropped_post_is_not_replayed(emulator: Emulator) -> None:
    org = add_org(emulator, faults=[{"method": "POST", "path": "/services/data/*", "drop": True}])
    with client_for(org) as client, pytest.raises(NetworkError) as caught:
        client.request("POST", "/services/data/v60.0/sobjects/Account", json={"Name": "Acme"})
    assert caught.value.attempts == 1


def test_token_endpoint_outage_is_retried(emulator: Emulator) -> None:
    org = add_org(emulator, faults=[{"path": "/services/oauth2/token", "status": 503, "times": 1}])
    sleeps: list[float] = []
    with client_for(org, sleeps=sleeps) as client:
        assert client.authenticate().org_id == org.org_id
    assert sleeps == [0.5]


def test_revoked_session_reauthenticates_and_replays(emulator: Emulator) -> None:
    org = add_org(emulator)
    with client_for(org) as client:
        first = client.authenticate()
        assert emulator.sessions.revoke(first.access_token)
        response = client.request("GET", LIMITS)
        assert (response.status, client.token_exchanges) == (200, 2)
        assert client.token is not None and client.token.access_token != first.access_token


def test_doctor_finds_a_healthy_emulated_org(emulator: Emulator) -> None:
    org = add_org(emulator)
    pair = ephemeral_key_pair()
    with requests.Session() as session:
        findings = diagnose(credentials(org), pair, session, min_days_left=1)
    assert [f.check for f in findings if f.status is not Status.OK] == []


@pytest.fixture(scope="module")
def tls_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Emulator, Path]]:
    ca = tmp_path_factory.mktemp("tls") / "emulator.pem"
    emu = Emulator(https=True, tls_cert_out=str(ca))
    emu.start()
    yield emu, ca
    emu.close()


def test_tls_is_verified_against_the_given_bundle(tls_emulator: tuple[Emulator, Path]) -> None:
    emu, ca = tls_emulator
    org = add_org(emu)
    with client_for(org, verify=str(ca)) as client:
        assert client.request("GET", LIMITS).status == 200
    with (
        client_for(org) as client,
        pytest.raises(NetworkError, match="certificate verify failed") as caught,
    ):
        client.authenticate()
    assert "--ca-bundle" in (caught.value.hint or "")


def test_requests_ca_bundle_is_honoured(
    tls_emulator: tuple[Emulator, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    emu, ca = tls_emulator
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca))
    org = add_org(emu)
    with client_for(org) as client:
        assert client.request("GET", LIMITS).status == 200


def test_tls_orgs_log_in_and_answer_side_by_side_on_a_hub(
    tls_emulator: tuple[Emulator, Path],
) -> None:
    """Handshakes, reads and writes over TLS wait through the hub (lanes as greenlets)."""
    emu, ca = tls_emulator
    orgs = [add_org(emu) for _ in range(3)]

    def lane(org: EmulatedOrg) -> tuple[int, bool]:
        with client_for(org, verify=str(ca)) as client:
            return client.request("GET", LIMITS).status, cooperative.current() is not None

    tasks = Hub().run([partial(lane, org) for org in orgs], limit=3)
    assert [task.result() for task in tasks] == [(200, True)] * 3

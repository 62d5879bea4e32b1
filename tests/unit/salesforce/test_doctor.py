"""Tests for runner.salesforce.doctor: every check, against a fake org, with an injectable clock."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from runner.salesforce.auth import JwtCredentials
from runner.salesforce.doctor import (
    Finding,
    Status,
    clock_skew,
    diagnose,
    load_for_diagnosis,
    worst,
)
from runner.salesforce.keys import KeyPair, ensure_key_pair, ephemeral_key_pair
from tests.unit.fake_org import FakeOrg, serve

CLIENT_ID = "3MVG9fakeConsumerKey"
USERNAME = "api.user@test.not"


@pytest.fixture(scope="module")
def key_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("doctor")
    ensure_key_pair(private_key=root / "server.key", certificate=root / "server.crt", days=10)
    return root / "server.key", root / "server.crt"


@pytest.fixture
def pair(key_files: tuple[Path, Path]) -> KeyPair:
    loaded, findings = load_for_diagnosis(*key_files)
    assert loaded is not None and findings[0].status is Status.OK
    return loaded


@pytest.fixture
def org(pair: KeyPair) -> Iterator[FakeOrg]:
    yield from serve(FakeOrg(pair.private_key.public_key(), CLIENT_ID, USERNAME))


def run(org: FakeOrg, pair: KeyPair, **options: object) -> dict[str, Finding]:
    creds = JwtCredentials(
        str(options.pop("login_url", org.base_url)),
        str(options.pop("client_id", CLIENT_ID)),
        USERNAME,
        pair.private_key,
    )
    with requests.Session() as session:
        findings = diagnose(creds, pair, session, timeout=5.0, **options)  # type: ignore[arg-type]
    return {finding.check: finding for finding in findings}


def test_a_healthy_org_passes_every_check(org: FakeOrg, pair: KeyPair) -> None:
    found = run(org, pair, min_days_left=5)
    assert list(found) == [
        "key matches certificate",
        "certificate expiry",
        "key file permissions",
        "login URL reachable",
        "clock skew",
        "audience",
        "JWT claims",
        "token exchange",
    ]
    assert {check: f.status for check, f in found.items()} == dict.fromkeys(found, Status.OK)
    assert worst(list(found.values())) is Status.OK
    assert found["audience"].data["aud"] == "https://login.salesforce.com"
    claims = found["JWT claims"].data["claims"]
    assert (claims["iss"], claims["sub"]) == (CLIENT_ID, USERNAME)
    assert found["JWT claims"].data["header"]["alg"] == "RS256"
    assert found["token exchange"].data["org_id"].startswith("00D")


def test_no_finding_shows_the_signature_or_the_token(org: FakeOrg, pair: KeyPair) -> None:
    found = run(org, pair)
    text = " ".join(f"{f.detail} {f.fix} {f.data}" for f in found.values())
    assert org.tokens and org.tokens[0] not in text
    assertion = org.seen[-1].body.decode().split("assertion=")[1]
    signature = assertion.split(".")[2]
    assert signature not in text and assertion.split(".")[1] not in text


def test_certificate_close_to_expiry_warns_and_expired_fails(org: FakeOrg, pair: KeyPair) -> None:
    assert run(org, pair, min_days_left=30)["certificate expiry"].status is Status.WARN
    later = time.time() + 12 * 86400
    expired = run(org, pair, clock=lambda: later)["certificate expiry"]
    assert expired.status is Status.FAIL and "upload it to the connected app" in (expired.fix or "")


def test_mismatched_certificate_fails(org: FakeOrg, pair: KeyPair) -> None:
    other = KeyPair(pair.private_key, ephemeral_key_pair().certificate)
    finding = run(org, other)["key matches certificate"]
    assert finding.status is Status.FAIL and "invalid assertion" in finding.detail


def test_loose_key_permissions_are_reported_not_refused(
    key_files: tuple[Path, Path], tmp_path: Path, org: FakeOrg
) -> None:
    key = tmp_path / "server.key"
    shutil.copy(key_files[0], key)
    key.chmod(0o644)
    loose, _ = load_for_diagnosis(key, key_files[1])
    assert loose is not None
    finding = run(org, loose)["key file permissions"]
    assert finding.status is Status.FAIL and finding.fix == f"chmod 600 {key}"


def test_key_that_cannot_be_loaded_is_a_finding(tmp_path: Path) -> None:
    key = tmp_path / "nothing.key"
    pair, findings = load_for_diagnosis(key, None)
    assert (
        pair is None
        and findings[0].status is Status.FAIL
        and "does not exist" in findings[0].detail
    )


def test_clock_skew_is_measured_from_the_date_header(org: FakeOrg, pair: KeyPair) -> None:
    ahead = run(org, pair, clock=lambda: time.time() + 120)["clock skew"]
    assert ahead.status is Status.WARN and "ahead of the server" in ahead.detail
    assert ahead.data["skew_seconds"] > 60 and "NTP" in (ahead.fix or "")


@pytest.mark.parametrize(
    ("header", "status", "words"),
    [
        (None, Status.WARN, "no Date header"),
        ("garbage", Status.WARN, "unreadable"),
        ("Tue, 14 Nov 2023 22:13:20 GMT", Status.OK, "in step with the server"),
        ("Tue, 14 Nov 2023 22:13:50 GMT", Status.OK, "30 s behind"),
        ("Tue, 14 Nov 2023 22:11:20 GMT", Status.WARN, "120 s ahead of"),
        ("Tue, 14 Nov 2023 22:15:20 GMT", Status.WARN, "120 s behind"),
    ],
)
def test_clock_skew_cases(header: str | None, status: Status, words: str) -> None:
    finding = clock_skew(header, 1_700_000_000.0)
    assert finding.status is status and words in finding.detail


def test_unreachable_login_url_skips_the_token_exchange(pair: KeyPair) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dead = FakeOrg(pair.private_key.public_key(), CLIENT_ID, USERNAME)
    found = run(dead, pair, login_url=f"http://127.0.0.1:{port}")
    assert found["login URL reachable"].status is Status.FAIL
    assert "connection refused" in found["login URL reachable"].detail
    assert "clock skew" not in found
    assert "not attempted" in found["token exchange"].detail


def test_plain_http_login_url_is_refused(org: FakeOrg, pair: KeyPair) -> None:
    found = run(org, pair, login_url="http://login.example.com")
    assert found["login URL reachable"].status is Status.FAIL
    assert "insecure_http" in (found["login URL reachable"].fix or "")


def test_refused_login_gives_salesforce_words_and_the_fix(org: FakeOrg, pair: KeyPair) -> None:
    finding = run(org, pair, client_id="wrong-key")["token exchange"]
    assert finding.status is Status.FAIL
    assert finding.data["error"] == "invalid_client_id"
    assert "client identifier invalid" in finding.detail
    assert "Manage Consumer Details" in (finding.fix or "")


def test_worst_status() -> None:
    ok, warn, fail = (Finding("c", status, "d") for status in (Status.OK, Status.WARN, Status.FAIL))
    assert worst([ok, warn]) is Status.WARN
    assert worst([warn, fail, ok]) is Status.FAIL
    assert worst([]) is Status.OK

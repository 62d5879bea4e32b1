"""The REST front door through Emulator.handle (no sockets): versions, auth, usage, isolation."""

from __future__ import annotations

import json

import pytest

from runner.emulator import Emulator
from runner.emulator.messages import Request
from runner.emulator.rest import version_label

from .conftest import Client, V, create_account, error_code


def test_versions_are_public_ascending_and_two_digit(emu: Emulator) -> None:
    for path in ("/services/data", "/services/data/"):
        response = emu.handle(Request("GET", path))
        versions = json.loads(response.body)
        assert response.status == 200
        numbers = [float(v["version"]) for v in versions]
        assert numbers == sorted(numbers)
        assert all(len(v["version"]) == 4 and v["version"].endswith(".0") for v in versions)
        assert {"label": "Spring '24", "url": "/services/data/v60.0", "version": "60.0"} in versions


@pytest.mark.parametrize(
    ("major", "label"),
    [
        (31, "Summer '14"),
        (59, "Winter '24"),
        (60, "Spring '24"),
        (62, "Winter '25"),
        (67, "Summer '26"),
    ],
)
def test_version_labels(major: int, label: str) -> None:
    assert version_label(major) == label


def test_resources_with_and_without_slash(client: Client) -> None:
    for path in (V, V + "/"):
        status, _, body = client.call("GET", path)
        assert status == 200
        assert body["query"] == f"{V}/query" and body["sobjects"] == f"{V}/sobjects"
        assert body["identity"].startswith("http://127.0.0.1:9/id/00D")


def test_latest_is_the_newest_version(client: Client) -> None:
    status, _, body = client.call("GET", "/services/data/latest/sobjects/Account")
    assert status == 200
    assert body["objectDescribe"]["urls"]["sobject"] == "/services/data/v68.0/sobjects/Account"


@pytest.mark.parametrize("path", ["/services/data/v38/", "/services/data/v99.0/", f"{V}/nothing"])
def test_unknown_version_or_resource(client: Client, path: str) -> None:
    assert error_code(client.call("GET", path)) == (404, "NOT_FOUND")


def test_no_or_bad_token_is_401_invalid_session(emu: Emulator) -> None:
    response = emu.handle(Request("GET", f"{V}/limits"))
    assert response.status == 401
    assert json.loads(response.body) == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]
    bad = emu.handle(Request("GET", f"{V}/limits", "", {"Authorization": "Bearer 00Dx!y"}))
    assert json.loads(bad.body)[0]["errorCode"] == "INVALID_SESSION_ID"
    basic = emu.handle(Request("GET", f"{V}/limits", "", {"Authorization": "Basic abc"}))
    assert (basic.status, json.loads(basic.body)[0]["errorCode"]) == (401, "INVALID_AUTH_HEADER")


def test_oauth_scheme_is_accepted(client: Client) -> None:
    status, _, _ = client.call(
        "GET", f"{V}/limits", headers={"Authorization": f"OAuth {client.token}"}
    )
    assert status == 200


def test_session_times_out_after_inactivity(client: Client, emu: Emulator) -> None:
    session = emu.sessions.lookup(client.token)
    assert session is not None
    session.last_used -= 7201
    assert error_code(client.call("GET", f"{V}/limits")) == (401, "INVALID_SESSION_ID")


def test_limit_info_on_every_response_and_limits_fall(client: Client) -> None:
    _, first_headers, first = client.call("GET", f"{V}/limits")
    _, headers, second = client.call("GET", f"{V}/limits")
    assert first_headers["Sforce-Limit-Info"] == "api-usage=1/15000"
    assert headers["Sforce-Limit-Info"] == "api-usage=2/15000"
    assert second["DailyApiRequests"]["Remaining"] == first["DailyApiRequests"]["Remaining"] - 1
    assert second["DailyApiRequests"]["Max"] == 15000
    _, error_headers, _ = client.call("GET", f"{V}/sobjects/Nope/describe")
    assert error_headers["Sforce-Limit-Info"] == "api-usage=3/15000"


def test_daily_limit_exceeded(emu: Emulator, key_pair: tuple[str, str]) -> None:
    org = emu.add_org({"name": "tiny", "certificate_pem": key_pair[1], "daily_api_limit": 2})
    client = Client(emu, org, key_pair[0])
    assert client.call("GET", f"{V}/limits")[0] == 200
    assert client.call("GET", f"{V}/limits")[0] == 200
    status, headers, body = client.call("GET", f"{V}/limits")
    assert (status, body[0]["errorCode"]) == (403, "REQUEST_LIMIT_EXCEEDED")
    assert body[0]["message"] == "TotalRequests Limit exceeded."
    assert headers["Sforce-Limit-Info"] == "api-usage=2/2"


def test_orgs_are_isolated(emu: Emulator, client: Client, key_pair: tuple[str, str]) -> None:
    other = Client(
        emu, emu.add_org({"name": "globex", "certificate_pem": key_pair[1]}), key_pair[0]
    )
    assert other.token[:15] != client.token[:15]
    record_id = create_account(client, {"Name": "Only In Acme"})
    assert error_code(other.call("GET", f"{V}/sobjects/Account/{record_id}")) == (404, "NOT_FOUND")


def test_faults_from_org_options(emu: Emulator, key_pair: tuple[str, str]) -> None:
    rule = {"method": "GET", "path": "/services/data/*/limits", "status": 503, "times": 1,
            "retry_after": 3}  # fmt: skip
    org = emu.add_org({"name": "flaky", "certificate_pem": key_pair[1], "faults": [rule]})
    client = Client(emu, org, key_pair[0])
    status, headers, body = client.call("GET", f"{V}/limits")
    assert (status, headers["Retry-After"], body[0]["errorCode"]) == (
        503,
        "3",
        "SERVER_UNAVAILABLE",
    )
    assert client.call("GET", f"{V}/limits")[0] == 200


def test_app_without_api_scope_cannot_use_rest(emu: Emulator, key_pair: tuple[str, str]) -> None:
    options = {"name": "noapi", "certificate_pem": key_pair[1], "scopes": ["openid", "id"]}
    client = Client(emu, emu.add_org(options), key_pair[0])
    status, _, body = client.call("GET", f"{V}/limits")
    assert (status, body[0]["errorCode"]) == (401, "INVALID_SESSION_ID")
    assert body[0]["message"] == "This session is not valid for use with the REST API"


def test_describe_answers_are_reused_but_each_response_is_its_own(client: Client) -> None:
    first = client.call("GET", f"{V}/sobjects/Account/describe")
    again = client.call("GET", f"{V}/sobjects/account/describe")
    older = client.call("GET", "/services/data/v59.0/sobjects/Account/describe")
    assert first[0] == again[0] == 200 and first[2] == again[2]
    assert first[2]["urls"]["sobject"] == f"{V}/sobjects/Account"
    assert older[2]["urls"]["sobject"] == "/services/data/v59.0/sobjects/Account"
    limits = [call[1]["Sforce-Limit-Info"] for call in (first, again, older)]
    assert limits == ["api-usage=1/15000", "api-usage=2/15000", "api-usage=3/15000"]
    assert first[1] is not again[1]
    assert client.call("GET", f"{V}/sobjects")[2] == client.call("GET", f"{V}/sobjects/")[2]
    for _ in range(2):
        assert error_code(client.call("GET", f"{V}/sobjects/Nope/describe")) == (404, "NOT_FOUND")
        assert error_code(client.call("POST", f"{V}/sobjects/Account/describe"))[0] == 405

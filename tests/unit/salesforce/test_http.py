"""Tests for runner.salesforce.http: URL rules, one login, bearer scope, retries, re-auth."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from runner import secrets
from runner.errors import AuthenticationError, ExitStatus, TransportError
from runner.salesforce.auth import JwtCredentials
from runner.salesforce.http import (
    MISSING,
    InvalidRequestError,
    OrgClient,
    Response,
    ResponseFormatError,
    check_url_allowed,
)
from runner.salesforce.keys import ephemeral_key_pair
from runner.salesforce.retry import NetworkError, RetryPolicy
from tests.unit.fake_org import Answer, FakeOrg, serve

CLIENT_ID = "3MVG9fakeConsumerKey"
USERNAME = "api.user@test.not"
TOKEN_PATH = "/services/oauth2/token"
LIMITS = "/services/data/v60.0/limits"
BUSY = {"Content-Type": "application/json"}


@pytest.fixture
def org() -> Iterator[FakeOrg]:
    yield from serve(FakeOrg(ephemeral_key_pair().private_key.public_key(), CLIENT_ID, USERNAME))


@pytest.fixture
def sleeps() -> list[float]:
    return []


def make_client(org: FakeOrg, sleeps: list[float] | None = None, **options: object) -> OrgClient:
    creds = JwtCredentials(
        org.base_url,
        str(options.pop("client_id", CLIENT_ID)),
        USERNAME,
        ephemeral_key_pair().private_key,
    )
    record = sleeps.append if sleeps is not None else (lambda seconds: None)
    policy = RetryPolicy(
        sleep=record, random=lambda: 1.0, attempts=3, connect_timeout=2, read_timeout=5
    )
    return OrgClient(creds, retry=policy, **options)  # type: ignore[arg-type]


# -- URL rules ---------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "https://login.salesforce.com",
        "http://127.0.0.1:8080/x",
        "http://127.9.9.9",
        "http://[::1]:9/",
        "http://localhost:1234",
        "HTTPS://Acme.my.salesforce.com",
    ],
)
def test_https_and_loopback_http_are_allowed(url: str) -> None:
    check_url_allowed(url)


def test_plain_http_elsewhere_needs_insecure_http() -> None:
    with pytest.raises(TransportError, match=r"refusing plain http to acme\.example") as caught:
        check_url_allowed("http://acme.example/services")
    assert "insecure_http: true" in (caught.value.hint or "")
    check_url_allowed("http://acme.example/services", insecure_http=True)


@pytest.mark.parametrize(
    "url", ["ftp://host/x", "https://", "/services/data", "file:///etc/passwd"]
)
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(TransportError, match="not an http"):
        check_url_allowed(url, insecure_http=True)


@pytest.mark.parametrize("url", ["http://[::1", "https://[zz"])
def test_unparseable_urls_are_transport_errors(url: str) -> None:
    with pytest.raises(TransportError, match="not a valid URL"):
        check_url_allowed(url)


@pytest.mark.parametrize("url", ["https://exa mple.com/x", "https://host:99999/"])
def test_malformed_absolute_targets_are_refused_without_retries(
    org: FakeOrg, url: str, sleeps: list[float]
) -> None:
    with make_client(org, sleeps) as client, pytest.raises(InvalidRequestError):
        client.request("GET", url)
    assert sleeps == []


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"headers": {"X-Note": "caf\u00e9 \u2615"}}, "'latin-1' codec"),
        ({"headers": {"X-Note": "a\nb"}}, "header"),
        ({"json": {"tags": {1, 2}}}, "not JSON serializable"),
    ],
)
def test_unsendable_requests_fail_the_step_not_the_run(
    org: FakeOrg, sleeps: list[float], options: dict[str, Any], words: str
) -> None:
    with (
        make_client(org, sleeps) as client,
        pytest.raises(InvalidRequestError, match=words) as caught,
    ):
        client.request("POST", "/x", **options)
    assert caught.value.exit_status == ExitStatus.STEP_FAILED
    assert sleeps == [] and not org.requests_to("/x")


def test_login_url_over_plain_http_is_refused_before_any_request() -> None:
    creds = JwtCredentials("http://login.example.com", "c", "u", ephemeral_key_pair().private_key)
    with OrgClient(creds) as client, pytest.raises(TransportError, match="refusing plain http"):
        client.authenticate()


def test_missing_ca_bundle_is_reported_up_front(tmp_path: Path) -> None:
    creds = JwtCredentials(
        "https://login.salesforce.com", "c", "u", ephemeral_key_pair().private_key
    )
    with pytest.raises(TransportError, match=r"CA bundle .*missing\.pem does not exist"):
        OrgClient(creds, verify=str(tmp_path / "missing.pem"))


def test_requests_ca_bundle_is_still_honoured(
    org: FakeOrg, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bundle = tmp_path / "custom-ca.pem"
    bundle.write_text("certificates")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    with make_client(org) as client:
        settings = client.session.merge_environment_settings(
            "https://acme.my.salesforce.com/", {}, None, client.verify, None
        )
    assert settings["verify"] == str(bundle)


def test_a_stale_requests_ca_bundle_is_a_clear_error_for_https_only(
    org: FakeOrg, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/nowhere-ca.pem")
    with make_client(org) as client:
        with pytest.raises(TransportError, match=r"REQUESTS_CA_BUNDLE=/etc/nowhere-ca\.pem is not"):
            client.session.merge_environment_settings(
                "https://acme.my.salesforce.com/", {}, None, client.verify, None)
        assert client.request("GET", LIMITS).status == 200  # plain http to loopback needs none


# -- login and bearer --------------------------------------------------------
def test_one_token_exchange_serves_many_requests(org: FakeOrg) -> None:
    with make_client(org) as client:
        assert client.token is None
        for _ in range(3):
            assert client.request("GET", LIMITS).status == 200
        assert client.token_exchanges == 1
        assert client.token is not None
        token = client.token.access_token
    assert len(org.requests_to(TOKEN_PATH)) == 1
    assert [seen.headers["authorization"] for seen in org.requests_to(LIMITS)] == [
        f"Bearer {token}"
    ] * 3


def test_paths_resolve_against_the_instance_url(org: FakeOrg) -> None:
    with make_client(org) as client:
        response = client.request("get", "services/data/v60.0/limits", params={"a": "1"})
    assert response.method == "GET"
    assert response.url == f"{org.base_url}{LIMITS}?a=1"
    assert org.requests_to(LIMITS)


def test_token_is_not_sent_to_another_origin(org: FakeOrg) -> None:
    other = org.base_url.replace("127.0.0.1", "localhost")
    with make_client(org) as client:
        response = client.request("GET", other + LIMITS)
    assert response.status == 401
    assert "authorization" not in org.requests_to(LIMITS)[0].headers
    assert len(org.requests_to(TOKEN_PATH)) == 1


def test_token_goes_to_the_same_origin_however_it_is_spelled(org: FakeOrg) -> None:
    port = org.base_url.rsplit(":", 1)[1]
    with make_client(org) as client:
        client.authenticate()
        response = client.request("GET", f"HTTP://127.0.0.1:{port}{LIMITS}")
    assert response.status == 200
    assert org.requests_to(LIMITS)[0].headers["authorization"].startswith("Bearer 00D")


def test_origin_normalisation() -> None:
    from runner.salesforce.urls import origin as _origin

    assert _origin("https://Acme.my.salesforce.com") == _origin(
        "https://acme.my.salesforce.com:443/x"
    )
    assert _origin("http://h") == "http://h:80"
    assert _origin("https://h:8443") != _origin("https://h")
    assert _origin("https://h:notaport") == "https://h:None"


def test_an_authorization_header_of_the_step_wins(org: FakeOrg) -> None:
    with make_client(org) as client:
        response = client.request("GET", LIMITS, headers={"authorization": "Bearer forged"})
    assert response.status == 401
    assert org.requests_to(LIMITS)[0].headers["authorization"] == "Bearer forged"
    assert len(org.requests_to(TOKEN_PATH)) == 1


def test_netrc_cannot_replace_the_bearer_header(
    org: FakeOrg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password other\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    with make_client(org) as client:
        assert client.request("GET", LIMITS).status == 200
    assert org.requests_to(LIMITS)[0].headers["authorization"].startswith("Bearer 00D")


def test_bodies_json_and_data(org: FakeOrg) -> None:
    with make_client(org) as client:
        client.request("POST", "/a", json={"Name": "Acme"})
        client.request("POST", "/b", json=None)
        client.request("PATCH", "/c", data="raw", headers={"Content-Type": "text/plain"})
        client.request("DELETE", "/d", json=MISSING)
    assert org.requests_to("/a")[0].body == b'{"Name": "Acme"}'
    assert org.requests_to("/b")[0].body == b"null"
    assert org.requests_to("/c")[0].body == b"raw"
    assert org.requests_to("/d")[0].body == b""


def test_a_refused_login_raises_with_its_hint_and_is_not_retried(org: FakeOrg) -> None:
    with (
        make_client(org, client_id="wrong") as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.request("GET", LIMITS)
    assert caught.value.error == "invalid_client_id" and caught.value.hint
    assert len(org.requests_to(TOKEN_PATH)) == 1


def test_token_endpoint_5xx_is_retried(org: FakeOrg, sleeps: list[float]) -> None:
    page = Answer(503, "<html>maintenance</html>", {"Content-Type": "text/html"})
    org.script(TOKEN_PATH, page, then_default=True)
    with make_client(org, sleeps) as client:
        client.authenticate()
    assert len(org.requests_to(TOKEN_PATH)) == 2 and sleeps == [0.5]


def test_instance_url_over_plain_http_is_refused(org: FakeOrg) -> None:
    org.instance_url = "http://instance.example.com"
    with make_client(org) as client, pytest.raises(TransportError, match="refusing plain http"):
        client.authenticate()


# -- Response ----------------------------------------------------------------
def test_response_headers_are_case_insensitive_and_json_parses(org: FakeOrg) -> None:
    org.script("/x", Answer(200, {"a": [1]}, {"Sforce-Limit-Info": "api-usage=1/5000"}))
    with make_client(org) as client:
        response = client.request("GET", "/x")
    assert response.headers["sforce-limit-info"] == "api-usage=1/5000"
    assert response.json() == {"a": [1]} == response.json_or_none()
    assert response.attempts == 1 and response.elapsed_ms >= 0


def test_non_json_body_raises_a_project_error_with_a_masked_excerpt() -> None:
    secrets.register("very-secret-thing")
    response = Response(
        "GET",
        "https://x/y",
        503,
        {"Content-Type": "text/html"},
        "<h1>Down</h1> very-secret-thing",
        1.0,
        1,
    )
    assert response.json_or_none() is None
    with pytest.raises(
        ResponseFormatError, match="answered 503 with text/html, not JSON"
    ) as caught:
        response.json()
    assert "very-secret-thing" not in str(caught.value) and "<h1>Down</h1>" in str(caught.value)


# -- retries -----------------------------------------------------------------
def test_get_is_retried_on_503_honouring_retry_after(org: FakeOrg, sleeps: list[float]) -> None:
    org.script("/x", Answer(503, [], {"Retry-After": "2"}), Answer(502, []), Answer(200, {"ok": 1}))
    with make_client(org, sleeps) as client:
        response = client.request("GET", "/x")
    assert (response.status, response.attempts) == (200, 3)
    assert sleeps == [2.0, 1.0]


@pytest.mark.parametrize(
    ("answer", "retried"),
    [
        (Answer(429, []), True),
        (Answer(504, []), True),
        (
            Answer(
                403,
                [
                    {
                        "errorCode": "REQUEST_LIMIT_EXCEEDED",
                        "message": "ConcurrentRequests (Concurrent API Requests) Limit exceeded.",
                    }
                ],
            ),
            True,
        ),
        (
            Answer(
                403,
                [
                    {
                        "errorCode": "REQUEST_LIMIT_EXCEEDED",
                        "message": "TotalRequests Limit exceeded.",
                    }
                ],
            ),
            False,
        ),
        (
            Answer(
                500,
                [{"errorCode": "UNKNOWN_EXCEPTION", "message": "An unexpected error occurred."}],
            ),
            False,
        ),
        (Answer(404, []), False),
    ],
)
def test_which_answers_are_retried(org: FakeOrg, answer: Answer, retried: bool) -> None:
    org.script("/x", answer, Answer(200, {}))
    with make_client(org) as client:
        response = client.request("GET", "/x")
    assert (response.status == 200) is retried
    assert response.attempts == (2 if retried else 1)


def test_retries_stop_at_the_limit_with_the_last_answer(org: FakeOrg, sleeps: list[float]) -> None:
    org.script("/x", Answer(503, []))
    with make_client(org, sleeps) as client:
        response = client.request("GET", "/x")
    assert (response.status, response.attempts) == (503, 3)
    assert sleeps == [0.5, 1.0]


def test_post_is_retried_only_when_allowed(org: FakeOrg) -> None:
    org.script("/x", Answer(503, []), Answer(201, {"id": "001"}))
    with make_client(org) as client:
        assert client.request("POST", "/x", json={}).status == 503
        org.script("/x", Answer(503, []), Answer(201, {"id": "001"}))
        assert client.request("POST", "/x", json={}, allow_retry=True).status == 201


def test_connection_reset_is_retried_for_get_but_not_for_post(org: FakeOrg) -> None:
    org.script("/x", Answer(fault="reset"), Answer(200, {}))
    with make_client(org) as client:
        assert client.request("GET", "/x").attempts == 2
        org.script("/x", Answer(fault="reset"), Answer(200, {}))
        with pytest.raises(NetworkError) as caught:
            client.request("POST", "/x", json={})
    assert caught.value.kind in ("reset", "closed") and caught.value.attempts == 1


def test_refused_connection_is_retried_even_for_post(org: FakeOrg, sleeps: list[float]) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    org.instance_url = f"http://127.0.0.1:{port}"
    with (
        make_client(org, sleeps) as client,
        pytest.raises(NetworkError, match="connection refused") as caught,
    ):
        client.request("POST", "/x", json={})
    assert caught.value.attempts == 3 and len(sleeps) == 2


def test_read_timeout_per_request(org: FakeOrg) -> None:
    org.script("/slow", Answer(fault="sleep", seconds=1.0))
    with make_client(org) as client, pytest.raises(NetworkError, match=r"read timeout after 0\.2s"):
        client.request("POST", "/slow", json={}, timeout=0.2)


# -- session expiry ----------------------------------------------------------
def test_expired_session_reauthenticates_once_and_replays(org: FakeOrg) -> None:
    with make_client(org) as client:
        client.request("GET", LIMITS)
        org.expire_tokens()
        response = client.request("GET", LIMITS)
        assert (response.status, client.token_exchanges) == (200, 2)
        assert response.attempts == 2


def test_persistent_401_is_returned_after_one_reauthentication(org: FakeOrg) -> None:
    org.script(
        "/x",
        Answer(401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]),
    )
    with make_client(org) as client:
        response = client.request("GET", "/x")
        assert (response.status, client.token_exchanges) == (401, 2)


def test_api_access_control_401_does_not_reauthenticate(org: FakeOrg) -> None:
    body = [
        {
            "message": "This session is not valid for use with the REST API",
            "errorCode": "INVALID_SESSION_ID",
        }
    ]
    org.script("/x", Answer(401, body))
    with make_client(org) as client:
        assert client.request("GET", "/x").status == 401
        assert client.token_exchanges == 1


def test_close_leaves_a_borrowed_session_open(org: FakeOrg) -> None:
    session = requests.Session()
    closed: list[bool] = []
    session.close = lambda: closed.append(True)  # type: ignore[method-assign]
    make_client(org, session=session).close()
    assert closed == []

"""Tests for runner.salesforce.auth: claims, RS256 assertions, the token exchange."""

from __future__ import annotations

from collections.abc import Iterator

import jwt
import pytest
import requests

from runner import secrets
from runner.errors import AuthenticationError, TransportError
from runner.salesforce.auth import (
    PRODUCTION_AUDIENCE,
    SANDBOX_AUDIENCE,
    JwtCredentials,
    Token,
    audience_for,
    audience_reason,
    build_assertion,
    claims_for,
    request_token,
)
from runner.salesforce.keys import ephemeral_key_pair
from runner.salesforce.retry import NetworkError
from tests.unit.fake_org import ORG_ID, USER_ID, Answer, FakeOrg, serve

CLIENT_ID = "3MVG9fakeConsumerKey"
USERNAME = "api.user@test.not"
TOKEN_PATH = "/services/oauth2/token"


@pytest.fixture
def org() -> Iterator[FakeOrg]:
    key = ephemeral_key_pair().private_key
    yield from serve(FakeOrg(key.public_key(), CLIENT_ID, USERNAME))


def credentials(org: FakeOrg, **changes: str) -> JwtCredentials:
    values = {"login_url": org.base_url, "client_id": CLIENT_ID, "username": USERNAME}
    values.update(changes)
    return JwtCredentials(private_key=ephemeral_key_pair().private_key, **values)


def exchange(creds: JwtCredentials, timeout: float = 5.0) -> Token:
    with requests.Session() as session:
        return request_token(session, creds, timeout=timeout)


@pytest.mark.parametrize(
    ("login_url", "override", "expected"),
    [
        ("https://login.salesforce.com", None, PRODUCTION_AUDIENCE),
        ("https://test.salesforce.com", None, SANDBOX_AUDIENCE),
        ("https://TEST.salesforce.com/", None, SANDBOX_AUDIENCE),
        ("https://acme--uat.sandbox.my.salesforce.com", None, SANDBOX_AUDIENCE),
        ("https://acme.my.salesforce.com", None, PRODUCTION_AUDIENCE),
        ("http://127.0.0.1:8080", None, PRODUCTION_AUDIENCE),
        (
            "https://test.salesforce.com",
            "https://acme.force.com/customers",
            "https://acme.force.com/customers",
        ),
    ],
)
def test_audience_follows_the_login_host(
    login_url: str, override: str | None, expected: str
) -> None:
    assert audience_for(login_url, override) == expected
    assert audience_reason(login_url, override)


def test_audience_reason_says_why() -> None:
    assert "explicitly" in audience_reason("https://test.salesforce.com", "https://x")
    assert "sandbox" in audience_reason("https://test.salesforce.com")
    assert "production" in audience_reason("https://login.salesforce.com")


def test_claims_name_the_app_the_user_and_expire_within_three_minutes() -> None:
    creds = JwtCredentials(
        "https://test.salesforce.com", "cid", "user@x", ephemeral_key_pair().private_key
    )
    claims = claims_for(creds, now=1_700_000_000.7)
    assert claims == {"iss": "cid", "sub": "user@x", "aud": SANDBOX_AUDIENCE, "exp": 1_700_000_180}


def test_assertion_is_rs256_signed_and_registered_as_secret() -> None:
    pair = ephemeral_key_pair()
    creds = JwtCredentials("https://login.salesforce.com", "cid", "user@x", pair.private_key)
    assertion = build_assertion(creds)
    assert jwt.get_unverified_header(assertion)["alg"] == "RS256"
    claims = jwt.decode(
        assertion, pair.private_key.public_key(), algorithms=["RS256"], audience=PRODUCTION_AUDIENCE
    )
    assert claims["iss"] == "cid"
    assert assertion in secrets.current()


def test_credentials_repr_hides_the_key() -> None:
    creds = JwtCredentials(
        "https://login.salesforce.com", "cid", "u", ephemeral_key_pair().private_key
    )
    assert "private_key" not in repr(creds)


def test_successful_exchange_returns_the_token(org: FakeOrg) -> None:
    token = exchange(credentials(org))
    assert token.instance_url == org.base_url
    assert (token.org_id, token.user_id) == (ORG_ID, USER_ID)
    assert token.scope == "api" and token.token_type == "Bearer"
    assert token.access_token in secrets.current()
    assert token.access_token not in repr(token) and token.access_token not in str(token)
    (seen,) = org.requests_to(TOKEN_PATH)
    assert seen.method == "POST"
    assert seen.headers["content-type"] == "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("changes", "error", "description"),
    [
        ({"client_id": "wrong"}, "invalid_client_id", "client identifier invalid"),
        ({"username": "nobody@x"}, "invalid_grant", "user hasn't approved this consumer"),
        ({"audience": "https://acme.force.com"}, "invalid_grant", "audience is invalid"),
    ],
)
def test_salesforce_errors_keep_its_words_and_add_a_hint(
    org: FakeOrg, changes: dict[str, str], error: str, description: str
) -> None:
    with pytest.raises(AuthenticationError) as caught:
        exchange(credentials(org, **changes))
    assert (caught.value.error, caught.value.description, caught.value.status) == (
        error,
        description,
        400,
    )
    assert caught.value.hint
    assert len(org.requests_to(TOKEN_PATH)) == 1


def test_wrong_key_is_an_invalid_assertion(org: FakeOrg) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    creds = JwtCredentials(org.base_url, CLIENT_ID, USERNAME, other)
    with pytest.raises(AuthenticationError, match="invalid assertion") as caught:
        exchange(creds)
    assert "Use digital signatures" in (caught.value.hint or "")


def test_html_maintenance_page_is_an_error_with_status_and_excerpt(org: FakeOrg) -> None:
    page = "<html><body><h1>Down For Maintenance</h1></body></html>"
    org.script(TOKEN_PATH, Answer(503, page, {"Content-Type": "text/html"}))
    with pytest.raises(AuthenticationError) as caught:
        exchange(credentials(org))
    assert caught.value.status == 503
    assert caught.value.error == "HTTP 503"
    assert (
        "text/html, not a JSON object" in caught.value.description
        and "Down For Maintenance" in caught.value.description
    )
    assert "web page" in (caught.value.hint or "")


def test_response_without_a_token_is_refused(org: FakeOrg) -> None:
    org.script(TOKEN_PATH, Answer(200, {"scope": "api"}))
    with pytest.raises(AuthenticationError, match="lacks access_token, instance_url"):
        exchange(credentials(org))


def test_error_description_is_masked(org: FakeOrg) -> None:
    secrets.register("planted-secret-value")
    org.script(
        TOKEN_PATH,
        Answer(400, {"error": "invalid_grant", "error_description": "planted-secret-value"}),
    )
    with pytest.raises(AuthenticationError) as caught:
        exchange(credentials(org))
    assert "planted-secret-value" not in str(caught.value)


def test_refused_connection_is_a_transport_error() -> None:
    sock_port = _free_port()
    creds = JwtCredentials(
        f"http://127.0.0.1:{sock_port}", "c", "u", ephemeral_key_pair().private_key
    )
    with pytest.raises(NetworkError, match="connection refused") as caught:
        exchange(creds)
    assert isinstance(caught.value, TransportError)
    assert not caught.value.request_sent


def test_read_timeout_is_a_transport_error_that_says_so(org: FakeOrg) -> None:
    org.script(TOKEN_PATH, Answer(fault="sleep", seconds=1.0))
    with pytest.raises(NetworkError, match=r"read timeout after 0\.2s") as caught:
        exchange(credentials(org), timeout=0.2)
    assert caught.value.request_sent
    assert "assertion" not in str(caught.value)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

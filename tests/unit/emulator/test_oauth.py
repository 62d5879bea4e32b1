"""The token endpoint's checks, in the order and with the words Salesforce uses."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest

from runner.emulator import ids
from runner.emulator.config import org_config
from runner.emulator.directory import Directory
from runner.emulator.messages import Request
from runner.emulator.oauth import TokenEndpoint, expiry_seconds, parse_assertion
from runner.emulator.sessions import SessionStore

from .conftest import JWT_GRANT, claims, token_request

BASE = "http://127.0.0.1:9"
CLIENT = "3MVG9unit.test.key"
USER = "api.user@acme.test"

Setup = tuple[TokenEndpoint, Directory, SessionStore]


def _add(directory: Directory, options: dict[str, Any]) -> None:
    cfg = org_config(options, default_name=options.get("name", "acme"))
    user_ids = {u.username: ids.new_id("005") for u in cfg.users}
    directory.add(cfg, ids.new_id("00D"), user_ids)


@pytest.fixture
def setup(key_pair: tuple[str, str]) -> Setup:
    directory, sessions = Directory(), SessionStore()
    _add(
        directory,
        {
            "name": "acme",
            "client_id": CLIENT,
            "username": USER,
            "certificate_pem": key_pair[1],
            "users": [
                {"username": "gone@acme.test", "active": False},
                {"username": "outsider@acme.test", "pre_authorized": False},
            ],
        },
    )
    _add(
        directory,
        {
            "name": "acme-uat",
            "type": "sandbox",
            "client_id": "3MVG9sandbox.key",
            "username": "api.user@acme.test.uat",
            "certificate_pem": key_pair[1],
            "permitted_users": "all_users",
            "users": [{"username": "never.approved@acme.test.uat", "pre_authorized": False}],
        },
    )
    return TokenEndpoint(directory, sessions, lambda: BASE), directory, sessions


def _error(endpoint: TokenEndpoint, request: Request) -> tuple[int, dict[str, Any]]:
    response = endpoint.token(request)
    return response.status, json.loads(response.body)


def _refused(error: str, description: str) -> tuple[int, dict[str, str]]:
    return 400, {"error": error, "error_description": description}


def test_success_returns_the_five_documented_fields(setup: Setup, sign: Callable[..., str]) -> None:
    endpoint, directory, sessions = setup
    response = endpoint.token(token_request(sign(claims(CLIENT, USER))))
    body = json.loads(response.body)
    assert response.status == 200
    assert set(body) == {"access_token", "scope", "instance_url", "id", "token_type"}
    org, user = directory.user(USER) or (None, None)
    assert org is not None and user is not None
    assert body["access_token"].startswith(org.org_id[:15] + "!")
    assert body["id"] == f"{BASE}/id/{org.org_id}/{user.user_id}"
    assert len(org.org_id) == 18 and len(user.user_id) == 18
    assert body["instance_url"] == BASE and body["token_type"] == "Bearer"
    assert sessions.lookup(body["access_token"]) is not None


def test_get_is_refused(setup: Setup, sign: Callable[..., str]) -> None:
    request = token_request(sign(claims(CLIENT, USER)), method="GET")
    assert _error(setup[0], request) == _refused("invalid_request", "must use HTTP POST")


def test_json_body_is_refused(setup: Setup) -> None:
    request = Request(
        "POST", "/services/oauth2/token", "", {"Content-Type": "application/json"}, b"{}"
    )
    assert _error(setup[0], request) == _refused("invalid_request", "invalid content type")


def test_query_string_parameters_are_accepted(setup: Setup, sign: Callable[..., str]) -> None:
    query = f"grant_type={JWT_GRANT}&assertion={sign(claims(CLIENT, USER))}"
    response = setup[0].token(Request("POST", "/services/oauth2/token", query, {}, b""))
    assert response.status == 200


@pytest.mark.parametrize("grant", ["", "password", "urn:ietf:params:oauth:grant-type:saml2-bearer"])
def test_wrong_grant_type(setup: Setup, sign: Callable[..., str], grant: str) -> None:
    request = token_request(sign(claims(CLIENT, USER)), grant_type=grant)
    assert _error(setup[0], request) == _refused(
        "unsupported_grant_type", "grant type not supported"
    )


@pytest.mark.parametrize(
    "assertion",
    ["", "abc", "a.b", "a.b.c.d", "!!!.e30.", "e30.bm90IGpzb24.", "W10.e30.", "e30.W10.sig"],
)
def test_malformed_assertion(setup: Setup, assertion: str) -> None:
    assert _error(setup[0], token_request(assertion)) == _refused(
        "invalid_grant", "invalid assertion"
    )


def test_unknown_consumer_key(setup: Setup, sign: Callable[..., str]) -> None:
    request = token_request(sign(claims("3MVG9nobody", USER)))
    assert _error(setup[0], request) == _refused("invalid_client_id", "client identifier invalid")


def test_unknown_consumer_key_is_checked_before_the_signature(
    setup: Setup, sign: Callable[..., str], other_key_pair: tuple[str, str]
) -> None:
    request = token_request(sign(claims("3MVG9nobody", USER), key=other_key_pair[0]))
    assert _error(setup[0], request)[1]["error"] == "invalid_client_id"


def test_wrong_key(setup: Setup, sign: Callable[..., str], other_key_pair: tuple[str, str]) -> None:
    request = token_request(sign(claims(CLIENT, USER), key=other_key_pair[0]))
    assert _error(setup[0], request) == _refused("invalid_grant", "invalid assertion")


def _unsigned(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"") -> str:
    def enc(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return ".".join(
        [enc(json.dumps(header).encode()), enc(json.dumps(payload).encode()), enc(signature)]
    )


def test_alg_none_is_refused(setup: Setup) -> None:
    assertion = _unsigned({"alg": "none"}, claims(CLIENT, USER))
    assert _error(setup[0], token_request(assertion)) == _refused(
        "invalid_grant", "invalid assertion"
    )


def test_hs256_with_the_certificate_as_secret_is_refused(
    setup: Setup, key_pair: tuple[str, str]
) -> None:
    import hashlib
    import hmac

    good = jwt.encode(claims(CLIENT, USER), key_pair[0], algorithm="RS256")
    header, payload, _ = good.split(".")
    header = _unsigned({"alg": "HS256", "typ": "JWT"}, {}).split(".")[0]
    mac = hmac.new(key_pair[1].encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    forged = f"{header}.{payload}." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    assert _error(setup[0], token_request(forged)) == _refused("invalid_grant", "invalid assertion")


def test_rs512_is_refused(setup: Setup, sign: Callable[..., str]) -> None:
    request = token_request(sign(claims(CLIENT, USER), algorithm="RS512"))
    assert _error(setup[0], request) == _refused("invalid_grant", "invalid assertion")


@pytest.mark.parametrize(
    "aud",
    ["https://test.salesforce.com", "https://acme.my.salesforce.com", "", ["https://x.force.com"]],
)
def test_wrong_audience_for_production(setup: Setup, sign: Callable[..., str], aud: Any) -> None:
    request = token_request(sign(claims(CLIENT, USER, aud=aud)))
    assert _error(setup[0], request) == _refused("invalid_grant", "audience is invalid")


def test_sandbox_wants_test_audience(setup: Setup, sign: Callable[..., str]) -> None:
    user = "api.user@acme.test.uat"
    bad = token_request(sign(claims("3MVG9sandbox.key", user)))
    assert _error(setup[0], bad) == _refused("invalid_grant", "audience is invalid")
    good = token_request(sign(claims("3MVG9sandbox.key", user, aud="https://test.salesforce.com")))
    assert setup[0].token(good).status == 200


@pytest.mark.parametrize("aud", [BASE, BASE + "/", [BASE]])
def test_own_base_url_is_an_accepted_audience(
    setup: Setup, sign: Callable[..., str], aud: Any
) -> None:
    assert setup[0].token(token_request(sign(claims(CLIENT, USER, aud=aud)))).status == 200


def test_audience_is_checked_before_expiry_and_user(setup: Setup, sign: Callable[..., str]) -> None:
    stale = claims(CLIENT, "nobody@acme.test", aud="https://test.salesforce.com", exp=1)
    assert (
        _error(setup[0], token_request(sign(stale)))[1]["error_description"]
        == "audience is invalid"
    )


@pytest.mark.parametrize("offset", [-1, -3600])
def test_expired_assertion(setup: Setup, sign: Callable[..., str], offset: int) -> None:
    request = token_request(sign(claims(CLIENT, USER, exp=int(time.time()) + offset)))
    assert _error(setup[0], request) == _refused("invalid_grant", "expired authorization code")


@pytest.mark.parametrize(
    "make_exp",
    [
        lambda now: int(now) + 300,
        lambda now: str(int(now) + 300),
        lambda now: f"{now + 300:.0f}",
        lambda now: int(now * 1000) + 300,
        lambda now: float(int(now) + 60),
    ],
    ids=["seconds", "string", "formatted", "milliseconds", "float"],
)
def test_exp_as_number_string_or_milliseconds(
    setup: Setup, sign: Callable[..., str], make_exp: Callable[[float], Any]
) -> None:
    exp = make_exp(time.time())  # computed when the test runs, not when it is collected
    assert setup[0].token(token_request(sign(claims(CLIENT, USER, exp=exp)))).status == 200


@pytest.mark.parametrize("exp", [None, "soon", True])
def test_missing_or_non_numeric_exp(setup: Setup, key_pair: tuple[str, str], exp: Any) -> None:
    payload = claims(CLIENT, USER)
    if exp is None:
        del payload["exp"]
    else:
        payload["exp"] = exp
    assertion = jwt.api_jws.encode(json.dumps(payload).encode(), key_pair[0], algorithm="RS256")
    assert _error(setup[0], token_request(assertion)) == _refused(
        "invalid_grant", "invalid assertion"
    )


def test_unknown_user(setup: Setup, sign: Callable[..., str]) -> None:
    request = token_request(sign(claims(CLIENT, "nobody@acme.test")))
    assert _error(setup[0], request) == _refused(
        "invalid_grant", "user hasn't approved this consumer"
    )


def test_user_of_another_org_has_not_approved_this_app(
    setup: Setup, sign: Callable[..., str]
) -> None:
    request = token_request(sign(claims(CLIENT, "api.user@acme.test.uat")))
    assert _error(setup[0], request) == _refused(
        "invalid_grant", "user hasn't approved this consumer"
    )


def test_user_not_pre_authorized_for_admin_approved_app(
    setup: Setup, sign: Callable[..., str]
) -> None:
    request = token_request(sign(claims(CLIENT, "outsider@acme.test")))
    assert _error(setup[0], request) == _refused(
        "invalid_app_access", "user is not admin approved to access this app"
    )


def test_user_without_approval_for_self_authorized_app(
    setup: Setup, sign: Callable[..., str]
) -> None:
    request = token_request(
        sign(
            claims(
                "3MVG9sandbox.key",
                "never.approved@acme.test.uat",
                aud="https://test.salesforce.com",
            )
        )
    )
    assert _error(setup[0], request) == _refused(
        "invalid_grant", "user hasn't approved this consumer"
    )


def test_inactive_user(setup: Setup, sign: Callable[..., str]) -> None:
    request = token_request(sign(claims(CLIENT, "gone@acme.test")))
    assert _error(setup[0], request) == _refused("invalid_grant", "inactive user")


def test_prn_wins_over_sub(setup: Setup, sign: Callable[..., str]) -> None:
    good = claims(CLIENT, "nobody@acme.test", prn=USER)
    assert setup[0].token(token_request(sign(good))).status == 200
    bad = claims(CLIENT, USER, prn="nobody@acme.test")
    assert _error(setup[0], token_request(sign(bad)))[1]["error"] == "invalid_grant"


def test_extra_header_and_claims_are_accepted(setup: Setup, sign: Callable[..., str]) -> None:
    payload = claims(CLIENT, USER, iat=int(time.time()), jti="x1", nbf=int(time.time()) + 999)
    assertion = sign(payload, headers={"kid": "k1", "typ": "JWT"})
    assert setup[0].token(token_request(assertion)).status == 200


def test_usernames_are_case_insensitive(setup: Setup, sign: Callable[..., str]) -> None:
    assert setup[0].token(token_request(sign(claims(CLIENT, USER.upper())))).status == 200


def test_parse_assertion_reads_prn_then_sub() -> None:
    token = _unsigned({"alg": "RS256"}, {"sub": "a", "prn": "b"}, b"x")
    assert parse_assertion(token).subject == "b"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5, 5.0),
        ("7", 7.0),
        (" 8 ", 8.0),
        ("1.5", 1.5),
        ("-1", None),
        ("x", None),
        (False, None),
        ([], None),
    ],
)
def test_expiry_seconds(value: Any, expected: float | None) -> None:
    assert expiry_seconds(value) == expected


def _login(setup: Setup, sign: Callable[..., str]) -> str:
    body = json.loads(setup[0].token(token_request(sign(claims(CLIENT, USER)))).body)
    token: str = body["access_token"]
    return token


def test_revoke_post_and_blind_get(setup: Setup, sign: Callable[..., str]) -> None:
    endpoint, _, sessions = setup
    token = _login(setup, sign)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    post = Request("POST", "/services/oauth2/revoke", "", form, f"token={token}".encode())
    assert endpoint.revoke(post).status == 200
    assert sessions.lookup(token) is None
    again = endpoint.revoke(post)
    assert (again.status, json.loads(again.body)["error"]) == (400, "invalid_token")
    other = _login(setup, sign)
    assert (
        endpoint.revoke(Request("GET", "/services/oauth2/revoke", f"token={other}")).status == 200
    )

"""Tests for runner.salesforce.hints: every token error of the wire reference has a hint."""

from __future__ import annotations

import pytest

from runner.salesforce.auth import JwtCredentials, hint_context
from runner.salesforce.hints import hint_for, hint_for_unexpected
from runner.salesforce.keys import ephemeral_key_pair

# (error, error_description, a phrase the hint must contain) — reference §2.5, every row.
TOKEN_ERRORS = [
    (
        "invalid_grant",
        "user hasn't approved this consumer",
        "Admin approved users are pre-authorized",
    ),
    ("invalid_grant", "audience is invalid", "https://test.salesforce.com"),
    ("invalid_grant", "invalid assertion", "Use digital signatures"),
    ("invalid_grant", "expired authorization code", "clock"),
    ("invalid_client_id", "client identifier invalid", "Manage Consumer Details"),
    ("invalid_app_access", "user is not admin approved to access this app", "Manage Profiles"),
    ("OAUTH_APP_ACCESS_DENIED", "", "Manage Profiles"),
    ("invalid_request", "External client app is not installed in this org", "not installed"),
    ("app_not_found", "", "My Domain"),
    ("unsupported_grant_type", "grant type not supported", "grant_type="),
    ("invalid_grant", "inactive user", "Active"),
    ("invalid_grant", "ip restricted", "Relax IP restrictions"),
    ("invalid_grant", "activation secret invalid", "login history"),
    ("invalid_grant", "expired access/refresh token", "another OAuth flow"),
    ("invalid_grant", "authentication failure", "another OAuth flow"),
    ("invalid_client", "invalid client credentials", "no consumer secret"),
    ("invalid_request", "HTTPS required", "HTTPS POST"),
    ("invalid_request", "must use HTTP POST", "HTTPS POST"),
    ("invalid_request", "secret type not supported", "no consumer secret"),
    ("inactive_org", "organization is locked, closed, or suspended", "locked, closed or suspended"),
    ("rate_limit_exceeded", "number of logins exceeded", "too many logins"),
]


@pytest.mark.parametrize(("error", "description", "phrase"), TOKEN_ERRORS)
def test_every_reference_error_has_a_hint(error: str, description: str, phrase: str) -> None:
    hint = hint_for(error, description)
    assert hint is not None
    assert phrase in hint


def test_description_is_matched_case_and_space_insensitively() -> None:
    assert hint_for("invalid_grant", "  Audience Is Invalid ") == hint_for(
        "invalid_grant", "audience is invalid"
    )


def test_unknown_pair_has_no_hint() -> None:
    assert hint_for("invalid_grant", "something new") is None
    assert hint_for("weird", "") is None


def test_hint_names_the_org_settings_but_not_the_whole_consumer_key() -> None:
    client_id = "3MVG9" + "x" * 70 + "WXYZ"
    credentials = JwtCredentials(
        "https://acme--uat.sandbox.my.salesforce.com",
        client_id,
        "api.user@acme.com.uat",
        ephemeral_key_pair().private_key,
    )
    context = hint_context(credentials)
    not_approved = hint_for(
        "invalid_grant", "user hasn't approved this consumer", context=context
    )
    assert not_approved is not None and "api.user@acme.com.uat" in not_approved
    audience = hint_for("invalid_grant", "audience is invalid", context=context)
    assert audience is not None and "aud was https://test.salesforce.com" in audience
    unknown = hint_for("invalid_client_id", "client identifier invalid", context=context)
    assert unknown is not None
    assert "3MVG9xxx…WXYZ" in unknown and client_id not in unknown


@pytest.mark.parametrize(
    ("status", "content_type", "phrase"),
    [(503, "text/html", "web page"), (502, "text/plain", "failing (502)"), (404, "", "login host")],
)
def test_unexpected_answers_have_a_hint(status: int, content_type: str, phrase: str) -> None:
    assert phrase in hint_for_unexpected(status, content_type, "https://login.salesforce.com")

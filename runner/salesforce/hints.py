"""Salesforce token errors → what to fix, in the words of the Setup screens.

Salesforce's token endpoint answers every JWT problem with a terse
``{"error", "error_description"}`` pair ("user hasn't approved this consumer").
Each known pair maps to the Setup change or local fix that cures it; the
description is matched first because several causes share ``invalid_grant``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

APP_POLICIES = "Setup > App Manager > your connected app > Manage > Edit Policies"
APP_SETTINGS = "Setup > App Manager > your connected app > Edit"


@dataclass(frozen=True)
class Context:
    """What the hint may mention about the org being logged in to (auth fills it in)."""

    login_url: str = "the login URL"
    client_id: str = "the consumer key"
    username: str = "the integration user"
    audience: str = "the audience"


def abbreviate(client_id: str) -> str:
    """Consumer keys are long; the first and last characters are enough to recognise one."""
    return client_id if len(client_id) <= 16 else f"{client_id[:8]}…{client_id[-4:]}"


def _not_approved(c: Context) -> str:
    return (
        f"{c.username} has not been given access to the connected app. In {APP_POLICIES}, set "
        "Permitted Users to 'Admin approved users are pre-authorized', then under Profiles "
        f"(Manage Profiles) or Permission Sets add the one assigned to {c.username}. Also check "
        "the app's OAuth scopes include 'Perform requests at any time (refresh_token, "
        "offline_access)', and that the username is right and posted to the org's login host "
        "(GovCloud and some orgs need their My Domain URL as login_url)"
    )


def _audience(c: Context) -> str:
    return (
        f"the assertion's aud was {c.audience}. Use https://test.salesforce.com for a sandbox "
        "and https://login.salesforce.com for production or a Developer Edition org; set "
        "login_url accordingly, or set audience explicitly for an Experience Cloud site"
    )


def _invalid_assertion(c: Context) -> str:
    return (
        "the JWT signature does not verify against the certificate uploaded to the connected "
        f"app. In {APP_SETTINGS}, under 'Use digital signatures', upload the server.crt made "
        "from the same private key this org signs with (sfjwt-run --doctor compares them)"
    )


def _expired(c: Context) -> str:
    return (
        "Salesforce thinks the assertion has already expired: this machine's clock is off. "
        "Sync it (NTP) and check its time zone; sfjwt-run --doctor measures the skew"
    )


def _client_id(c: Context) -> str:
    return (
        f"the consumer key {c.client_id} is not known at {c.login_url}. Copy it again from "
        "Setup > App Manager > your connected app > View > Manage Consumer Details, and check "
        "login_url: a sandbox logs in at https://test.salesforce.com, production at "
        "https://login.salesforce.com. A newly created app can take a few minutes to be usable"
    )


def _admin_approved(c: Context) -> str:
    return (
        f"the app admits only admin-approved users and {c.username} is not one. In "
        f"{APP_POLICIES} > Manage Profiles (or Manage Permission Sets), add the profile or "
        f"permission set assigned to {c.username} (the tutorial's 'Service API User')"
    )


def _eca_not_installed(c: Context) -> str:
    return (
        "the external client app is not installed in this org (common in new sandboxes and "
        "scratch orgs). Install or deploy it in the target org, or use a connected app there"
    )


def _app_not_found(c: Context) -> str:
    return (
        f"the app was not found for aud {c.audience}. For an external client app try the org's "
        "My Domain URL as login_url (and audience), and check the app exists in this org"
    )


def _grant_type(c: Context) -> str:
    return (
        "the request was not read as a JWT bearer grant: the body must be form-encoded with "
        "grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer. A proxy rewriting the request, "
        f"or a login_url ({c.login_url}) that is not a Salesforce login host, can cause this"
    )


def _inactive_user(c: Context) -> str:
    return f"{c.username} is deactivated. In Setup > Users, edit the user and check Active"


def _ip_restricted(c: Context) -> str:
    return (
        f"this machine's IP address is not allowed to log in as {c.username}. Add it to the "
        "profile's Login IP Ranges, or in "
        f"{APP_POLICIES} set IP Relaxation to 'Relax IP restrictions'"
    )


def _activation(c: Context) -> str:
    return (
        "Salesforce rejected the login for a device-activation reason it does not explain; "
        f"check {c.username}'s login history in Setup > Users for the detailed status"
    )


def _refresh_flow(c: Context) -> str:
    return (
        "this error belongs to another OAuth flow (refresh token or password), not to the JWT "
        "bearer flow: check that login_url points at the org's login host and not at a proxy"
    )


def _secret(c: Context) -> str:
    return (
        "the JWT bearer flow uses no consumer secret; this error comes from another flow. "
        f"Check that {c.login_url} is a Salesforce login host"
    )


def _https(c: Context) -> str:
    return f"the token request must be an HTTPS POST; check login_url ({c.login_url})"


def _inactive_org(c: Context) -> str:
    return (
        "the org is locked, closed or suspended (an expired trial or sandbox?). Log in to it in "
        "a browser to see why, or point login_url at a live org"
    )


def _rate_limited(c: Context) -> str:
    return (
        "too many logins in a short time: Salesforce limits logins per user per hour. Wait, and "
        "run fewer parallel logins as this user (sfjwt-run logs in once per org per run)"
    )


_Hint = Callable[[Context], str]

BY_DESCRIPTION: dict[str, _Hint] = {
    "user hasn't approved this consumer": _not_approved,
    "audience is invalid": _audience,
    "invalid assertion": _invalid_assertion,
    "expired authorization code": _expired,
    "client identifier invalid": _client_id,
    "user is not admin approved to access this app": _admin_approved,
    "external client app is not installed in this org": _eca_not_installed,
    "grant type not supported": _grant_type,
    "inactive user": _inactive_user,
    "ip restricted": _ip_restricted,
    "activation secret invalid": _activation,
    "expired access/refresh token": _refresh_flow,
    "authentication failure": _refresh_flow,
    "invalid client credentials": _secret,
    "secret type not supported": _secret,
    "https required": _https,
    "must use http post": _https,
    "organization is locked, closed, or suspended": _inactive_org,
    "number of logins exceeded": _rate_limited,
}

BY_ERROR: dict[str, _Hint] = {
    "invalid_client_id": _client_id,
    "invalid_app_access": _admin_approved,
    "oauth_app_access_denied": _admin_approved,
    "app_not_found": _app_not_found,
    "unsupported_grant_type": _grant_type,
    "invalid_client": _secret,
    "inactive_org": _inactive_org,
    "rate_limit_exceeded": _rate_limited,
}


def hint_for(error: str, description: str, *, context: Context | None = None) -> str | None:
    """What to fix for a token error; None for a pair Salesforce is not known to send."""
    hint = BY_DESCRIPTION.get(description.strip().lower()) or BY_ERROR.get(error.strip().lower())
    return hint(context or Context()) if hint else None


def hint_for_unexpected(status: int, content_type: str, login_url: str) -> str:
    """A token endpoint that answered with something other than Salesforce's JSON."""
    if "html" in content_type:
        return (
            f"{login_url} answered with a web page, not Salesforce's token API: check login_url "
            "(https://login.salesforce.com, https://test.salesforce.com or the org's My Domain "
            "URL), or wait if Salesforce is in maintenance"
        )
    if status >= 500:
        return f"{login_url} is failing ({status}); try again later, or check trust.salesforce.com"
    return f"check that login_url ({login_url}) is a Salesforce login host"

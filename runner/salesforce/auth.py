"""The OAuth 2.0 JWT bearer flow: claims, RS256 signing, and the token exchange.

One function per stage, so the doctor can show the claims it would send and
tests can sign with a fixed clock.  The token exchange never retries by itself:
a 4xx from the token endpoint is a configuration problem (or a login rate
limit) that repeating only makes worse; the caller decides about 5xx.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from runner import secrets
from runner.errors import AuthenticationError
from runner.salesforce import hints
from runner.salesforce.cooperative import compute
from runner.salesforce.retry import transport_error
from runner.salesforce.transfer import Bounds, exchange

PRODUCTION_AUDIENCE = "https://login.salesforce.com"
SANDBOX_AUDIENCE = "https://test.salesforce.com"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_PATH = "/services/oauth2/token"
ASSERTION_LIFETIME = 180
"""Seconds: Salesforce wants ``exp`` within 3 minutes."""
EXCERPT = 300


@dataclass(frozen=True)
class JwtCredentials:
    """Everything needed to sign an assertion for one org."""

    login_url: str
    client_id: str
    username: str
    private_key: rsa.RSAPrivateKey = field(repr=False)
    audience: str | None = None

    @property
    def token_url(self) -> str:
        return self.login_url.rstrip("/") + TOKEN_PATH


@dataclass(frozen=True)
class Token:
    """A token response; ``repr`` and ``str`` never show the access token."""

    access_token: str = field(repr=False)
    instance_url: str
    id_url: str
    scope: str
    org_id: str
    user_id: str
    token_type: str = "Bearer"


def _is_sandbox_host(host: str) -> bool:
    return host == "test.salesforce.com" or host.endswith(".sandbox.my.salesforce.com")


def audience_for(login_url: str, override: str | None = None) -> str:
    """The ``aud`` claim: the override, else the sandbox or production login URL."""
    if override:
        return override
    host = (urlsplit(login_url).hostname or "").lower()
    return SANDBOX_AUDIENCE if _is_sandbox_host(host) else PRODUCTION_AUDIENCE


def audience_reason(login_url: str, override: str | None = None) -> str:
    """Why :func:`audience_for` chose what it chose, for the doctor."""
    if override:
        return "set explicitly with audience"
    host = (urlsplit(login_url).hostname or "").lower()
    if _is_sandbox_host(host):
        return f"{host} is a sandbox login host"
    return f"{host or login_url} is not a sandbox host, so the production audience applies"


def hint_context(credentials: JwtCredentials) -> hints.Context:
    """What a hint may say about this org: login URL, consumer key (abbreviated), user, aud."""
    return hints.Context(
        login_url=credentials.login_url,
        client_id=hints.abbreviate(credentials.client_id),
        username=credentials.username,
        audience=audience_for(credentials.login_url, credentials.audience),
    )


def claims_for(credentials: JwtCredentials, now: float | None = None) -> dict[str, Any]:
    """The assertion's claims: iss = consumer key, sub = username, aud, exp within 3 minutes."""
    issued = int(time.time() if now is None else now)
    return {
        "iss": credentials.client_id,
        "sub": credentials.username,
        "aud": audience_for(credentials.login_url, credentials.audience),
        "exp": issued + ASSERTION_LIFETIME,
    }


def build_assertion(credentials: JwtCredentials, now: float | None = None) -> str:
    """Sign the claims with RS256; the result is registered as a secret before it is returned."""
    assertion = jwt.encode(claims_for(credentials, now), credentials.private_key, algorithm="RS256")
    secrets.register(assertion)
    return assertion


def request_token(
    session: requests.Session,
    credentials: JwtCredentials,
    *,
    timeout: float | tuple[float, float],
    verify: bool | str = True,
    bounds: Bounds | None = None,
) -> Token:
    """Exchange a fresh assertion for an access token; one POST, no retries."""
    url = credentials.token_url
    form = {"grant_type": GRANT_TYPE, "assertion": compute(build_assertion, credentials)}
    try:
        response = exchange(
            session, "POST", url, timeout=timeout, bounds=bounds or Bounds(), data=form,
            verify=verify, allow_redirects=False,
        )
    except requests.RequestException as exc:
        raise transport_error(exc, "POST", url, timeout) from None
    return parse_token_response(response, credentials)


def parse_token_response(response: requests.Response, credentials: JwtCredentials) -> Token:
    """A Token from a 200, or an AuthenticationError in Salesforce's words with a hint."""
    body = _json_object(response)
    if body is None:
        raise _unexpected(response, credentials)
    if response.status_code != 200 or "error" in body:
        error = str(body.get("error") or f"HTTP {response.status_code}")
        description = str(body.get("error_description") or "")
        raise AuthenticationError(
            error,
            secrets.redact(description),
            status=response.status_code,
            hint=hints.hint_for(error, description, context=hint_context(credentials)),
        )
    return _token_from(body, response)


def _json_object(response: requests.Response) -> dict[str, Any] | None:
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _unexpected(response: requests.Response, credentials: JwtCredentials) -> AuthenticationError:
    content_type = response.headers.get("Content-Type", "")
    text = response.content[: EXCERPT + 16_384].decode("utf-8", "replace")
    excerpt = " ".join(secrets.redact_head(text, EXCERPT).split())
    what = content_type.split(";")[0] or "no content type"
    return AuthenticationError(
        f"HTTP {response.status_code}",
        f"the token endpoint answered with {what}, not a JSON object: {excerpt}",
        status=response.status_code,
        hint=hints.hint_for_unexpected(response.status_code, content_type, credentials.login_url),
    )


def _token_from(body: dict[str, Any], response: requests.Response) -> Token:
    access_token, instance_url = body.get("access_token"), body.get("instance_url")
    secrets.register(access_token if isinstance(access_token, str) else None)
    if not isinstance(access_token, str) or not isinstance(instance_url, str):
        missing = [name for name in ("access_token", "instance_url") if name not in body]
        raise AuthenticationError(
            "invalid_response",
            f"the token response lacks {', '.join(missing) or 'a usable access_token'}",
            status=response.status_code,
        )
    id_url = str(body.get("id", ""))
    parts = [part for part in urlsplit(id_url).path.split("/") if part]
    org_id, user_id = (parts[-2], parts[-1]) if len(parts) >= 3 and parts[-3] == "id" else ("", "")
    return Token(
        access_token=access_token,
        instance_url=instance_url.rstrip("/"),
        id_url=id_url,
        scope=str(body.get("scope", "")),
        org_id=org_id,
        user_id=user_id,
        token_type=str(body.get("token_type", "Bearer")),
    )

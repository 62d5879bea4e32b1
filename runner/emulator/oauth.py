"""The token endpoint: the JWT bearer grant, checked as Salesforce checks it.

The checks run in the order of the wire reference §2.6, each with Salesforce's
own status, ``error`` and ``error_description``: request shape, grant type,
assertion shape, consumer key, RS256 signature against the app's certificate,
audience, expiry, then the user (known, approved, active).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from runner.emulator.config import AppConfig
from runner.emulator.directory import Directory, OrgState, UserRecord
from runner.emulator.messages import Request, Response, oauth_error
from runner.emulator.sessions import SessionStore

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
FORM_TYPE = "application/x-www-form-urlencoded"
AUDIENCES = {"production": "https://login.salesforce.com", "sandbox": "https://test.salesforce.com"}
_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
_NUMBER = re.compile(r"\d+(\.\d+)?")


class TokenRefusal(Exception):
    """One failed check: becomes a 400 ``{"error", "error_description"}``."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description


def _invalid_assertion() -> TokenRefusal:
    return TokenRefusal("invalid_grant", "invalid assertion")


@dataclass(frozen=True)
class Assertion:
    """A JWT split into its parts, not yet trusted."""

    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes

    @property
    def subject(self) -> str:
        """``prn`` wins over ``sub`` when both are present (Salesforce's legacy rule)."""
        value = self.claims.get("prn", self.claims.get("sub"))
        return value if isinstance(value, str) else ""


def _b64decode(segment: str) -> bytes:
    if not _SEGMENT.fullmatch(segment):
        raise _invalid_assertion()
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise _invalid_assertion() from None


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _invalid_assertion() from None
    if not isinstance(value, dict):
        raise _invalid_assertion()
    return value


def parse_assertion(token: str) -> Assertion:
    """Split a compact JWT; anything but three base64url JSON parts is ``invalid assertion``."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise _invalid_assertion()
    header = _json_object(_b64decode(parts[0]))
    claims = _json_object(_b64decode(parts[1]))
    signature = _b64decode(parts[2]) if parts[2] else b""
    return Assertion(header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)


def signature_matches(assertion: Assertion, apps: list[AppConfig]) -> bool:
    """RS256 only: ``none``, HS256 and every other ``alg`` never verify."""
    if assertion.header.get("alg") != "RS256" or not assertion.signature:
        return False
    for app in apps:
        for key in app.public_keys:
            try:
                key.verify(
                    assertion.signature,
                    assertion.signing_input,
                    padding.PKCS1v15(),
                    hashes.SHA256(),
                )
                return True
            except InvalidSignature:
                continue
    return False


def expiry_seconds(value: Any) -> float | None:
    """``exp`` as a number or numeric string; None when absent or not numeric.

    Values are read as seconds, so the millisecond ``exp`` the Salesforce CLI
    sends is simply far in the future and accepted, as Salesforce accepts it.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        return float(value.strip())
    return None


def audience_ok(aud: Any, org_types: set[str], own_urls: set[str]) -> bool:
    """Login host for production, test host for sandbox, or this server's URL (± ``/``)."""
    accepted = {AUDIENCES[t] for t in org_types}
    for url in own_urls:
        accepted |= {url.rstrip("/"), url.rstrip("/") + "/"}
    values = aud if isinstance(aud, list) else [aud]
    return any(isinstance(v, str) and v in accepted for v in values)


def _params(request: Request) -> dict[str, str]:
    """Form body parameters, over query-string ones (both are accepted)."""
    if request.method != "POST":
        raise TokenRefusal("invalid_request", "must use HTTP POST")
    params = request.params()
    if request.body:
        content_type = request.header("Content-Type").split(";")[0].strip().lower()
        if content_type != FORM_TYPE:
            raise TokenRefusal("invalid_request", "invalid content type")
        form = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
        params.update({k: v[-1] for k, v in form.items()})
    return params


class TokenEndpoint:
    """``/services/oauth2/token``: the JWT bearer grant."""

    def __init__(
        self,
        directory: Directory,
        sessions: SessionStore,
        base_url: Callable[[], str],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._directory = directory
        self._sessions = sessions
        self._base_url = base_url
        self._clock = clock

    def token(self, request: Request) -> Response:
        """Exchange a JWT assertion for an access token, or refuse as Salesforce does."""
        try:
            org, user, app = self._verify(request)
        except TokenRefusal as refusal:
            return oauth_error(refusal.error, refusal.description)
        token = self._sessions.issue(
            org_id=org.org_id,
            user_id=user.user_id,
            username=user.username,
            client_id=app.client_id,
            timeout_s=org.config.session_timeout_s,
        )
        base = self._base_url()
        body = {
            "access_token": token,
            "scope": " ".join(app.scopes),
            "instance_url": base,
            "id": f"{base}/id/{org.org_id}/{user.user_id}",
            "token_type": "Bearer",
        }
        return Response.json(200, body, {"Cache-Control": "no-cache,no-store"})

    def revoke(self, request: Request) -> Response:
        """``/services/oauth2/revoke``: POST ``token=`` (form) or a blind GET ``?token=``."""
        token = request.params().get("token")
        if request.method == "POST" and request.body:
            form = parse_qs(request.body.decode("utf-8", "replace"))
            token = form.get("token", [token or ""])[-1]
        if token and self._sessions.revoke(token):
            return Response.empty(200)
        return oauth_error("invalid_token", "invalid token")

    def _verify(self, request: Request) -> tuple[OrgState, UserRecord, AppConfig]:
        params = _params(request)
        if params.get("grant_type") != JWT_GRANT:
            raise TokenRefusal("unsupported_grant_type", "grant type not supported")
        assertion = parse_assertion(params.get("assertion", ""))
        iss = assertion.claims.get("iss")
        candidates = self._directory.apps(iss) if isinstance(iss, str) else []
        if not candidates:
            raise TokenRefusal("invalid_client_id", "client identifier invalid")
        found = self._directory.user(assertion.subject) if assertion.subject else None
        if found is not None and any(o is found[0] for o, _ in candidates):
            candidates = [(o, a) for o, a in candidates if o is found[0]]
        if not signature_matches(assertion, [a for _, a in candidates]):
            raise _invalid_assertion()
        own = {self._base_url(), _request_origin(request, self._base_url())}
        if not audience_ok(
            assertion.claims.get("aud"), {o.config.type for o, _ in candidates}, own
        ):
            raise TokenRefusal("invalid_grant", "audience is invalid")
        self._check_expiry(assertion)
        return self._check_user(found, candidates)

    def _check_expiry(self, assertion: Assertion) -> None:
        exp = expiry_seconds(assertion.claims.get("exp"))
        if exp is None:
            raise _invalid_assertion()
        if exp <= self._clock():
            raise TokenRefusal("invalid_grant", "expired authorization code")

    def _check_user(
        self,
        found: tuple[OrgState, UserRecord] | None,
        candidates: list[tuple[OrgState, AppConfig]],
    ) -> tuple[OrgState, UserRecord, AppConfig]:
        not_approved = TokenRefusal("invalid_grant", "user hasn't approved this consumer")
        if found is None:
            raise not_approved
        org, user = found
        apps = [a for o, a in candidates if o is org]
        if not apps:
            raise not_approved
        app = apps[0]
        if not org.is_pre_authorized(app, user):
            if app.permitted_users == "admin_approved":
                raise TokenRefusal(
                    "invalid_app_access", "user is not admin approved to access this app"
                )
            raise not_approved
        if not user.active:
            raise TokenRefusal("invalid_grant", "inactive user")
        return org, user, app


def _request_origin(request: Request, base_url: str) -> str:
    """This server's URL as the client addressed it (``localhost`` vs ``127.0.0.1``)."""
    host = request.header("Host")
    scheme = base_url.split("://", 1)[0]
    return f"{scheme}://{host}" if host else base_url

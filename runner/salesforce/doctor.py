"""Diagnose one org's JWT login, step by step, without writing anything.

The seed tutorial's users lose their first hour to Setup mistakes and terse
errors.  The doctor checks what can be checked locally first (key and
certificate, expiry, file permissions, the audience and the claims), then the
network (reachability and clock skew from the server's ``Date`` header), and
only then spends one token exchange — turning a refusal into cause and fix.
Findings are data; the CLI prints them.
"""

from __future__ import annotations

import enum
import json
import os
import stat
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import jwt
import requests

from runner.errors import AuthenticationError, SfjwtError
from runner.salesforce.auth import (
    JwtCredentials,
    audience_for,
    audience_reason,
    build_assertion,
    request_token,
)
from runner.salesforce.keys import KeyPair, load_key_pair
from runner.salesforce.retry import transport_error
from runner.salesforce.urls import check_url_allowed

MAX_SKEW = 60.0
"""Seconds of clock difference above which a warning is given (the assertion lives 180 s)."""


class Status(str, enum.Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Finding:
    """One check's result: what was checked, how it went, why, and what to do about it."""

    check: str
    status: Status
    detail: str
    fix: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


def check_key_and_certificate(pair: KeyPair) -> Finding:
    """A certificate of another key is the classic cause of 'invalid assertion'."""
    if pair.certificate is None:
        return Finding(
            "key matches certificate",
            Status.WARN,
            "no certificate configured, nothing to compare",
            fix="name the certificate uploaded to the connected app so it can be checked",
        )
    if pair.matches_certificate():
        return Finding("key matches certificate", Status.OK, "same public key")
    return Finding(
        "key matches certificate",
        Status.FAIL,
        f"{pair.certificate_path or 'the certificate'} holds a different public key than "
        f"{pair.private_key_path or 'the private key'}: Salesforce would say 'invalid assertion'",
        fix="upload the certificate made from this key (or use the key the certificate came from)",
    )


def check_expiry(pair: KeyPair, min_days_left: int, now: float) -> Finding:
    """Days left on the certificate uploaded to the connected app."""
    days = pair.days_left(datetime.fromtimestamp(now, timezone.utc))
    if days is None:
        return Finding("certificate expiry", Status.WARN, "no certificate to check")
    renew = "make a new certificate and upload it to the connected app (Use digital signatures)"
    if days < 0:
        return Finding("certificate expiry", Status.FAIL, f"expired {-days} days ago", fix=renew)
    if days < min_days_left:
        return Finding(
            "certificate expiry", Status.WARN, f"{days} days left (< {min_days_left})", fix=renew
        )
    return Finding("certificate expiry", Status.OK, f"{days} days left", data={"days_left": days})


def check_permissions(pair: KeyPair) -> Finding:
    """The key file must be private to its owner, as ssh requires."""
    path = pair.private_key_path
    if path is None:
        return Finding("key file permissions", Status.OK, "key held in memory only")
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError as exc:
        return Finding("key file permissions", Status.FAIL, f"cannot stat {path}: {exc.strerror}")
    if os.name == "posix" and mode & 0o077:
        return Finding(
            "key file permissions",
            Status.FAIL,
            f"{path} is {mode:04o}: readable by others",
            fix=f"chmod 600 {path}",
        )
    return Finding("key file permissions", Status.OK, f"{path} is {mode:04o}")


def check_audience(credentials: JwtCredentials) -> Finding:
    """The aud that will be sent and why: a wrong one is 'audience is invalid'."""
    audience = audience_for(credentials.login_url, credentials.audience)
    reason = audience_reason(credentials.login_url, credentials.audience)
    return Finding("audience", Status.OK, f"{audience} ({reason})", data={"aud": audience})


def check_claims(credentials: JwtCredentials, now: float) -> Finding:
    """The header and claims of the assertion that will be sent — never its signature."""
    assertion = build_assertion(credentials, now)
    header = jwt.get_unverified_header(assertion)
    claims = jwt.decode(assertion, options={"verify_signature": False})
    detail = json.dumps({"header": header, "claims": claims}, sort_keys=True)
    return Finding("JWT claims", Status.OK, detail, data={"header": header, "claims": claims})


def check_reachable(
    session: requests.Session,
    credentials: JwtCredentials,
    *,
    verify: bool | str,
    timeout: float | tuple[float, float],
    insecure_http: bool,
    now: Callable[[], float],
) -> tuple[Finding, Finding | None]:
    """Reachability of the login URL, and the clock skew read from its ``Date`` header."""
    url = credentials.login_url
    try:
        check_url_allowed(url, insecure_http=insecure_http)
        response = session.get(url, timeout=timeout, verify=verify, allow_redirects=False)
    except SfjwtError as exc:
        return Finding("login URL reachable", Status.FAIL, exc.message, fix=exc.hint), None
    except requests.RequestException as exc:
        error = transport_error(exc, "GET", url, timeout)
        return Finding("login URL reachable", Status.FAIL, error.message, fix=error.hint), None
    local = now()
    reached = Finding("login URL reachable", Status.OK, f"{url} answered {response.status_code}")
    return reached, clock_skew(response.headers.get("Date"), local)


def clock_skew(date_header: str | None, local: float) -> Finding:
    """Compare this machine's clock with the server's; the assertion only lives 3 minutes."""
    if not date_header:
        return Finding("clock skew", Status.WARN, "the server sent no Date header to compare with")
    try:
        server = parsedate_to_datetime(date_header).timestamp()
    except (TypeError, ValueError):
        return Finding("clock skew", Status.WARN, f"unreadable Date header {date_header!r}")
    skew = local - server
    direction = "ahead of" if skew > 0 else "behind"
    detail = f"this machine is {abs(skew):.0f} s {direction} the server"
    if abs(skew) < 2:  # a Date header only has whole seconds
        detail = "this machine is in step with the server (±1 s)"
    data = {"skew_seconds": round(skew, 1)}
    if abs(skew) > MAX_SKEW:
        fix = "synchronise this machine's clock (NTP); a skew over 180 s makes Salesforce answer "
        fix += "'expired authorization code'"
        return Finding("clock skew", Status.WARN, detail, fix=fix, data=data)
    return Finding("clock skew", Status.OK, detail, data=data)


def check_token(
    session: requests.Session,
    credentials: JwtCredentials,
    *,
    verify: bool | str,
    timeout: float | tuple[float, float],
) -> Finding:
    """One real token exchange; a refusal becomes Salesforce's words plus the Setup fix."""
    try:
        token = request_token(session, credentials, timeout=timeout, verify=verify)
    except AuthenticationError as exc:
        data = {"error": exc.error, "error_description": exc.description, "status": exc.status}
        detail = f"Salesforce refused the assertion: {exc.message}"
        return Finding("token exchange", Status.FAIL, detail, fix=exc.hint, data=data)
    except SfjwtError as exc:
        return Finding("token exchange", Status.FAIL, exc.message, fix=exc.hint)
    detail = f"token issued; instance {token.instance_url}, scope '{token.scope}'"
    data = {"instance_url": token.instance_url, "org_id": token.org_id, "user_id": token.user_id}
    return Finding("token exchange", Status.OK, detail, data=data)


def diagnose(
    credentials: JwtCredentials,
    key_pair: KeyPair,
    session: requests.Session,
    *,
    verify: bool | str = True,
    timeout: float | tuple[float, float] = (10.0, 30.0),
    insecure_http: bool = False,
    min_days_left: int = 30,
    clock: Callable[[], float] = time.time,
) -> list[Finding]:
    """Every check for one org, in order; the token exchange only if the login URL answered."""
    findings = [
        check_key_and_certificate(key_pair),
        check_expiry(key_pair, min_days_left, clock()),
        check_permissions(key_pair),
    ]
    reached, skew = check_reachable(
        session,
        credentials,
        verify=verify,
        timeout=timeout,
        insecure_http=insecure_http,
        now=clock,
    )
    findings += [reached, *([skew] if skew else [])]
    findings += [check_audience(credentials), check_claims(credentials, clock())]
    if reached.status is Status.FAIL:
        skipped = "not attempted: the login URL did not answer"
        findings.append(Finding("token exchange", Status.FAIL, skipped, fix=reached.fix))
    else:
        findings.append(check_token(session, credentials, verify=verify, timeout=timeout))
    return findings


def load_for_diagnosis(
    private_key: Path,
    certificate: Path | None,
    passphrase: bytes | None = None,
    *,
    passphrase_env: str | None = None,
) -> tuple[KeyPair | None, list[Finding]]:
    """Load a key even when its mode is too open (diagnose reports that); failures as findings."""
    try:
        pair = load_key_pair(
            private_key, certificate, passphrase, passphrase_env=passphrase_env, check_mode=False
        )
    except SfjwtError as exc:
        return None, [Finding("key loads", Status.FAIL, exc.message, fix=exc.hint)]
    return pair, [Finding("key loads", Status.OK, f"RSA {pair.private_key.key_size} bits")]


def worst(findings: list[Finding]) -> Status:
    """The overall verdict: fail beats warn beats ok."""
    statuses = {finding.status for finding in findings}
    for status in (Status.FAIL, Status.WARN):
        if status in statuses:
            return status
    return Status.OK

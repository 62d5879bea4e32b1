"""Which URLs a token may travel to: https, plain http only on loopback, and which hosts.

Kept apart from the client so the doctor and the CLI can check a login URL
before anything is sent, and so origin comparison (which decides whether a
request carries the bearer token) has one definition. The ``instance_url`` a
login returns receives the access token, so it must be a host of Salesforce's
own domains, in the login host's registrable domain (the Public Suffix List
decides what that is), loopback when the login was, or a host the org lists in
``instance_hosts``.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

from runner import secrets
from runner.errors import TransportError

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
SALESFORCE_DOMAINS = (
    "salesforce.com", "force.com", "cloudforce.com", "salesforce-sites.com", "site.com",
    "database.com", "visualforce.com", "salesforceliveagent.com", "salesforce.mil",
    "sfcrmapps.cn", "sfcrmproducts.cn",
)
"""Domains whose hosts Salesforce runs: My Domain, Lightning, Experience Cloud, GovCloud."""


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url_allowed(url: str, *, insecure_http: bool = False) -> None:
    """https always; plain http only to loopback, or anywhere with ``insecure_http``."""
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), parts.hostname or ""
    except ValueError:
        raise TransportError(f"not a valid URL: {secrets.redact(url)!r}") from None
    if scheme == "https" and host:
        return
    if scheme == "http" and host and (insecure_http or _is_loopback(host)):
        return
    if scheme == "http" and host:
        raise TransportError(
            f"refusing plain http to {host}: tokens would travel unencrypted",
            hint="use https, or set insecure_http: true on the org if you really mean it",
        )
    raise TransportError(f"not an http(s) URL: {secrets.redact(url)!r}")


_DEFAULT_PORTS = {"https": 443, "http": 80}


def origin(url: str) -> str:
    """scheme://host:port, normalised, so ``:443`` or capitals do not lose (or leak) the token."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        port = None
    host = (parts.hostname or "").rstrip(".")
    return f"{scheme}://{host}:{port}"


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def _within(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


@functools.lru_cache(maxsize=1)
def _suffixes() -> Any:
    return PublicSuffixList()  # about 0.1 s to load: only when a login host needs it


def _registrable(host: str) -> str:
    """``login.example.co.uk`` → ``example.co.uk``; an IP address or a lone name is itself."""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    return str(_suffixes().privatesuffix(host) or host)


def _listed(host: str, patterns: Sequence[str]) -> bool:
    for pattern in (p.lower().rstrip(".") for p in patterns):
        if host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:])):
            return True
    return False


def check_instance_allowed(
    instance_url: str, login_url: str, instance_hosts: Sequence[str] = ()
) -> None:
    """Refuse an ``instance_url`` outside the hosts the access token may be sent to."""
    host, login_host = _host(instance_url), _host(login_url)
    if any(_within(host, domain) for domain in SALESFORCE_DOMAINS):
        return
    if _is_loopback(login_host) and _is_loopback(host):
        return
    domain = _registrable(login_host) if login_host else ""
    if (domain and _within(host, domain)) or _listed(host, instance_hosts):
        return
    where = f"the login host's domain ({domain})" if domain else "the login host's domain"
    raise TransportError(
        f"the login answered with instance_url {secrets.redact(instance_url)!r}; {host or '?'} "
        f"is not a Salesforce host, not in {where} and not in instance_hosts, so the access "
        "token is not sent there",
        hint=f"if {host} really serves this org, add it to the org's instance_hosts",
    )

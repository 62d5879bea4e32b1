"""Which URLs a token may travel to: https anywhere, plain http only on loopback.

Kept apart from the client so the doctor and the CLI can check a login URL
before anything is sent, and so origin comparison (which decides whether a
request carries the bearer token) has one definition.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from runner import secrets
from runner.errors import TransportError

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


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

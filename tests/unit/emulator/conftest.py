"""Shared fixtures for the emulator's unit tests: key pairs, certificates and signed assertions."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from runner.emulator.messages import Request

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def make_key_and_cert() -> tuple[str, str]:
    """A fresh RSA private key (PEM) and its self-signed certificate (PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sfjwt-test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()


@pytest.fixture(scope="session")
def key_pair() -> tuple[str, str]:
    """(private key PEM, certificate PEM) shared by the session's tests."""
    return make_key_and_cert()


@pytest.fixture(scope="session")
def other_key_pair() -> tuple[str, str]:
    """A second, unrelated key pair (the 'wrong key')."""
    return make_key_and_cert()


@pytest.fixture
def sign(key_pair: tuple[str, str]) -> Callable[..., str]:
    """Sign claims with the shared key (RS256 unless told otherwise)."""

    def _sign(claims: dict[str, Any], key: str | None = None, **kw: Any) -> str:
        return jwt.encode(claims, key or key_pair[0], algorithm=kw.pop("algorithm", "RS256"), **kw)

    return _sign


def claims(
    client_id: str, username: str, aud: str = "https://login.salesforce.com", **kw: Any
) -> dict[str, Any]:
    """Claims as a well-behaved client builds them."""
    return {"iss": client_id, "sub": username, "aud": aud, "exp": int(time.time()) + 180, **kw}


def token_request(assertion: str, grant_type: str = JWT_GRANT, **kw: Any) -> Request:
    """A form-encoded POST to the token endpoint."""
    body = urlencode({"grant_type": grant_type, "assertion": assertion}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Host": "127.0.0.1:9"}
    return Request(kw.get("method", "POST"), "/services/oauth2/token", "", headers, body)

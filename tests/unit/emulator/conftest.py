"""Shared fixtures for the emulator's unit tests: key pairs, certificates and signed assertions."""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from runner.emulator import EmulatedOrg, Emulator
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


V = "/services/data/v60.0"


class Client:
    """Calls Emulator.handle as one logged-in user."""

    def __init__(self, emu: Emulator, org: EmulatedOrg, key: str) -> None:
        self.emu = emu
        assertion = jwt.encode(claims(org.client_id, org.username), key, algorithm="RS256")
        response = emu.handle(token_request(assertion))
        assert response.status == 200, response.body
        self.token: str = json.loads(response.body)["access_token"]

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        sent = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        response = self.emu.handle(Request(method, path, urlencode(params or {}), sent, data))
        payload = json.loads(response.body) if response.body else None
        return response.status, response.headers, payload


@pytest.fixture
def emu(key_pair: tuple[str, str]) -> Iterator[Emulator]:
    emulator = Emulator(port=9)
    emulator.add_org({"name": "acme", "certificate_pem": key_pair[1], "random_seed": 1})
    yield emulator
    emulator.close()


@pytest.fixture
def client(emu: Emulator, key_pair: tuple[str, str]) -> Client:
    return Client(emu, emu.orgs[0], key_pair[0])


def error_code(status_body: tuple[int, dict[str, str], Any]) -> tuple[int, str]:
    status, _, body = status_body
    assert isinstance(body, list) and set(body[0]) >= {"message", "errorCode"}
    return status, body[0]["errorCode"]


def create_account(client: Client, fields: dict[str, Any]) -> str:
    status, _, body = client.call("POST", f"{V}/sobjects/Account", fields)
    assert status == 201 and body["success"] is True and body["errors"] == []
    record_id: str = body["id"]
    return record_id

"""RSA private keys and self-signed X.509 certificates for the JWT bearer flow.

Everything is done with ``cryptography`` (no openssl subprocess), so key
generation behaves the same on every machine.  A private key is written with
mode 0600 from the start (never chmod'ed after a window of wider access), and a
key that group or others can read is refused like ssh refuses it.  Every PEM
text and passphrase read here is registered as a secret before anything else
can see it.
"""

from __future__ import annotations

import os
import secrets as pysecrets
import stat
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from runner import secrets
from runner.errors import KeyMaterialError
from runner.localfiles import FileRefused, read_bounded

GENERATE_MODES = ("if_missing", "never")
MIN_BITS = 2048
MAX_FILE_BYTES = 1 << 20
"""A PEM key or certificate is a few KB; anything past 1 MB is not one."""
DEFAULT_SUBJECT: Mapping[str, str] = {"CN": "sfjwt-run"}
_NAME_OIDS = {
    "CN": NameOID.COMMON_NAME,
    "O": NameOID.ORGANIZATION_NAME,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "C": NameOID.COUNTRY_NAME,
    "ST": NameOID.STATE_OR_PROVINCE_NAME,
    "L": NameOID.LOCALITY_NAME,
    "emailAddress": NameOID.EMAIL_ADDRESS,
}


@dataclass(frozen=True)
class KeyPair:
    """A private key and, usually, the certificate uploaded to the connected app."""

    private_key: rsa.RSAPrivateKey
    certificate: x509.Certificate | None
    private_key_path: Path | None = None
    certificate_path: Path | None = None

    def __repr__(self) -> str:
        return (
            f"KeyPair(private_key_path={self.private_key_path!r}, "
            f"certificate_path={self.certificate_path!r})"
        )

    def certificate_pem(self) -> str:
        """The certificate as PEM; a key without one gets a self-signed one made in memory."""
        certificate = self.certificate or self_signed_certificate(self.private_key)
        return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

    def days_left(self, now: datetime | None = None) -> int | None:
        """Whole days until the certificate expires (negative once expired); None without one."""
        if self.certificate is None:
            return None
        moment = now or datetime.now(timezone.utc)
        return (self.certificate.not_valid_after_utc - moment).days

    def matches_certificate(self) -> bool:
        """True when the certificate holds this key's public key (False without a certificate)."""
        if self.certificate is None:
            return False
        info = serialization.PublicFormat.SubjectPublicKeyInfo
        der = serialization.Encoding.DER
        return bool(
            self.certificate.public_key().public_bytes(der, info)
            == self.private_key.public_key().public_bytes(der, info)
        )


def _subject_name(subject: Mapping[str, str] | None) -> x509.Name:
    attributes = []
    for name, value in (subject or DEFAULT_SUBJECT).items():
        if name not in _NAME_OIDS:
            known = ", ".join(_NAME_OIDS)
            raise KeyMaterialError(f"unknown certificate subject field {name!r} (use {known})")
        attributes.append(x509.NameAttribute(_NAME_OIDS[name], str(value)))
    return x509.Name(attributes)


def self_signed_certificate(
    private_key: rsa.RSAPrivateKey, *, days: int = 365, subject: Mapping[str, str] | None = None
) -> x509.Certificate:
    """A SHA-256 self-signed certificate, like ``openssl x509 -req -sha256 -signkey``."""
    name = _subject_name(subject)
    now = datetime.now(timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(private_key, hashes.SHA256())
    )


def write_file(path: Path, data: bytes, mode: int) -> None:
    """Write a sibling created with ``mode``, then rename: never a partial or wide-open file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{pysecrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _private_pem(private_key: rsa.RSAPrivateKey, passphrase: bytes | None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def generate_key_pair(
    private_key: Path,
    certificate: Path | None,
    *,
    bits: int = MIN_BITS,
    days: int = 365,
    subject: Mapping[str, str] | None = None,
    passphrase: bytes | None = None,
) -> KeyPair:
    """Make a new key (0600) and certificate (0644) at the given paths."""
    if bits < MIN_BITS:
        raise KeyMaterialError(f"an RSA key needs at least {MIN_BITS} bits (asked for {bits})")
    if days < 1:
        raise KeyMaterialError(
            f"a certificate must be valid for at least one day (asked for {days})"
        )
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    cert = self_signed_certificate(key, days=days, subject=subject)
    pem = _private_pem(key, passphrase)
    secrets.register(pem)
    try:
        write_file(private_key, pem, 0o600)
        if certificate is not None:
            write_file(certificate, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    except OSError as exc:
        raise KeyMaterialError(
            f"cannot write key material: {exc.strerror}: {exc.filename}"
        ) from None
    return KeyPair(key, cert, private_key, certificate)


def ensure_key_pair(
    *,
    private_key: Path,
    certificate: Path | None,
    generate: str = "if_missing",
    bits: int = MIN_BITS,
    days: int = 365,
    subject: Mapping[str, str] | None = None,
    passphrase: bytes | None = None,
    passphrase_env: str | None = None,
) -> tuple[KeyPair, bool]:
    """Load the pair if it is there, make it if allowed; the bool says files were created."""
    if generate not in GENERATE_MODES:
        raise KeyMaterialError(
            f"generate must be one of {', '.join(GENERATE_MODES)}, not {generate!r}"
        )
    key_exists = private_key.exists()
    cert_exists = certificate.exists() if certificate is not None else key_exists
    if key_exists and cert_exists:
        return load_key_pair(
            private_key, certificate, passphrase, passphrase_env=passphrase_env
        ), False
    if certificate is not None and key_exists != cert_exists:
        present, missing = (private_key, certificate) if key_exists else (certificate, private_key)
        raise KeyMaterialError(
            f"{present} exists but {missing} does not; they must be made together",
            hint=f"restore {missing}, or delete {present} to let a new pair be generated "
            "(then upload the new certificate to the connected app)",
        )
    if generate == "never":
        raise KeyMaterialError(
            f"private key {private_key} does not exist and generate is 'never'",
            hint="set generate: if_missing, or put the key (and certificate) there",
        )
    return generate_key_pair(
        private_key, certificate, bits=bits, days=days, subject=subject, passphrase=passphrase
    ), True


def check_permissions(path: Path) -> None:
    """Refuse a key that group or others can read, the way ssh does."""
    if os.name != "posix":
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyMaterialError(
            f"permissions {mode:04o} for private key {path} are too open; "
            "it must not be readable by group or others",
            hint=f"run: chmod 600 {path}",
        )


def _read(path: Path, what: str) -> bytes:
    """A key or certificate file: a regular file of at most MAX_FILE_BYTES (never a FIFO)."""
    try:
        return read_bounded(path, MAX_FILE_BYTES)
    except FileRefused as exc:
        raise KeyMaterialError(f"{what} {path} {exc.reason}") from None


def _passphrase_fix(passphrase_env: str | None) -> str:
    if passphrase_env:
        return f"export {passphrase_env}=<the passphrase> before running"
    return "name the environment variable holding it with passphrase_env in the playbook"


def parse_private_key(
    data: bytes, path: Path, passphrase: bytes | None, passphrase_env: str | None = None
) -> rsa.RSAPrivateKey:
    """Parse PEM (PKCS#1 or PKCS#8, encrypted or not) into an RSA key; errors say what to do."""
    encrypted = b"ENCRYPTED" in data
    try:
        key = serialization.load_pem_private_key(data, passphrase if encrypted else None)
    except TypeError:
        raise KeyMaterialError(
            f"private key {path} is protected by a passphrase and none was given",
            hint=_passphrase_fix(passphrase_env),
        ) from None
    except ValueError:
        if encrypted:
            where = f" in ${passphrase_env}" if passphrase_env else ""
            raise KeyMaterialError(
                f"the passphrase{where} does not decrypt private key {path}",
                hint=_passphrase_fix(passphrase_env),
            ) from None
        raise KeyMaterialError(
            f"{path} is not a PEM private key",
            hint="expected a PEM file whose first line begins a 'PRIVATE KEY' (PKCS#8) "
            "or an 'RSA PRIVATE KEY' (PKCS#1) block",
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyMaterialError(
            f"private key {path} is not an RSA key (the JWT flow signs with RS256)"
        )
    return key


def load_certificate(path: Path) -> x509.Certificate:
    """Read a PEM (or DER) X.509 certificate."""
    data = _read(path, "certificate")
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise KeyMaterialError(f"{path} is not an X.509 certificate") from None


def load_key_pair(
    private_key: Path,
    certificate: Path | None = None,
    passphrase: bytes | None = None,
    *,
    passphrase_env: str | None = None,
    check_mode: bool = True,
) -> KeyPair:
    """Load an existing key (and certificate), refusing one that others can read.

    ``check_mode=False`` is for the doctor, which reports loose permissions itself.
    """
    secrets.register(passphrase)
    data = _read(private_key, "private key")
    secrets.register(data)
    if check_mode:
        check_permissions(private_key)
    key = parse_private_key(data, private_key, passphrase, passphrase_env)
    cert = load_certificate(certificate) if certificate is not None else None
    return KeyPair(key, cert, private_key, certificate)


_EPHEMERAL: dict[int, tuple[KeyPair, bytes]] = {}
_EPHEMERAL_LOCK = threading.Lock()


def ephemeral_key_pair(bits: int = MIN_BITS) -> KeyPair:
    """An in-memory pair, made once per process: RSA generation is too slow to repeat per org.
    Its PEM is registered with every run that uses it, each run having its own secrets."""
    with _EPHEMERAL_LOCK:
        made = _EPHEMERAL.get(bits)
        if made is None:
            key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
            pair = KeyPair(key, self_signed_certificate(key, subject={"CN": "sfjwt-run ephemeral"}))
            made = _EPHEMERAL[bits] = (pair, _private_pem(key, None))
    secrets.register(made[1])
    return made[0]

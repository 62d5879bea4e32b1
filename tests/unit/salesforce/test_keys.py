"""Tests for runner.salesforce.keys: generation, loading, passphrases, permissions, expiry."""

from __future__ import annotations

import shutil
import stat
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from runner import secrets
from runner.errors import KeyMaterialError
from runner.salesforce import keys
from runner.salesforce.keys import KeyPair, ensure_key_pair, ephemeral_key_pair, load_key_pair

PASSPHRASE = b"SomePassword"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One generated pair for the module: RSA generation is the slow part."""
    root = tmp_path_factory.mktemp("made")
    _pair, changed = ensure_key_pair(
        private_key=root / "certs" / "server.key",
        certificate=root / "certs" / "server.crt",
        subject={"CN": "unit", "O": "Acme"},
        days=30,
    )
    assert changed
    return root / "certs" / "server.key", root / "certs" / "server.crt"


def copy_pair(made: tuple[Path, Path], target: Path) -> tuple[Path, Path]:
    key, cert = target / "server.key", target / "server.crt"
    shutil.copy(made[0], key)
    shutil.copy(made[1], cert)
    key.chmod(0o600)
    return key, cert


def test_generated_key_is_private_and_certificate_is_self_signed(made: tuple[Path, Path]) -> None:
    key_path, cert_path = made
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    assert cert.issuer == cert.subject
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "unit"
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)
    assert key_path.read_text().startswith("-----BEGIN " + "PRIVATE KEY-----")
    assert not list(key_path.parent.glob(".*.tmp"))


def test_existing_pair_is_loaded_unchanged(made: tuple[Path, Path], tmp_path: Path) -> None:
    key, cert = copy_pair(made, tmp_path)
    before = key.read_bytes()
    pair, changed = ensure_key_pair(private_key=key, certificate=cert)
    assert not changed
    assert key.read_bytes() == before
    assert pair.matches_certificate()
    assert pair.private_key.key_size == 2048
    assert pair.days_left() in (29, 30)


def test_loaded_key_pem_is_registered_as_a_secret(made: tuple[Path, Path], tmp_path: Path) -> None:
    key, cert = copy_pair(made, tmp_path)
    load_key_pair(key, cert)
    body_line = key.read_text().splitlines()[3]
    assert secrets.redact(f"leak: {body_line}") == "leak: ***"


def test_never_with_missing_files_names_the_file_and_the_fix(tmp_path: Path) -> None:
    key = tmp_path / "server.key"
    with pytest.raises(KeyMaterialError) as caught:
        ensure_key_pair(private_key=key, certificate=tmp_path / "server.crt", generate="never")
    assert str(key) in caught.value.message
    assert "if_missing" in (caught.value.hint or "")


def test_certificate_without_key_is_a_clear_error(made: tuple[Path, Path], tmp_path: Path) -> None:
    shutil.copy(made[1], tmp_path / "server.crt")
    with pytest.raises(KeyMaterialError, match=r"server.crt exists but .*server.key does not"):
        ensure_key_pair(private_key=tmp_path / "server.key", certificate=tmp_path / "server.crt")
    assert not (tmp_path / "server.key").exists()


def test_key_without_certificate_is_a_clear_error(made: tuple[Path, Path], tmp_path: Path) -> None:
    key, cert = copy_pair(made, tmp_path)
    cert.unlink()
    with pytest.raises(KeyMaterialError, match=r"server.key exists but .*server.crt does not"):
        ensure_key_pair(private_key=key, certificate=cert)


def test_unknown_generate_mode_and_weak_keys_are_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyMaterialError, match="generate must be one of"):
        ensure_key_pair(private_key=tmp_path / "k", certificate=None, generate="always")
    with pytest.raises(KeyMaterialError, match="at least 2048 bits"):
        ensure_key_pair(private_key=tmp_path / "k", certificate=None, bits=1024)
    with pytest.raises(KeyMaterialError, match="unknown certificate subject field 'XX'"):
        keys.self_signed_certificate(ephemeral_key_pair().private_key, subject={"XX": "y"})


def test_generated_key_with_passphrase_needs_it_to_load(tmp_path: Path) -> None:
    key = tmp_path / "pass.key"
    ensure_key_pair(private_key=key, certificate=None, passphrase=PASSPHRASE)
    assert "ENCRYPTED" in key.read_text()
    assert load_key_pair(key, passphrase=PASSPHRASE).certificate is None
    with pytest.raises(KeyMaterialError) as caught:
        load_key_pair(key, passphrase_env="SF_KEY_PASS")
    assert "export SF_KEY_PASS=" in (caught.value.hint or "")
    with pytest.raises(KeyMaterialError) as wrong:
        load_key_pair(key, passphrase=b"not-the-one", passphrase_env="SF_KEY_PASS")
    assert "$SF_KEY_PASS does not decrypt" in wrong.value.message
    assert "not-the-one" not in str(wrong.value) + (wrong.value.hint or "")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
@pytest.mark.parametrize("extra", [[], ["-traditional"]])
def test_seed_tutorial_des3_key_loads_with_its_passphrase(tmp_path: Path, extra: list[str]) -> None:
    key = tmp_path / "server.pass.key"
    command = ["openssl", "genrsa", *extra, "-des3", "-passout", "pass:SomePassword"]
    result = subprocess.run([*command, "-out", str(key), "2048"], capture_output=True, check=False)
    if result.returncode != 0:
        pytest.skip("this openssl cannot make the key")
    key.chmod(0o600)
    pair = load_key_pair(key, passphrase=PASSPHRASE)
    assert pair.private_key.key_size == 2048


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_key_readable_by_others_is_refused_like_ssh(
    made: tuple[Path, Path], tmp_path: Path, mode: int
) -> None:
    key, cert = copy_pair(made, tmp_path)
    key.chmod(mode)
    with pytest.raises(KeyMaterialError, match=f"permissions {mode:04o}") as caught:
        load_key_pair(key, cert)
    assert caught.value.hint == f"run: chmod 600 {key}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a key at all", "is not a PEM private key"),
        (None, "does not exist"),
    ],
)
def test_bad_key_files(tmp_path: Path, content: bytes | None, message: str) -> None:
    key = tmp_path / "bad.key"
    if content is not None:
        key.write_bytes(content)
        key.chmod(0o600)
    with pytest.raises(KeyMaterialError, match=message):
        load_key_pair(key)


def test_directory_and_non_rsa_key_are_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyMaterialError, match="is a directory"):
        load_key_pair(tmp_path)
    key = tmp_path / "ec.key"
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    key.write_bytes(pem)
    key.chmod(0o600)
    with pytest.raises(KeyMaterialError, match="not an RSA key"):
        load_key_pair(key)


def test_pkcs1_key_and_der_certificate_load(made: tuple[Path, Path], tmp_path: Path) -> None:
    pair = load_key_pair(*copy_pair(made, tmp_path))
    key = tmp_path / "pkcs1.key"
    key.write_bytes(
        pair.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    key.chmod(0o600)
    cert = tmp_path / "server.der"
    assert pair.certificate is not None
    cert.write_bytes(pair.certificate.public_bytes(serialization.Encoding.DER))
    assert load_key_pair(key, cert).matches_certificate()


def test_certificate_of_another_key_does_not_match(made: tuple[Path, Path], tmp_path: Path) -> None:
    pair = load_key_pair(*copy_pair(made, tmp_path))
    other = KeyPair(ephemeral_key_pair().private_key, pair.certificate)
    assert not other.matches_certificate()
    assert not KeyPair(pair.private_key, None).matches_certificate()


def test_not_a_certificate_is_refused(made: tuple[Path, Path], tmp_path: Path) -> None:
    key, cert = copy_pair(made, tmp_path)
    cert.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(KeyMaterialError, match=r"is not an X\.509 certificate"):
        load_key_pair(key, cert)


def test_days_left_counts_down_and_goes_negative(made: tuple[Path, Path], tmp_path: Path) -> None:
    pair = load_key_pair(*copy_pair(made, tmp_path))
    assert pair.certificate is not None
    expiry = pair.certificate.not_valid_after_utc
    assert pair.days_left(expiry - timedelta(days=10, hours=1)) == 10
    assert pair.days_left(expiry + timedelta(days=2)) == -2
    assert KeyPair(pair.private_key, None).days_left() is None


def test_ephemeral_pair_is_cached_and_has_a_certificate() -> None:
    first, second = ephemeral_key_pair(), ephemeral_key_pair()
    assert first is second
    assert first.matches_certificate()
    assert first.private_key_path is None
    assert first.certificate_pem().startswith("-----BEGIN CERTIFICATE-----")


def test_key_without_certificate_still_yields_a_matching_pem() -> None:
    key = ephemeral_key_pair().private_key
    pem = KeyPair(key, None).certificate_pem()
    cert = x509.load_pem_x509_certificate(pem.encode())
    assert KeyPair(key, cert).matches_certificate()
    assert cert.not_valid_after_utc > datetime.now(timezone.utc)


def test_repr_shows_paths_not_key_material() -> None:
    pair = ephemeral_key_pair()
    assert "BEGIN" not in repr(pair)
    assert isinstance(pair.private_key, rsa.RSAPrivateKey)

"""Tests for runner.secrets: registered values and safety-net patterns are masked."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from runner import secrets
from runner.secrets import MASK, SecretRegistry

TOKEN = "00D5g000001aBcD!AR8AQJXg5oj8jXSgxJfA0lBog.39AsX.LVpxezPwuX5VAIrrbb"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


@pytest.fixture
def registry() -> SecretRegistry:
    return SecretRegistry()


def test_registered_value_is_masked_everywhere(registry: SecretRegistry) -> None:
    registry.add("s3cret-passphrase")
    assert registry.redact("a s3cret-passphrase b s3cret-passphrase") == f"a {MASK} b {MASK}"


def test_bytes_are_registered_as_text(registry: SecretRegistry) -> None:
    registry.add(b"hunter2hunter2")
    assert registry.redact("pw=hunter2hunter2") == f"pw={MASK}"


@pytest.mark.parametrize("value", [None, "", b""])
def test_none_and_empty_values_are_ignored(registry: SecretRegistry, value: object) -> None:
    registry.add(value)  # type: ignore[arg-type]
    assert len(registry) == 0
    assert registry.redact("abc xy") == "abc xy"


@pytest.mark.parametrize("value", ["xyz", b"xy", "k"])
def test_short_values_are_masked_too(registry: SecretRegistry, value: str | bytes) -> None:
    registry.add(value)
    text = value.decode() if isinstance(value, bytes) else value
    assert registry.redact(f"KP={text};") == f"KP={MASK};"


def test_longer_secret_wins_over_its_prefix(registry: SecretRegistry) -> None:
    registry.add("abcd")
    registry.add("abcdefgh")
    assert registry.redact("abcdefgh") == MASK


def test_url_encoded_form_is_masked(registry: SecretRegistry) -> None:
    registry.add("pa ss/wo!rd")
    assert registry.redact("q=pa+ss%2Fwo%21rd and pa%20ss%2Fwo%21rd") == f"q={MASK} and {MASK}"


def test_lone_surrogates_from_the_environment_are_handled(registry: SecretRegistry) -> None:
    registry.add("pass\udcffword")
    assert registry.redact("x pass\udcffword") == f"x {MASK}"


def test_each_long_line_of_a_multiline_secret_is_masked(registry: SecretRegistry) -> None:
    pem = "HEADER LINE\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nMIIEvQIBADANBgkqhkiG9w0BAQEFAAXX\n"
    registry.add(pem)
    assert registry.redact("line MIIEvQIBADANBgkqhkiG9w0BAQEFAAXX seen") == f"line {MASK} seen"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"token {TOKEN} end", f"token {MASK} end"),
        (f"assertion {JWT}", f"assertion {MASK}"),
        ("Authorization: Bearer abc.def-ghi", f"Authorization: Bearer {MASK}"),
        ("authorization: bearer xyz123", f"authorization: bearer {MASK}"),
        ("grant_type=x&assertion=abc.def.ghi&y=1", f"grant_type=x&assertion={MASK}&y=1"),
        ('{"access_token": "opaque-value", "x": 1}', f'{{"access_token": "{MASK}", "x": 1}}'),
        ("?access_token=opaque&x=1", f"?access_token={MASK}&x=1"),
    ],
)
def test_patterns_mask_unregistered_secrets(
    registry: SecretRegistry, text: str, expected: str
) -> None:
    assert registry.redact(text) == expected


def test_pem_private_key_block_is_masked_whole(registry: SecretRegistry) -> None:
    text = (
        "before\n-----BEGIN " + "RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nAAAA\n"
        "-----END RSA PRIVATE KEY-----\nafter"
    )
    assert registry.redact(text) == f"before\n{MASK}\nafter"


def test_truncated_pem_private_key_is_masked_to_the_end(registry: SecretRegistry) -> None:
    assert registry.redact("x -----BEGIN " + "PRIVATE KEY-----\nMIIEvQIB") == f"x {MASK}"


def test_certificates_and_ordinary_text_are_left_alone(registry: SecretRegistry) -> None:
    text = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\nBearer\n00D000"
    assert registry.redact(text) == text


def test_redaction_is_idempotent(registry: SecretRegistry) -> None:
    registry.add("topsecretvalue")
    once = registry.redact(f"Bearer {TOKEN} topsecretvalue assertion={JWT}")
    assert registry.redact(once) == once


def test_redact_data_copies_nested_structures(registry: SecretRegistry) -> None:
    registry.add("topsecretvalue")
    data: dict[str, Any] = {
        "a": ["x topsecretvalue", ("topsecretvalue", 3)],
        "topsecretvalue": {"n": None},
    }
    redacted = registry.redact_data(data)
    assert redacted == {"a": [f"x {MASK}", (MASK, 3)], MASK: {"n": None}}
    assert data["a"][0] == "x topsecretvalue"


def test_registry_is_thread_safe(registry: SecretRegistry) -> None:
    values = [f"secret-value-{n:04d}" for n in range(200)]

    def add(chunk: list[str]) -> None:
        for value in chunk:
            registry.add(value)

    threads = [threading.Thread(target=add, args=(values[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert registry.redact(" ".join(values)) == " ".join([MASK] * len(values))


def test_module_shortcuts_use_the_current_registry() -> None:
    secrets.register("module-level-secret")
    assert secrets.redact("x module-level-secret") == f"x {MASK}"
    assert secrets.redact_data(["module-level-secret"]) == [MASK]
    assert "module-level-secret" in secrets.current()


def test_clear_forgets_every_value(registry: SecretRegistry) -> None:
    registry.add("forget-me-please")
    registry.clear()
    assert registry.redact("forget-me-please") == "forget-me-please"


@settings(max_examples=500)
@given(
    st.text(alphabet=st.characters(blacklist_characters="*"), min_size=1, max_size=40),
    st.text(max_size=40),
    st.text(max_size=40),
)
def test_a_registered_value_never_survives(secret: str, before: str, after: str) -> None:
    assume(secret.strip())  # blank values are not registered
    registry = SecretRegistry()
    registry.add(secret)
    assert secret not in registry.redact(before + secret + after)


SECRET = 'tok/en+"<va&l>\'ue'


@pytest.mark.parametrize(
    ("form", "encoded"),
    [
        ("JSON-escaped", '"tok/en+\\"<va&l>\'ue"'),
        ("JSON-escaped, slashes too", 'tok\\/en+\\"<va&l>\'ue'),
        ("JSON, ASCII only", "caf\\u00e9-secret"),
        ("HTML-escaped", "tok/en+&quot;&lt;va&amp;l&gt;&#x27;ue"),
        ("URL-encoded", "tok%2Fen%2B%22%3Cva%26l%3E%27ue"),
        ("form-encoded", "tok%2Fen%2B%22%3Cva%26l%3E%27ue"),
        ("base64", "dG9rL2VuKyI8dmEmbD4ndWU"),
        ("base64 inside a longer text", "eHgrdG9rL2VuKyI8dmEmbD4ndWUrenp6"),
        ("base64, URL-safe", "dG9rL2VuKyI8dmEmbD4ndWU".replace("/", "_")),
    ],
)
def test_encoded_forms_are_masked(registry: SecretRegistry, form: str, encoded: str) -> None:
    registry.add(SECRET)
    registry.add("café-secret")
    masked = registry.redact(f"echo: {encoded} end")
    assert MASK in masked, form
    for piece in ("dG9rL2VuKyI8dmEmbD4n", "tok", "caf", "&lt;va", "%3Cva"):
        assert piece not in masked, (form, masked)


def test_a_secret_wrapped_into_lines_is_masked(registry: SecretRegistry) -> None:
    token = "00D5g0000AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
    registry.add(token)
    wrapped = "\n".join(token[i:i + 16] for i in range(0, len(token), 16))
    folded = token[:20] + "\r\n    " + token[20:]
    for text in (wrapped, folded):
        masked = registry.redact(f"before\n{text}\nafter")
        assert masked == f"before\n{MASK}\nafter", masked


def test_many_secrets_are_masked_in_one_pass(registry: SecretRegistry) -> None:
    values = [f"org{n:04d}-token-{n * 7919:08d}" for n in range(2000)]
    for value in values:
        registry.add(value)
        registry.redact("a report line")  # masking between registrations, as in a run
    assert registry.redact(" ".join(values[::97])) == " ".join([MASK] * len(values[::97]))
    assert len(registry._tiers) <= 12  # tiers double in size: logarithmic in the total


def test_a_text_shorter_than_every_new_secret_is_masked_without_them_and_longer_ones_with_them(
    registry: SecretRegistry,
) -> None:
    registry.add("pw")
    assert registry.redact("a pw") == f"a {MASK}"
    registry.add("a-long-access-token-value-1234567890")
    assert registry.redact("step 1") == "step 1"  # shorter than the new one: no new tier
    assert registry.redact("pw again") == f"{MASK} again"
    text = "x a-long-access-token-value-1234567890 y"
    assert registry.redact(text) == f"x {MASK} y"
    registry.add("q")  # a short one lowers the bar again
    assert registry.redact("a q") == f"a {MASK}"

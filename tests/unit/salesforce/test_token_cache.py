"""Tests for runner.salesforce.token_cache: a damaged cache costs a login, a bad path exit 5."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runner.errors import ExitStatus, UsageError
from runner.salesforce.auth import JwtCredentials, Token
from runner.salesforce.keys import ephemeral_key_pair
from runner.salesforce.token_cache import TokenCache, cache_key

CREDENTIALS = JwtCredentials("https://login.salesforce.com", "APP", "u@x.test",
                             ephemeral_key_pair().private_key)
TOKEN = Token("00Dxx!token-value-for-the-cache", "https://acme.my.salesforce.com",
              "https://login.salesforce.com/id/00D/005", "api", "00D", "005")


def _cache_file(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "tokens.json"
    path.write_text(content)
    path.chmod(0o600)
    return path


@pytest.mark.parametrize("content", [
    '{"tokens": [1]}', '{"tokens": {"k": 1}}', "[1, 2]", "not json", '{"tokens": null}',
    '{"tokens": {"KEY": {"access_token": 5, "instance_url": "https://x"}}}',
    '{"tokens": {"KEY": {"access_token": "t", "instance_url": "https://x", "extra": "?"}}}',
    "[" * 100_000,
])
def test_a_damaged_cache_is_ignored(tmp_path: Path, content: str) -> None:
    path = _cache_file(tmp_path, content.replace("KEY", cache_key(CREDENTIALS)))
    cache = TokenCache(path)
    assert cache.get(CREDENTIALS) is None
    cache.put(CREDENTIALS, TOKEN)
    cache.save()
    assert TokenCache(path).get(CREDENTIALS) == TOKEN


@pytest.mark.parametrize(("where", "words"), [
    ("/proc/self/sfjwt-tokens.json", "cannot be written"),
    ("/proc/nowhere/tokens.json", "cannot be written"),
    ("/dev/zero", "character device"),
])
def test_a_path_that_cannot_hold_a_cache_is_a_bad_option(where: str, words: str) -> None:
    with pytest.raises(UsageError, match=words) as caught:
        TokenCache(Path(where))
    assert caught.value.exit_status is ExitStatus.BAD_OPTIONS


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "tokens.json"
    os.mkfifo(fifo, 0o600)
    with pytest.raises(UsageError, match="named pipe"):
        TokenCache(fifo)


def test_opening_leaves_no_file_behind(tmp_path: Path) -> None:
    TokenCache(tmp_path / "sub" / "tokens.json")
    assert list((tmp_path / "sub").iterdir()) == []

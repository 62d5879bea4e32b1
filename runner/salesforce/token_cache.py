"""``--token-cache FILE``: reuse access tokens across runs (off by default).

Keyed by login URL + client id + username. The file is written with mode 0600
(created that way, then renamed into place) and a file that group or others can
read is refused, like a private key. A cached token that the org no longer
accepts gets one 401, after which the client logs in again and the new token
replaces it.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from dataclasses import asdict
from pathlib import Path

from runner import secrets
from runner.errors import UsageError
from runner.localfiles import FileRefused, read_bounded
from runner.salesforce.auth import JwtCredentials, Token


def cache_key(credentials: JwtCredentials) -> str:
    return f"{credentials.login_url}|{credentials.client_id}|{credentials.username}"


MAX_FILE_BYTES = 16 << 20
"""A token is a few hundred bytes; a cache past 16 MB is not one this tool wrote."""
_FIELDS = ("access_token", "instance_url", "id_url", "scope", "org_id", "user_id", "token_type")


def _usable(entry: object) -> bool:
    """A cache entry that makes a Token: every field text, the token and instance present."""
    return (
        isinstance(entry, dict)
        and set(entry) <= set(_FIELDS)
        and all(isinstance(value, str) for value in entry.values())
        and bool(entry.get("access_token"))
        and bool(entry.get("instance_url"))
    )


class TokenCache:
    """Tokens by org identity; thread-safe, saved once at the end of a run.

    Opening checks that the cache can be written (a UsageError, exit 5, before
    anything runs); a damaged file only costs one login per org.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._tokens: dict[str, dict[str, str]] = self._read()
        self._probe()

    def _refuse(self, reason: str, hint: str | None = None) -> UsageError:
        return UsageError(f"--token-cache {self.path}: {reason}", hint=hint)

    def _read(self) -> dict[str, dict[str, str]]:
        if not os.path.lexists(self.path):
            return {}
        try:
            raw = read_bounded(self.path, MAX_FILE_BYTES)
        except FileRefused as exc:
            raise self._refuse(exc.reason, "name a file of its own, e.g. .sfjwt-tokens.json"
                               ) from None
        if os.name == "posix" and stat.S_IMODE(self.path.stat().st_mode) & 0o077:
            raise self._refuse("readable by group or others", f"run: chmod 600 {self.path}")
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return {}  # a damaged cache only costs one login per org
        tokens = data.get("tokens") if isinstance(data, dict) else None
        if not isinstance(tokens, dict):
            return {}
        usable = {str(key): entry for key, entry in tokens.items() if _usable(entry)}
        for entry in usable.values():
            secrets.register(entry["access_token"])
        return usable

    def _probe(self) -> None:
        """Create (then remove) the file the end of the run will write, so a path that cannot
        be written is refused now rather than after every org has run."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self._temporary()
            os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            temporary.unlink()
        except OSError as exc:
            raise self._refuse(f"cannot be written: {exc.strerror or exc}",
                               "pick a writable folder for the cache") from None

    def _temporary(self) -> Path:
        return self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")

    def get(self, credentials: JwtCredentials) -> Token | None:
        with self._lock:
            entry = self._tokens.get(cache_key(credentials))
        return Token(**entry) if entry else None

    def put(self, credentials: JwtCredentials, token: Token) -> None:
        with self._lock:
            self._tokens[cache_key(credentials)] = asdict(token)

    def drop(self, credentials: JwtCredentials) -> None:
        with self._lock:
            self._tokens.pop(cache_key(credentials), None)

    def save(self) -> None:
        """Write the cache (0600, complete or not at all); a UsageError if that fails."""
        with self._lock:
            text = json.dumps({"version": 1, "tokens": self._tokens}, indent=2)
        temporary = self._temporary()
        try:
            temporary.unlink(missing_ok=True)
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temporary, self.path)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise self._refuse(f"cannot be written: {exc.strerror or exc}") from None

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
from runner.salesforce.auth import JwtCredentials, Token


def cache_key(credentials: JwtCredentials) -> str:
    return f"{credentials.login_url}|{credentials.client_id}|{credentials.username}"


class TokenCache:
    """Tokens by org identity; thread-safe, saved once at the end of a run."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._tokens: dict[str, dict[str, str]] = self._read()

    def _read(self) -> dict[str, dict[str, str]]:
        if not self.path.exists():
            return {}
        if os.name == "posix" and stat.S_IMODE(self.path.stat().st_mode) & 0o077:
            raise UsageError(f"--token-cache {self.path}: readable by group or others",
                             hint=f"run: chmod 600 {self.path}")
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return {}  # a damaged cache only costs one login per org
        tokens = data.get("tokens", {}) if isinstance(data, dict) else {}
        for entry in tokens.values():
            if isinstance(entry, dict):
                secrets.register(entry.get("access_token"))
        return {k: v for k, v in tokens.items() if isinstance(v, dict)}

    def get(self, credentials: JwtCredentials) -> Token | None:
        with self._lock:
            entry = self._tokens.get(cache_key(credentials))
        try:
            return Token(**entry) if entry else None
        except TypeError:
            return None

    def put(self, credentials: JwtCredentials, token: Token) -> None:
        with self._lock:
            self._tokens[cache_key(credentials)] = asdict(token)

    def drop(self, credentials: JwtCredentials) -> None:
        with self._lock:
            self._tokens.pop(cache_key(credentials), None)

    def save(self) -> None:
        with self._lock:
            text = json.dumps({"version": 1, "tokens": self._tokens}, indent=2)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.unlink(missing_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, self.path)

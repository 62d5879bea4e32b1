"""Access tokens and their inactivity timeout.

A token is Salesforce-shaped, ``<15-char org id>!<opaque>``, so clients that
parse the org out of it (the Salesforce CLI does) work. Tokens are looked up
by value; each use pushes the expiry forward, as Salesforce's session timeout
counts inactivity, not age.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from runner.emulator.ids import random_text


@dataclass
class Session:
    """What a token stands for."""

    org_id: str
    user_id: str
    username: str
    client_id: str
    timeout_s: float
    last_used: float


def new_token(org_id: str) -> str:
    """``00D…(15)!AQ…``: the org prefix, then 96 unguessable characters."""
    return f"{org_id[:15]}!AQ{random_text(94)}"


class SessionStore:
    """Thread-safe map of access token → :class:`Session`, with inactivity expiry."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def issue(
        self, *, org_id: str, user_id: str, username: str, client_id: str, timeout_s: float
    ) -> str:
        """Create a session and return its access token."""
        token = new_token(org_id)
        session = Session(org_id, user_id, username, client_id, timeout_s, self._clock())
        with self._lock:
            self._sessions[token] = session
        return token

    def lookup(self, token: str | None, *, touch: bool = True) -> Session | None:
        """The live session for ``token``; None when unknown or idle past its timeout."""
        if not token:
            return None
        now = self._clock()
        with self._lock:
            session = self._sessions.get(token)
            if session is None:
                return None
            if now - session.last_used > session.timeout_s:
                del self._sessions[token]
                return None
            if touch:
                session.last_used = now
            return session

    def revoke(self, token: str) -> bool:
        """Forget a token; True when it existed."""
        with self._lock:
            return self._sessions.pop(token, None) is not None

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

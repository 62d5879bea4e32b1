"""Access tokens: shape, lookup, and expiry after inactivity (not age)."""

from __future__ import annotations

import re

from runner.emulator.sessions import SessionStore, new_token

ORG = "00D5g000004ABCDEAA"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _issue(store: SessionStore, timeout: float = 60) -> str:
    return store.issue(org_id=ORG, user_id="005x", username="u@x", client_id="c", timeout_s=timeout)


def test_token_names_its_org_like_salesforce() -> None:
    token = new_token(ORG)
    assert token.startswith(ORG[:15] + "!")
    assert re.fullmatch(r"(00D\w{12,15})![.\w]*", token)
    assert new_token(ORG) != token


def test_lookup_returns_the_session() -> None:
    store = SessionStore()
    token = _issue(store)
    session = store.lookup(token)
    assert session is not None and session.org_id == ORG
    assert store.lookup("00D5g000004ABCD!unknown") is None
    assert store.lookup(None) is None


def test_session_expires_after_inactivity() -> None:
    clock = FakeClock()
    store = SessionStore(clock)
    token = _issue(store, timeout=60)
    clock.now += 61
    assert store.lookup(token) is None
    assert len(store) == 0


def test_use_pushes_the_expiry_forward() -> None:
    clock = FakeClock()
    store = SessionStore(clock)
    token = _issue(store, timeout=60)
    for _ in range(5):
        clock.now += 50
        assert store.lookup(token) is not None
    clock.now += 50
    assert store.lookup(token, touch=False) is not None
    clock.now += 11
    assert store.lookup(token) is None


def test_revoke() -> None:
    store = SessionStore()
    token = _issue(store)
    assert store.revoke(token) is True
    assert store.lookup(token) is None
    assert store.revoke(token) is False

"""The live registry of orgs, users and connected apps on one server.

Salesforce's login host serves every org: it finds the org through the user
(usernames are unique across all orgs) and the connected app through the
consumer key. This module is that lookup, plus each org's API-usage counter.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from runner.emulator.config import AppConfig, EmulatorConfigError, OrgConfig
from runner.emulator.faults import FaultInjector


@dataclass(frozen=True)
class UserRecord:
    """A user as the token endpoint and userinfo see it."""

    username: str
    user_id: str
    org_id: str
    active: bool
    pre_authorized: bool
    first_name: str
    last_name: str
    email: str

    @property
    def display_name(self) -> str:
        """First and last name, as Salesforce's ``name`` claim."""
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class OrgState:
    """One hosted org: its configuration, ids, users, faults and API usage."""

    config: OrgConfig
    org_id: str
    users: dict[str, UserRecord]
    faults: FaultInjector
    api_used: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def integration_user(self) -> UserRecord:
        """The user named by the org's ``username`` option."""
        return self.users[self.config.username.lower()]

    def count_api_call(self) -> tuple[int, int, bool]:
        """Count one REST call: (used, max, allowed). Refused calls are not counted."""
        limit = self.config.daily_api_limit
        with self._lock:
            if self.api_used >= limit:
                return self.api_used, limit, False
            self.api_used += 1
            return self.api_used, limit, True

    def usage(self) -> tuple[int, int]:
        """(used, max) without counting."""
        with self._lock:
            return self.api_used, self.config.daily_api_limit

    def is_pre_authorized(self, app: AppConfig, user: UserRecord) -> bool:
        """Whether ``user`` is assigned to (or has approved) ``app``."""
        if app.pre_authorized is None:
            return user.pre_authorized
        return user.username.lower() in {u.lower() for u in app.pre_authorized}


class Directory:
    """Thread-safe registry: org id → org, username → user, consumer key → apps."""

    def __init__(self) -> None:
        self._orgs: dict[str, OrgState] = {}
        self._names: set[str] = set()  # of the orgs: a fleet's 200th org is checked at once
        self._users: dict[str, tuple[OrgState, UserRecord]] = {}
        self._apps: dict[str, list[tuple[OrgState, AppConfig]]] = {}  # by consumer key
        self._lock = threading.Lock()

    def check_new(self, config: OrgConfig) -> None:
        """Refuse an org whose name or usernames are already served here."""
        with self._lock:
            if config.name in self._names:
                raise EmulatorConfigError(f"an org named {config.name!r} already exists")
            for user in config.users:
                if user.username.lower() in self._users:
                    raise EmulatorConfigError(
                        f"username {user.username!r} already exists in another org "
                        "(usernames are unique across all orgs)"
                    )

    def add(self, config: OrgConfig, org_id: str, user_ids: Mapping[str, str]) -> OrgState:
        """Register an org whose records the store holds (or will, at their first use)."""
        self.check_new(config)
        users = {
            u.username.lower(): UserRecord(
                username=u.username,
                user_id=user_ids[u.username],
                org_id=org_id,
                active=u.active,
                pre_authorized=u.pre_authorized,
                first_name=u.first_name,
                last_name=u.last_name,
                email=u.email or u.username,
            )
            for u in config.users
        }
        state = OrgState(config, org_id, users, FaultInjector(config.faults, config.random_seed))
        with self._lock:
            self._orgs[org_id] = state
            self._names.add(config.name)
            for app in config.apps:
                self._apps.setdefault(app.client_id, []).append((state, app))
            for key, user in users.items():
                self._users[key] = (state, user)
        return state

    def org(self, org_id: str) -> OrgState | None:
        """The org with this 18-character id (or its 15-character prefix)."""
        with self._lock:
            found = self._orgs.get(org_id)
            if found is None and len(org_id) == 15:
                found = next((o for k, o in self._orgs.items() if k[:15] == org_id), None)
            return found

    def user(self, username: str) -> tuple[OrgState, UserRecord] | None:
        """The org and record of a user, by case-insensitive username."""
        with self._lock:
            return self._users.get(username.lower())

    def apps(self, client_id: str) -> list[tuple[OrgState, AppConfig]]:
        """Every (org, app) pair whose consumer key is ``client_id`` (found by key: a login
        to the 200th org of a run scanned every org's apps)."""
        with self._lock:
            return list(self._apps.get(client_id, ()))

    def orgs(self) -> list[OrgState]:
        """All orgs, in the order they were added."""
        with self._lock:
            return list(self._orgs.values())

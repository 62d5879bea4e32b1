"""The fault matrix: twenty emulated orgs, some faulty, and what each step should end as.

One playbook runs every fault side by side, so the whole matrix costs one run.
Each org names its emulator options and, per step, the outcome expected, the
attempts expected (retries included) and words a person would look for in the
reason or the response excerpt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

LIMITS = "/services/data/*/limits"
QUERY = "/services/data/*/query*"
TOKEN = "/services/oauth2/token"
DESCRIBE = "/services/data/*/sobjects/Account/describe"
CONTACTS = "/services/data/*/sobjects/Contact"

STEPS = ("API limits", "Describe Account within half a second", "Find an account",
         "Create a contact")
TIMEOUT_ORGS = ("slow", "healthy-1")
WRITE_ORGS = ("post-unavailable", "healthy-1")


@dataclass(frozen=True)
class Expect:
    """One step's expected outcome, attempts and explanatory words (all optional but outcome)."""

    outcome: str
    attempts: int | None = None
    words: tuple[str, ...] = ()


OK = Expect("ok", 1)
NOT_HERE = Expect("skipped", words=("not for this org",))
NO_LOGIN = Expect("skipped", words=("could not authenticate",))


@dataclass(frozen=True)
class FaultyOrg:
    """An emulated org, what breaks in it, and what each step should end as."""

    name: str
    emulator: dict[str, Any]
    login: Expect = Expect("ok")
    limits: Expect = OK
    query: Expect = OK
    describe: Expect | None = None
    create: Expect | None = None

    def expected(self) -> list[Expect]:
        """The expected result of each step, in playbook order."""
        describe = self.describe or (OK if self.name in TIMEOUT_ORGS else NOT_HERE)
        create = self.create or (Expect("changed", 1) if self.name in WRITE_ORGS else NOT_HERE)
        if self.login.outcome != "ok":
            return [NO_LOGIN] * len(STEPS)
        return [self.limits, describe, self.query, create]


def _fault(path: str, **rule: Any) -> dict[str, Any]:
    return {"faults": [{"path": path, **rule}]}


ORGS: tuple[FaultyOrg, ...] = (
    FaultyOrg("healthy-1", {}),
    FaultyOrg("healthy-2", {"latency_ms": 20}),
    FaultyOrg("healthy-3", {"type": "sandbox"}),
    FaultyOrg("healthy-4", {}),
    FaultyOrg("server-error", _fault(LIMITS, status=500),
              limits=Expect("failed", 1, ("500", "UNKNOWN_EXCEPTION"))),
    FaultyOrg("unavailable-retry-after", _fault(LIMITS, status=503, retry_after=1, times=1),
              limits=Expect("ok", 2)),
    FaultyOrg("rate-limited", _fault(LIMITS, status=429, times=2), limits=Expect("ok", 3)),
    FaultyOrg("concurrent-limit",
              _fault(LIMITS, status=403, error_code="REQUEST_LIMIT_EXCEEDED",
                     message="ConcurrentPerOrgLongTxn Limit exceeded.", times=1),
              limits=Expect("ok", 2)),
    FaultyOrg("daily-limit", {"daily_api_limit": 1},
              query=Expect("failed", 1, ("403", "REQUEST_LIMIT_EXCEEDED"))),
    FaultyOrg("slow", _fault(DESCRIBE, latency_ms=1500),
              describe=Expect("failed", 4, ("read timeout after 0.5s",))),
    FaultyOrg("reset", _fault(LIMITS, drop=True),
              limits=Expect("failed", 4, ("closed the connection without answering",))),
    FaultyOrg("reset-once", _fault(LIMITS, drop=True, times=1), limits=Expect("ok", 2)),
    FaultyOrg("maintenance", _fault(LIMITS, html=True),
              limits=Expect("failed", 4, ("got 503",))),
    FaultyOrg("maintenance-page-200", _fault(LIMITS, html=True, status=200),
              limits=Expect("failed", 1, ("text/html", "not JSON"))),
    FaultyOrg("maintenance-query-200", _fault(QUERY, html=True, status=200),
              query=Expect("failed", 1, ("text/html", "not JSON"))),
    FaultyOrg("truncated", _fault(QUERY, truncate=True),
              query=Expect("failed", 4, ("cut off before its end",))),
    FaultyOrg("session-expiry",
              {"session_timeout_s": 1, **_fault(LIMITS, latency_ms=1300, times=1)},
              limits=Expect("ok", 2)),
    FaultyOrg("login-unavailable", _fault(TOKEN, status=503, times=1)),
    FaultyOrg("login-refused",
              _fault(TOKEN, status=400, error_code="invalid_grant",
                     message="user hasn't approved this consumer", times=1),
              login=Expect("failed", words=("invalid_grant", "hasn't approved"))),
    FaultyOrg("post-unavailable", _fault(CONTACTS, method="POST", status=503, times=1),
              create=Expect("failed", 1, ("503", "SERVER_UNAVAILABLE"))),
)


def playbook_text() -> str:
    """The fault-matrix playbook: four steps over every org of ORGS."""
    document = {
        "name": "Fault matrix",
        "orgs": {org.name: {"emulator": org.emulator or True} for org in ORGS},
        "steps": [
            {"name": STEPS[0], "request": {"path": "/services/data/v60.0/limits"},
             "expect": {"json": {"DailyApiRequests.Max": {"gt": 0}}}},
            {"name": STEPS[1],
             "request": {"path": "/services/data/v60.0/sobjects/Account/describe"},
             "timeout": 0.5, "orgs": list(TIMEOUT_ORGS)},
            {"name": STEPS[2], "query": "SELECT Id, Name FROM Account LIMIT 1",
             "expect": {"json": {"totalSize": {"gte": 1}}}},
            {"name": STEPS[3],
             "request": {"method": "POST", "path": "/services/data/v60.0/sobjects/Contact",
                         "json": {"LastName": "Fault matrix"}},
             "expect": {"status": 201}, "orgs": list(WRITE_ORGS)},
        ],
    }
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)

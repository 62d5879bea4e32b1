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
    """The fault-matrix playbook: four independent steps over every org of ORGS, each run
    even after another failed (``keep_going``)."""
    document = {
        "name": "Fault matrix",
        "keep_going": True,
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


# -- a hostile server, stuck I/O and broken local files, beside a healthy org ----------------

ORG_TIMEOUT = 10
"""--org-timeout of the hostile run: the org stuck on a silent server is cut here."""
SMALL_CAP = 1 << 20
"""max_response_bytes for the body rows: 1 MB, so the heavy cases stay cheap."""


@dataclass(frozen=True)
class HostileRow:
    """An org whose one step (or login) meets one hostile thing, and how it must end."""

    org: str
    step: dict[str, Any] | None  # the request (None: the login is what fails)
    expect: Expect
    org_options: dict[str, Any] | None = None  # a real (not emulated) org's settings


def _fetch(path: str, **step: Any) -> dict[str, Any]:
    return {"request": {"url": f"{{{{ hostile }}}}{path}"}, **step}


HOSTILE_ROWS: tuple[HostileRow, ...] = (
    HostileRow("gzip-bomb", _fetch("/bomb", max_response_bytes=SMALL_CAP),
               Expect("failed", 1, ("inflates to more than the 1 MB allowed",))),
    HostileRow("announced-5mb", _fetch("/announced", max_response_bytes=SMALL_CAP),
               Expect("failed", 1, ("announces 5 MB, more than the 1 MB allowed",))),
    HostileRow("endless-body", _fetch("/endless", max_response_bytes=SMALL_CAP),
               Expect("failed", 1, ("larger than the 1 MB allowed",))),
    HostileRow("slowloris-body", _fetch("/trickle-body", timeout=0.3),
               Expect("failed", 4, ("read timeout after 0.3s",))),
    HostileRow("slowloris-headers", _fetch("/trickle-headers", timeout=0.3),
               Expect("failed", 4, ("read timeout after 0.3s",))),
    HostileRow("retry-after-119", _fetch("/retry-after"),
               Expect("failed", 1, ("got 503",))),
    HostileRow("silent-past-deadline", _fetch("/silent", timeout=600),
               Expect("failed", 1, ("passed its deadline (--org-timeout)",))),
    HostileRow("escape-sequences", _fetch("/escapes", expect={"status": 201}),
               Expect("failed", 1, ("status: equals 201, got 200",))),
    HostileRow("lone-surrogate", _fetch("/surrogate", expect={"json": {"Name": {"equals": "x"}}}),
               Expect("failed", 1, ("Name: equals 'x', got",))),
    HostileRow("float-overflow", _fetch("/overflow", expect={"json": {"n": {"equals": 1}}}),
               Expect("failed", 1, ("n: equals 1, got inf",))),
    HostileRow("query-pages-loop", {"query": "SELECT Id FROM Account"},
               Expect("failed", 1, ("names a page already read",
                                    "the server's pages go round in a loop")),
               {"login_url": "{{ hostile }}/loop", "private_key": "org.key"}),
    HostileRow("query-pages-capped", {"query": {"soql": "SELECT Id FROM Account",
                                                "max_pages": 1}},
               Expect("failed", 1, ("the query has more than 1 page (max_pages: 1)",)),
               {"login_url": "{{ hostile }}/loop", "private_key": "org.key"}),
    HostileRow("instance-elsewhere", None,
               Expect("failed", words=("collector.example.net is not a Salesforce host",
                                       "instance_hosts")),
               {"login_url": "{{ hostile }}", "private_key": "org.key"}),
    HostileRow("key-dev-zero", None,
               Expect("failed", words=("/dev/zero is a character device",)),
               {"login_url": "https://login.salesforce.com", "private_key": "/dev/zero"}),
    HostileRow("key-fifo", None, Expect("failed", words=("is a named pipe (FIFO)",)),
               {"login_url": "https://login.salesforce.com", "private_key": "fifo.key"}),
    HostileRow("stale-ca-bundle", None,
               Expect("failed", words=("REQUESTS_CA_BUNDLE=", "is not a file")),
               {"login_url": "https://127.0.0.1:9", "private_key": "org.key"}),
)
HEALTHY_STEPS = ("API versions", "Find an account")


def hostile_playbook_text(hostile_url: str) -> str:
    """Every hostile row in its own org (so they run side by side), and one healthy org."""
    orgs: dict[str, Any] = {"healthy": {"emulator": True}}
    steps: list[dict[str, Any]] = [
        {"name": HEALTHY_STEPS[0], "request": {"path": "/services/data/"},
         "orgs": ["healthy"]},
        {"name": HEALTHY_STEPS[1], "query": "SELECT Id, Name FROM Account LIMIT 1",
         "expect": {"json": {"totalSize": {"gte": 1}}}, "orgs": ["healthy"]},
    ]
    for row in HOSTILE_ROWS:
        if row.org_options is None:
            orgs[row.org] = {"emulator": True}
        else:
            orgs[row.org] = {"client_id": "APP", "username": "api.user@example.com",
                             **row.org_options}
        if row.step is not None:
            steps.append({"name": row.org, **row.step, "orgs": [row.org]})
    document = {"name": "Hostile network", "vars": {"hostile": hostile_url},
                "orgs": orgs, "steps": steps, "keep_going": True}
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)

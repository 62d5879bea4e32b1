"""The REST API's front door: versions, authentication, API usage, and the route table.

Every request under ``/services/data/vXX.X/`` needs a live token (else 401
``INVALID_SESSION_ID``), counts against the org's daily limit (else 403
``REQUEST_LIMIT_EXCEEDED``) and carries ``Sforce-Limit-Info: api-usage=N/M``.
The version list itself is public, as on Salesforce.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from runner.emulator import batch, bulk, composite, external, queries, records, replication, search
from runner.emulator.directory import Directory, OrgState
from runner.emulator.errors import RestApiError
from runner.emulator.messages import Request, Response, rest_error
from runner.emulator.routing import Context, Handler, not_found
from runner.emulator.sessions import SessionStore
from runner.emulator.store import Store

OLDEST_VERSION = 31
NEWEST_VERSION = 68
_VERSIONED = re.compile(r"^/services/data/(?:v(\d+\.\d)|latest)(/.*)?$")
_SEASONS = ("Spring", "Summer", "Winter")
MAX_CACHED_ANSWERS = 512


def version_label(major: int) -> str:
    """Release name of an API version: three a year, Winter named after the next year."""
    offset = major - 60
    season = _SEASONS[offset % 3]
    year = 24 + offset // 3 + (1 if season == "Winter" else 0)
    return f"{season} '{year:02d}"


def versions_body() -> list[dict[str, str]]:
    """``GET /services/data``: every served version, ascending, two-digit ``NN.0``."""
    return [
        {"label": version_label(v), "url": f"/services/data/v{v}.0", "version": f"{v}.0"}
        for v in range(OLDEST_VERSION, NEWEST_VERSION + 1)
    ]


def supported(version: str) -> bool:
    """Whether ``NN.0`` is a version this server speaks."""
    major, _, minor = version.partition(".")
    return minor == "0" and major.isdigit() and OLDEST_VERSION <= int(major) <= NEWEST_VERSION


def _resources(ctx: Context, args: list[str]) -> Response:
    if ctx.request.method not in ("GET", "HEAD"):
        return ctx.refuse("GET,HEAD")
    base = f"/services/data/v{ctx.version}"
    # Only what this server answers: a real org lists more, and a client that
    # follows an advertised resource should not meet a 404.
    names = ("tooling", "queryAll", "search", "identity", "composite", "parameterizedSearch",
             "query", "sobjects", "limits")  # fmt: skip
    body = {n: f"{base}/{n}" for n in names}
    user = ctx.user_id
    body["identity"] = f"{ctx.base_url}/id/{ctx.org.org_id}/{user}"
    return Response.json(200, body)


def _limits(ctx: Context, args: list[str]) -> Response:
    if ctx.request.method not in ("GET", "HEAD"):
        return ctx.refuse("GET,HEAD")
    used, limit = ctx.org.usage()
    per_app = {app.name: {"Max": 0, "Remaining": 0} for app in ctx.org.config.apps}
    body: dict[str, Any] = {
        "ConcurrentAsyncGetReportInstances": {"Max": 200, "Remaining": 200},
        "ConcurrentSyncReportRuns": {"Max": 20, "Remaining": 20},
        "DailyApiRequests": {"Max": limit, "Remaining": max(0, limit - used), **per_app},
        "DailyAsyncApexExecutions": {"Max": 250000, "Remaining": 250000},
        "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
        "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000},
        "DailyGenericStreamingApiEvents": {"Max": 10000, "Remaining": 10000},
        "DailyStreamingApiEvents": {"Max": 10000, "Remaining": 10000},
        "DailyWorkflowEmails": {"Max": 2000, "Remaining": 2000},
        "DataStorageMB": {"Max": 5, "Remaining": 5},
        "FileStorageMB": {"Max": 20, "Remaining": 20},
        "HourlyTimeBasedWorkflow": {"Max": 50, "Remaining": 50},
        "MassEmail": {"Max": 10, "Remaining": 10},
        "SingleEmail": {"Max": 15, "Remaining": 15},
    }
    return Response.json(200, body)


def _encoded_once(handler: Handler) -> Handler:
    """A metadata route: its GET answer depends only on the org's schema, the version and the
    path, so it is built and encoded once (describe is ~35 KB of JSON, asked for by every
    health check; orgs configured alike share a schema, hence the answer)."""
    answers: dict[tuple[object, ...], Response] = {}

    def cached(ctx: Context, args: list[str]) -> Response:
        if ctx.request.method not in ("GET", "HEAD"):
            return handler(ctx, args)
        key = (ctx.schema, ctx.version, *(arg.lower() for arg in args))
        answer = answers.get(key)
        if answer is None:
            if len(answers) >= MAX_CACHED_ANSWERS:
                answers.clear()
            answer = answers[key] = handler(ctx, args)  # raises for an unknown object
        return Response(answer.status, answer.body, dict(answer.headers))

    return cached


ROUTES: list[tuple[re.Pattern[str], Handler]] = [
    (re.compile(r"^$"), _resources),
    (re.compile(r"^limits$"), _limits),
    (re.compile(r"^sobjects$"), _encoded_once(records.describe_global)),
    (re.compile(r"^sobjects/([^/]+)$"), records.sobject_root),
    (re.compile(r"^sobjects/([^/]+)/describe$"), _encoded_once(records.describe)),
    (re.compile(r"^sobjects/([^/]+)/(updated|deleted)$", re.IGNORECASE), replication.changes),
    (re.compile(r"^sobjects/([^/]+)/([^/]+)$"), records.record),
    (re.compile(r"^sobjects/([^/]+)/([^/]+)/([^/]+)$"), records.related),
    (re.compile(r"^(query|queryAll)$"), queries.query),
    (re.compile(r"^(query|queryAll)/([^/]+)$"), queries.query_more),
    (re.compile(r"^tooling/query$"), queries.tooling_query),
    (re.compile(r"^composite$"), composite.composite),
    (re.compile(r"^composite/batch$"), batch.composite_batch),
    (re.compile(r"^composite/tree/([^/]+)$"), batch.composite_tree),
    (re.compile(r"^composite/sobjects$"), composite.collections),
    (re.compile(r"^composite/sobjects/([^/]+)$"), composite.retrieve),
    *bulk.routes(),
    (re.compile(r"^search$"), search.search),
    (re.compile(r"^parameterizedSearch$"), search.parameterized),
    (re.compile(r"^composite/sobjects/([^/]+)/([^/]+)$"), external.collection_upsert),
]


def _api_scope(org: OrgState, client_id: str) -> bool:
    """Whether the app that issued the session grants REST access (``api`` or ``full``)."""
    scopes = {s for app in org.config.apps if app.client_id == client_id for s in app.scopes}
    return bool(scopes & {"api", "full"})


class RestApi:
    """Authenticates REST calls, counts them, and dispatches them to their route."""

    def __init__(
        self,
        store: Store,
        directory: Directory,
        sessions: SessionStore,
        base_url: Callable[[], str],
    ) -> None:
        self.store = store
        self.directory = directory
        self.sessions = sessions
        self.base_url = base_url

    def handle(self, request: Request) -> Response:
        """Answer one request under ``/services/data``."""
        if request.path.rstrip("/") == "/services/data":
            return Response.json(200, versions_body())
        match = _VERSIONED.match(request.path)
        if match is None:
            return not_found()
        session = self.sessions.lookup(request.bearer_token())
        org = self.directory.org(session.org_id) if session else None
        if session is None or org is None:
            if request.header("Authorization") and not request.bearer_token():
                return rest_error(401, "INVALID_AUTH_HEADER", "INVALID_HEADER_TYPE")
            return rest_error(401, "INVALID_SESSION_ID", "Session expired or invalid")
        if not _api_scope(org, session.client_id):
            message = "This session is not valid for use with the REST API"
            return rest_error(401, "INVALID_SESSION_ID", message)
        used, limit, allowed = org.count_api_call()
        if not allowed:
            response = rest_error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        elif not supported(version := match.group(1) or f"{NEWEST_VERSION}.0"):
            response = not_found()
        else:
            ctx = Context(
                org, session.user_id, version, request, self.store, self.base_url(), self.dispatch
            )
            response = self.dispatch(ctx, (match.group(2) or "").strip("/"))
        response.headers["Sforce-Limit-Info"] = f"api-usage={used}/{limit}"
        return response

    def dispatch(self, ctx: Context, rest_path: str) -> Response:
        """Route a path relative to ``/services/data/vXX.X/``; also used by composite."""
        override = ctx.request.params().get("_HttpMethod")
        if override and ctx.request.method == "POST":
            ctx.request.method = override.upper()
        for pattern, handler in ROUTES:
            found = pattern.match(rest_path)
            if found is not None:
                try:
                    return handler(ctx, list(found.groups()))
                except RestApiError as error:
                    return Response.json(error.status, error.body())
        return not_found()

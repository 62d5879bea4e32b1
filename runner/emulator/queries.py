"""Query routes: ``query``, ``queryAll``, the next batch by locator, and the tooling query.

The SOQL itself is the store's business; these routes read ``q``, the
``Sforce-Query-Options`` batch size, and answer the tooling queries the
Salesforce CLI makes at login (``SandboxProcess``: none).
"""

from __future__ import annotations

import re
from typing import Any

from runner.emulator import errors
from runner.emulator.columns import column_metadata
from runner.emulator.errors import RestApiError
from runner.emulator.messages import Response
from runner.emulator.routing import Context

DEFAULT_BATCH = 2000
TOOLING_EMPTY = frozenset({"sandboxprocess", "sandboxinfo"})
_BATCH = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)
_FROM = re.compile(r"\bfrom\s+(\w+)", re.IGNORECASE)


def batch_size(ctx: Context) -> int:
    """``Sforce-Query-Options: batchSize=N`` (the store clamps it to 200–2,000)."""
    found = _BATCH.search(ctx.request.header("Sforce-Query-Options"))
    return int(found.group(1)) if found else DEFAULT_BATCH


def _soql(ctx: Context) -> str:
    soql = ctx.request.params().get("q", "")
    if not soql.strip():
        raise RestApiError(400, "MALFORMED_QUERY", "unexpected token: '<EOF>'")
    return soql


def query(ctx: Context, args: list[str]) -> Response:
    """``GET /query?q=`` and ``/queryAll?q=`` (the latter sees deleted records too)."""
    if ctx.request.method not in ("GET", "HEAD"):
        return ctx.refuse("GET,HEAD")
    soql = _soql(ctx)
    body = ctx.store.query(
        ctx.org.org_id,
        soql,
        api_version=ctx.version,
        include_deleted=args[0] == "queryAll",
        batch_size=batch_size(ctx),
        user_id=ctx.user_id,
    )
    if ctx.request.params().get("columns", "").lower() == "true":
        body = column_metadata(soql, ctx.schema)
    return Response.json(200, body)


def query_more(ctx: Context, args: list[str]) -> Response:
    """``GET /query/{locator}`` (also accepted under ``/queryAll/``)."""
    if ctx.request.method not in ("GET", "HEAD"):
        return ctx.refuse("GET,HEAD")
    body = ctx.store.query_more(ctx.org.org_id, args[1], api_version=ctx.version)
    return Response.json(200, body)


def tooling_query(ctx: Context, args: list[str]) -> Response:
    """``GET /tooling/query``: an empty answer for sandbox objects, INVALID_TYPE for others."""
    if ctx.request.method not in ("GET", "HEAD"):
        return ctx.refuse("GET,HEAD")
    soql = _soql(ctx)
    found = _FROM.search(soql)
    if found is None:
        raise errors.soql_error(
            "MALFORMED_QUERY", soql, 1, len(soql) + 1, "unexpected token: '<EOF>'"
        )
    name = found.group(1)
    if name.lower() not in TOOLING_EMPTY:
        column = found.start(1) + 1
        raise errors.soql_error("INVALID_TYPE", soql, 1, column, errors.unsupported_type(name))
    body: dict[str, Any] = {
        "size": 0,
        "totalSize": 0,
        "done": True,
        "queryLocator": None,
        "entityTypeName": name,
        "records": [],
    }
    return Response.json(200, body)

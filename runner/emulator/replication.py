"""Replication: ``GET /sobjects/{Type}/updated`` and ``/deleted`` over a start–end window.

The ids of records changed (``SystemModstamp``) or deleted in the window, with
Salesforce's bounds: both dates required, seconds dropped, the end at least a
minute after the start, the start no further back than 30 days (updated) or
15 days (deleted, the recycle bin's reach), at most 600,000 ids. The end is
capped at the current minute, which is what ``latestDateCovered`` reports; nothing
is ever purged early, so ``earliestDateAvailable`` is the recycle bin's 15 days back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from runner.emulator.errors import RestApiError
from runner.emulator.messages import Response
from runner.emulator.routing import Context
from runner.emulator.values import format_datetime, parse_datetime

WINDOW_DAYS = {"updated": 30, "deleted": 15}
MAX_IDS = 600_000


def _invalid(message: str) -> RestApiError:
    return RestApiError(400, "INVALID_REPLICATION_DATE", message)


def _moment(ctx: Context, name: str) -> dt.datetime:
    text = ctx.request.params().get(name)
    if not text:
        raise RestApiError(400, "MISSING_ARGUMENT", f"Missing the required parameter: {name}")
    moment = parse_datetime(text.replace(" ", "+"))
    if moment is None:
        raise _invalid(f"Invalid date for {name}: {text}")
    return moment.replace(second=0, microsecond=0)


def _soql_time(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _window(ctx: Context, kind: str) -> tuple[dt.datetime, dt.datetime]:
    start, end = _moment(ctx, "start"), _moment(ctx, "end")
    now = ctx.store.clock().astimezone(dt.timezone.utc).replace(second=0, microsecond=0)
    end = min(end, now)
    if end - start < dt.timedelta(minutes=1):
        raise _invalid("startDate must be at least one minute greater than endDate")
    if now - start > dt.timedelta(days=WINDOW_DAYS[kind]):
        raise _invalid(f"startDate cannot be more than {WINDOW_DAYS[kind]} days ago")
    return start, end


def _records(ctx: Context, soql: str, include_deleted: bool) -> list[dict[str, Any]]:
    org = ctx.org.org_id
    page = ctx.store.query(org, soql, api_version=ctx.version, include_deleted=include_deleted)
    records = list(page["records"])
    while not page.get("done", True):
        locator = page["nextRecordsUrl"].rsplit("/", 1)[-1]
        page = ctx.store.query_more(org, locator, api_version=ctx.version)
        records.extend(page["records"])
    if len(records) > MAX_IDS:
        raise RestApiError(400, "EXCEEDED_ID_LIMIT", "record limit reached. Narrow the window")
    return records


def changes(ctx: Context, args: list[str]) -> Response:
    """``updated`` → ``{ids, latestDateCovered}``; ``deleted`` → deleted records and dates."""
    if ctx.request.method not in ("GET", "HEAD"):
        return ctx.refuse("GET,HEAD")
    meta = ctx.schema.get(args[0])
    kind = args[1].lower()
    start, end = _window(ctx, kind)
    window = f"SystemModstamp >= {_soql_time(start)} AND SystemModstamp < {_soql_time(end)}"
    covered = format_datetime(end)
    if kind == "updated":
        found = _records(ctx, f"SELECT Id FROM {meta.name} WHERE {window}", False)
        return Response.json(200, {"ids": [r["Id"] for r in found], "latestDateCovered": covered})
    deleted: list[dict[str, Any]] = []
    if meta.field("IsDeleted"):
        soql = f"SELECT Id, SystemModstamp FROM {meta.name} WHERE IsDeleted = true AND {window}"
        deleted = [
            {"id": r["Id"], "deletedDate": r["SystemModstamp"]}
            for r in _records(ctx, soql, True)
        ]
    now = ctx.store.clock().astimezone(dt.timezone.utc).replace(second=0, microsecond=0)
    earliest = now - dt.timedelta(days=WINDOW_DAYS["deleted"])
    body = {
        "deletedRecords": deleted,
        "earliestDateAvailable": format_datetime(earliest),
        "latestDateCovered": covered,
    }
    return Response.json(200, body)

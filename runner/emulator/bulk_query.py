"""Bulk API 2.0 query jobs: checking the SOQL at creation, running it, and paging the CSV.

The query runs through the store's SOQL (so it filters, sorts and joins parents
exactly as ``/query`` does); Bulk API 2.0's refusals (sub-queries, aggregates,
``GROUP BY``, ``OFFSET``, ``FIELDS()``) come first. Rows are kept as CSV text
values in SELECT order; pages are cut by ``maxRecords`` and named by a
locator that is the base64 of the next row's offset, as Salesforce's look.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from runner.emulator.bulk_jobs import Job
from runner.emulator.errors import RestApiError
from runner.emulator.metadata import SObject
from runner.emulator.schema import Schema
from runner.emulator.soql.ast import (
    Aggregate,
    DateFunction,
    FieldPath,
    FieldsMacro,
    Grouping,
    Query,
    SubQuery,
    TypeOf,
    Wrapped,
)
from runner.emulator.soql.compiler import compile_query
from runner.emulator.soql.parser import parse
from runner.emulator.soql.translate import QueryEnv
from runner.emulator.store import Store
from runner.emulator.values import format_datetime

DEFAULT_PAGE = 10_000
MAX_PAGE = 1_000_000
Paths = tuple[tuple[str, ...], ...]
_SUBQUERY = "Aggregate Relationships not supported in Bulk V2 Query with CSV content type."


def _api_error(message: str) -> RestApiError:
    return RestApiError(400, "API_ERROR", message)


def check_query(soql: str, env: QueryEnv) -> tuple[str, Paths]:
    """(object name, column paths) of a query Bulk API 2.0 accepts; REST's SOQL errors if not."""
    compile_query(soql, env)
    query = parse(soql)
    if any(isinstance(item, SubQuery) for item in query.select):
        raise _api_error(_SUBQUERY)
    if any(isinstance(item, (Aggregate, DateFunction, Grouping)) for item in query.select) or (
        query.group_by
    ):
        raise _api_error("Aggregate queries are not supported by Bulk API 2.0 query jobs.")
    if any(isinstance(item, FieldsMacro) for item in query.select):
        raise _api_error("FIELDS() is not supported by Bulk API 2.0 query jobs.")
    if query.offset is not None:
        raise _api_error("OFFSET is not supported by Bulk API 2.0 query jobs.")
    if any(isinstance(item, TypeOf) for item in query.select):
        raise _api_error("TYPEOF is not supported by Bulk API 2.0 query jobs.")
    meta = env.schema.get(query.sobject.text)
    return meta.name, tuple(_canonical(env.schema, meta, query, item) for item in query.select)


def _canonical(schema: Schema, meta: SObject, query: Query, item: Any) -> tuple[str, ...]:
    """``account.name`` → ``("Account", "Name")``: the names describe gives, for the header."""
    if isinstance(item, Wrapped):
        item = item.inner
    assert isinstance(item, FieldPath)  # the checks above leave only field paths
    parts = list(item.parts)
    if len(parts) > 1 and parts[0].lower() in {meta.name.lower(), (query.alias or "").lower()}:
        parts = parts[1:]
    names: list[str] = []
    current = meta
    for part in parts[:-1]:
        lookup = current.relationship(part)
        assert lookup is not None and lookup.relationship_name  # compile_query checked it
        names.append(lookup.relationship_name)
        target = schema.target(lookup)
        assert target is not None  # compile_query checked it
        current = target
    last = current.field(parts[-1])
    assert last is not None
    names.append(last.name)
    return tuple(names)


def run(store: Store, job: Job, paths: Paths) -> None:
    """Run the job's query and keep its rows as CSV values; the job ends ``JobComplete``."""
    include_deleted = job.operation == "queryAll"
    page = store.query(
        job.org_id, job.query or "", api_version=job.api_version, include_deleted=include_deleted
    )
    rows: list[tuple[str, ...]] = []
    while True:
        rows.extend(tuple(_cell(record, path) for path in paths) for record in page["records"])
        if page.get("done", True):
            break
        locator = page["nextRecordsUrl"].rsplit("/", 1)[-1]
        page = store.query_more(job.org_id, locator, api_version=job.api_version)
    job.columns = tuple(".".join(path) for path in paths)
    job.rows = rows
    job.processed = len(rows)
    job.state = "JobComplete"
    job.modstamp = format_datetime(store.clock())


def _cell(record: dict[str, Any], path: tuple[str, ...]) -> str:
    value: Any = record
    for name in path:
        if not isinstance(value, dict):
            return ""
        value = value.get(name)
    return render(value)


def render(value: Any) -> str:
    """A JSON value as Bulk CSV text: null and empty alike, ``true``, plain numbers, ``Z`` times."""
    if value is None or isinstance(value, dict):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value)
    if len(text) == 28 and text.endswith("+0000") and text[10] == "T":
        return text[:-5] + "Z"
    return text


def locator_for(offset: int) -> str:
    """The opaque locator of the page starting at ``offset``."""
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def offset_of(locator: str) -> int:
    """The offset a locator names; 400 ``INVALIDLOCATOR`` for one this server never gave."""
    try:
        padded = locator + "=" * (-len(locator) % 4)
        text = base64.b64decode(padded.encode(), validate=True).decode()
        if text.isdigit():
            return int(text)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise invalid_locator(locator)


def invalid_locator(locator: str) -> RestApiError:
    """400 ``INVALIDLOCATOR``: a locator this job never gave."""
    return RestApiError(400, "INVALIDLOCATOR", f"InvalidLocator : Invalid locator: {locator}")


def page_size(text: str | None) -> int:
    """``maxRecords``: a positive whole number; 400 ``API_ERROR`` otherwise."""
    if text is None:
        return DEFAULT_PAGE
    if not text.isdigit() or int(text) < 1:
        raise _api_error(f"Invalid value for maxRecords: {text}")
    return min(int(text), MAX_PAGE)

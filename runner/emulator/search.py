"""Search routes: ``GET /search?q=<SOSL>`` and ``/parameterizedSearch`` (GET and POST).

Each object of the search is read through the store's SOQL (its fields, WHERE
and ORDER BY as written in RETURNING), its records kept when the search
expression matches one of the fields of the scope, then LIMIT and OFFSET apply,
per object and overall. There is no relevance ranking: without ORDER BY,
records come in creation order. Answers are ``{"searchRecords": […]}`` (a bare
list before API 37.0), each record with its ``attributes``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

from runner.emulator.errors import RestApiError
from runner.emulator.messages import Response
from runner.emulator.metadata import Field, SObject
from runner.emulator.routing import Context
from runner.emulator.soql.compiler import compile_query
from runner.emulator.soql.lexer import Lexer
from runner.emulator.soql.parser import parse as parse_soql
from runner.emulator.sosl import MAX_LIMIT, Returning, Search, parse, remap
from runner.emulator.sosl_terms import tokens

SEARCHABLE_TEXT = frozenset({"string", "textarea", "email", "phone", "url"})
OBJECT_FORM_SINCE = 37
_RESERVED = re.compile(r"([&|!{}\[\]^~:\\'+\-()])")


def scope_fields(meta: SObject, scope: str) -> list[Field]:
    """The fields ``IN <scope> FIELDS`` searches on an object."""
    names = [f for f in meta.fields if f.name_field]
    emails = [f for f in meta.fields if f.type == "email"]
    phones = [f for f in meta.fields if f.type == "phone"]
    chosen = {
        "ALL": [f for f in meta.fields if f.type in SEARCHABLE_TEXT],
        "NAME": names,
        "EMAIL": emails,
        "PHONE": phones,
        "SIDEBAR": names + emails + phones,
    }[scope]
    return chosen


def _pages(ctx: Context, soql: str) -> list[dict[str, Any]]:
    """Every record of a query, across its batches."""
    org = ctx.org.org_id
    page = ctx.store.query(org, soql, api_version=ctx.version)
    records = list(page["records"])
    while not page.get("done", True):
        locator = page["nextRecordsUrl"].rsplit("/", 1)[-1]
        page = ctx.store.query_more(org, locator, api_version=ctx.version)
        records.extend(page["records"])
    return records


def _matching_ids(ctx: Context, search: Search, meta: SObject) -> set[str]:
    fields = scope_fields(meta, search.scope)
    if not fields:
        return set()
    soql = f"SELECT Id, {', '.join(f.name for f in fields)} FROM {meta.name}"
    found = set()
    for record in _pages(ctx, soql):
        text = [tokens(str(record[f.name])) for f in fields if record.get(f.name)]
        if search.terms.matches(text):
            found.add(record["Id"])
    return found


def _without_paging(soql: str) -> tuple[str, int | None, int]:
    """The query without its LIMIT and OFFSET clauses, and their values."""
    query = parse_soql(soql)
    lexer = Lexer(soql)
    starts = [0] + [i + 1 for i, ch in enumerate(soql) if ch == "\n"]
    cuts = []
    listed = lexer.tokens()
    for i, token in enumerate(listed[:-1]):
        if token.upper in ("LIMIT", "OFFSET"):
            start = starts[token.row - 1] + token.col - 1
            following = listed[i + 1]
            cuts.append(
                (start, starts[following.row - 1] + following.col - 1 + len(following.text))
            )
    for start, end in reversed(cuts):
        soql = soql[:start] + soql[end:]
    return soql, query.limit, query.offset or 0


def _object_records(ctx: Context, search: Search, item: Returning) -> list[dict[str, Any]]:
    try:
        compile_query(item.soql, ctx.store.query_env(ctx.org.org_id, ctx.user_id, False))
    except RestApiError as error:
        raise remap(error, search, item) from None
    meta = ctx.schema.get(item.name)
    matches = _matching_ids(ctx, search, meta)
    if not matches:
        return []
    soql, limit, offset = _without_paging(item.soql)
    kept = [r for r in _pages(ctx, soql) if r["attributes"]["url"].rsplit("/", 1)[-1] in matches]
    end = offset + (limit if limit is not None else MAX_LIMIT)
    return kept[offset:end]


def run(ctx: Context, search: Search) -> Any:
    """The answer to a parsed search, in the shape of the request's API version."""
    items = search.returning or [
        Returning(meta.name, f"SELECT Id FROM {meta.name}", ())
        for meta in ctx.schema.objects()
        if meta.deletable
    ]
    records: list[dict[str, Any]] = []
    for item in items:
        records.extend(_object_records(ctx, search, item))
    records = records[: search.limit]
    if int(ctx.version.split(".")[0]) < OBJECT_FORM_SINCE:
        return records
    return {"searchRecords": records}


def search(ctx: Context, args: list[str]) -> Response:
    """``GET /search?q=FIND {…} …``."""
    if ctx.request.method not in ("GET", "HEAD"):
        return ctx.refuse("GET,HEAD")
    text = ctx.request.params().get("q", "")
    return Response.json(200, run(ctx, parse(text)))


def parameterized(ctx: Context, args: list[str]) -> Response:
    """``/parameterizedSearch``: plain text and options (query string, or a JSON body)."""
    if ctx.request.method == "POST":
        body = ctx.body()
        if not isinstance(body, dict):
            raise RestApiError(400, "JSON_PARSER_ERROR", "Cannot deserialize the search request")
        options = body
    elif ctx.request.method in ("GET", "HEAD"):
        options = _query_options(ctx.request.query)
    else:
        return ctx.refuse("GET,HEAD,POST")
    return Response.json(200, run(ctx, parse(sosl_of(options))))


def _query_options(query: str) -> dict[str, Any]:
    """GET parameters as the POST body's shape (``sobject`` repeats, ``Obj.fields`` per object)."""
    params = parse_qs(query, keep_blank_values=True)
    options: dict[str, Any] = {k: v[-1] for k, v in params.items() if "." not in k}
    names = [n for value in params.get("sobject", []) for n in value.split(",") if n.strip()]
    options["sobjects"] = [
        {
            key: params[f"{name}.{key}"][-1]
            for key in ("fields", "where", "limit")
            if f"{name}.{key}" in params
        }
        | {"name": name.strip()}
        for name in names
    ]
    if isinstance(options.get("fields"), str):
        options["fields"] = options["fields"].split(",")
    return options


def sosl_of(options: dict[str, Any]) -> str:
    """The SOSL statement a parameterized search stands for."""
    text = options.get("q")
    if not isinstance(text, str) or not text.strip():
        raise RestApiError(400, "MALFORMED_SEARCH", "The q parameter is required")
    scope = str(options.get("in") or "ALL").upper()
    escaped = _RESERVED.sub(r"\\\1", text)
    sosl = f"FIND {{{escaped}}} IN {scope} FIELDS"
    default_fields = _names(options.get("fields"))
    default_limit = options.get("defaultLimit")
    parts = []
    for entry in options.get("sobjects") or []:
        if not isinstance(entry, dict) or not entry.get("name"):
            raise RestApiError(400, "INVALID_SEARCH", "Each sobject needs a name")
        fields = _names(entry.get("fields")) or default_fields or "Id"
        where = f" WHERE {entry['where']}" if entry.get("where") else ""
        limit = _number(entry.get("limit") or default_limit, "limit")
        parts.append(f"{entry['name']}({fields}{where}{f' LIMIT {limit}' if limit else ''})")
    if parts:
        sosl += " RETURNING " + ", ".join(parts)
    overall = _number(options.get("overallLimit"), "overallLimit")
    return sosl + (f" LIMIT {overall}" if overall else "")


def _number(value: Any, name: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return int(value)
    raise RestApiError(400, "INVALID_SEARCH", f"Invalid value for {name}: {value}")


def _names(value: Any) -> str:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return ""
    return ", ".join(str(v).strip() for v in value if str(v).strip())

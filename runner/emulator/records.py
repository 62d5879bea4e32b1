"""sObject routes: describe global, describe, basic info, one record's CRUD, relationships.

Thin on purpose: the store enforces the data rules (ids, field names,
required fields, deleted records) and raises Salesforce's errors; these
routes pick the HTTP method and shape the answer (201 SaveResult, 204).
"""

from __future__ import annotations

import re
from typing import Any

from runner.emulator import errors, external, sobjects
from runner.emulator.errors import RestApiError
from runner.emulator.messages import Response
from runner.emulator.routing import Context

_FIELD_NAME = re.compile(r"[A-Za-z][\w.]*")

def record_object(ctx: Context) -> dict[str, Any]:
    """The request body as one record's fields; 400 ``JSON_PARSER_ERROR`` otherwise."""
    body = ctx.body()
    if not isinstance(body, dict):
        kind = "START_ARRAY" if isinstance(body, list) else "VALUE"
        raise RestApiError(
            400, "JSON_PARSER_ERROR", f"Cannot deserialize instance of SObject from {kind} token"
        )
    return body


def describe_global(ctx: Context, args: list[str]) -> Response:
    """``GET /sobjects``."""
    if ctx.request.method not in ("GET", "HEAD"):
        return ctx.refuse("GET,HEAD")
    return Response.json(200, sobjects.describe_global(ctx.schema, ctx.version))


def describe(ctx: Context, args: list[str]) -> Response:
    """``GET /sobjects/{Type}/describe``."""
    if ctx.request.method not in ("GET", "HEAD"):
        return ctx.refuse("GET,HEAD")
    return Response.json(200, sobjects.describe(ctx.schema, args[0], ctx.version))


def sobject_root(ctx: Context, args: list[str]) -> Response:
    """``GET /sobjects/{Type}`` (basic information) and ``POST`` (create)."""
    name = ctx.schema.canonical_name(args[0])
    if ctx.request.method == "POST":
        return create(ctx, name)
    if ctx.request.method not in ("GET", "HEAD"):
        return ctx.refuse("GET,HEAD,POST")
    everything = sobjects.describe_global(ctx.schema, ctx.version)["sobjects"]
    entry = next(e for e in everything if e["name"] == name)
    return Response.json(200, {"objectDescribe": entry, "recentItems": []})


def create(ctx: Context, name: str) -> Response:
    """201 with a SaveResult (``id``, ``success``, ``errors``)."""
    fields = record_object(ctx)
    new_id = ctx.store.create(ctx.org.org_id, name, fields, user_id=ctx.user_id)
    return Response.json(201, {"id": new_id, "success": True, "errors": []})


def record(ctx: Context, args: list[str]) -> Response:
    """``GET``/``PATCH``/``DELETE /sobjects/{Type}/{id}``; ``POST /sobjects/{Type}/Id`` creates."""
    name, record_id = ctx.schema.canonical_name(args[0]), args[1]
    method = ctx.request.method
    if method == "POST" and record_id.lower() == "id" and float(ctx.version) >= 37:
        return create(ctx, name)
    if method in ("GET", "HEAD"):
        wanted = ctx.request.params().get("fields")
        fields = [f.strip() for f in wanted.split(",") if f.strip()] if wanted else None
        found = ctx.store.get(ctx.org.org_id, name, record_id, fields, ctx.version)
        return Response.json(200, found)
    if method == "PATCH":
        changes = record_object(ctx)
        ctx.store.update(ctx.org.org_id, name, record_id, changes, user_id=ctx.user_id)
        return Response.empty(204)
    if method == "DELETE":
        ctx.store.delete(ctx.org.org_id, name, record_id)
        return Response.empty(204)
    return ctx.refuse("GET,HEAD,PATCH,DELETE")


def related(ctx: Context, args: list[str]) -> Response:
    """``/sobjects/{Type}/{Field}/{value}`` (a field of the object: by external id), else
    ``GET /sobjects/{Type}/{id}/{relationship}``: the parent record, or the children."""
    meta = ctx.schema.get(args[0])
    if meta.field(args[1]) is not None:
        return external.by_external_id(ctx, meta, args[1], args[2])
    if ctx.request.method not in ("GET", "HEAD"):
        return ctx.refuse("GET,HEAD")
    record_id, name = args[1], args[2]
    wanted = ctx.request.params().get("fields")
    fields = [f.strip() for f in wanted.split(",") if f.strip()] if wanted else None
    lookup = meta.relationship(name)
    target = ctx.schema.target(lookup) if lookup is not None else None
    if lookup is not None and target is not None:
        row = ctx.store.get(ctx.org.org_id, meta.name, record_id, [lookup.name], ctx.version)
        parent_id = row[lookup.name]
        if parent_id is None:
            raise errors.not_found()
        parent = ctx.schema.by_key_prefix(parent_id[:3]) or target
        return Response.json(
            200, ctx.store.get(ctx.org.org_id, parent.name, parent_id, fields, ctx.version)
        )
    child = ctx.schema.child(meta, name)
    if child is None:
        raise errors.not_found()
    parent_row = ctx.store.get(ctx.org.org_id, meta.name, record_id, ["Id"], ctx.version)
    columns = fields or [f.name for f in child.child.fields]
    bad = next((c for c in columns if not _FIELD_NAME.fullmatch(c)), None)
    if bad is not None:
        raise RestApiError(
            400, "INVALID_FIELD", f"No such column '{bad}' on entity '{child.child.name}'"
        )
    soql = (
        f"SELECT {', '.join(columns)} FROM {child.child.name} "
        f"WHERE {child.field.name} = '{parent_row['Id']}'"
    )
    body = ctx.store.query(ctx.org.org_id, soql, api_version=ctx.version, user_id=ctx.user_id)
    return Response.json(200, body)

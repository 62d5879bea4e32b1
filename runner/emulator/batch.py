"""``/composite/batch`` (independent sub-requests) and ``/composite/tree/{Type}`` (record trees).

A batch runs each sub-request on its own, like separate calls counted as one;
``haltOnError`` answers the rest with 412 ``BATCH_PROCESSING_HALTED``. A tree
creates parents and their children (nested under the child relationship name,
e.g. ``Contacts``) all or nothing: any error rolls everything back and the
answer lists the failing ``referenceId``\\ s.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from runner.emulator.errors import RestApiError
from runner.emulator.messages import Request, Response
from runner.emulator.routing import Context, not_found

MAX_BATCH = 25
MAX_TREE_RECORDS = 200
HALTED = {"errorCode": "BATCH_PROCESSING_HALTED", "message": "Batch processing halted per request"}
_BATCH_URL = re.compile(r"^(?:/services/data/)?v(\d+\.\d)(/.*)?$")


class _TreeFailed(Exception):
    """Undo a tree whose records did not all save."""


def _run(ctx: Context, sub: dict[str, Any]) -> dict[str, Any]:
    parts = urlsplit(str(sub.get("url", "")))
    found = _BATCH_URL.match(parts.path)
    payload = sub.get("richInput")
    data = json.dumps(payload).encode() if payload is not None else b""
    request = Request(
        str(sub.get("method", "")), parts.path, parts.query, ctx.request.headers, data
    )
    if found is None:
        response = not_found()
    else:
        response = ctx.route(found.group(1), request, (found.group(2) or "").strip("/"))
    result = json.loads(response.body) if response.body else None
    return {"statusCode": response.status, "result": result}


def composite_batch(ctx: Context, args: list[str]) -> Response:
    """``POST /composite/batch``: 200 with one result per sub-request, in order."""
    if ctx.request.method != "POST":
        return ctx.refuse("POST")
    body = ctx.body()
    subs = body.get("batchRequests") if isinstance(body, dict) else None
    if not isinstance(subs, list) or not subs or not all(isinstance(s, dict) for s in subs):
        raise RestApiError(400, "JSON_PARSER_ERROR", "batchRequests: an array is required")
    if len(subs) > MAX_BATCH:
        raise RestApiError(400, "LIMIT_EXCEEDED", f"Limit of {MAX_BATCH} batchRequests exceeded")
    halt = bool(body.get("haltOnError", False))
    results: list[dict[str, Any]] = []
    for sub in subs:
        if halt and any(r["statusCode"] >= 400 for r in results):
            results.append({"statusCode": 412, "result": [HALTED]})
        else:
            results.append(_run(ctx, sub))
    has_errors = any(r["statusCode"] >= 400 for r in results)
    return Response.json(200, {"hasErrors": has_errors, "results": results})


def _child_field(ctx: Context, parent: str, child_type: str, relationship: str) -> str:
    link = ctx.schema.child(ctx.schema.get(parent), relationship)
    if link is not None and link.child.name == child_type:
        return link.field.name
    raise RestApiError(
        400, "INVALID_FIELD", f"Invalid field {relationship} for type {parent}", [relationship]
    )


def _save_tree(
    ctx: Context, record: Any, sobject: str, parent: tuple[str, str] | None, out: list[Any]
) -> None:
    """Create ``record`` (and its children); append results and errors to ``out``."""
    attributes = record.get("attributes", {}) if isinstance(record, dict) else {}
    ref = str(attributes.get("referenceId", ""))
    fields: dict[str, Any] = {}
    children: list[tuple[str, list[Any]]] = []
    for key, value in record.items():
        if isinstance(value, dict) and isinstance(value.get("records"), list):
            children.append((key, value["records"]))
        elif key != "attributes":
            fields[key] = value
    try:
        if parent is not None:
            fields[parent[0]] = parent[1]
        new_id = ctx.store.create(ctx.org.org_id, sobject, fields, user_id=ctx.user_id)
    except RestApiError as error:
        out.append({"referenceId": ref, "errors": [error.save_error()]})
        return
    out.append({"referenceId": ref, "id": new_id})
    for relationship, items in children:
        for child in items:
            if not isinstance(child, dict) or not isinstance(child.get("attributes"), dict):
                raise RestApiError(400, "JSON_PARSER_ERROR", "each record needs attributes")
            child_type = ctx.schema.canonical_name(str(child["attributes"].get("type", "")))
            link = _child_field(ctx, sobject, child_type, relationship)
            _save_tree(ctx, child, child_type, (link, new_id), out)


def _count(records: list[Any]) -> int:
    total = 0
    for record in records:
        total += 1
        if isinstance(record, dict):
            for value in record.values():
                if isinstance(value, dict) and isinstance(value.get("records"), list):
                    total += _count(value["records"])
    return total


def composite_tree(ctx: Context, args: list[str]) -> Response:
    """``POST /composite/tree/{Type}``: 201 with every new id, or 400 and nothing saved."""
    if ctx.request.method != "POST":
        return ctx.refuse("POST")
    sobject = ctx.schema.canonical_name(args[0])
    body = ctx.body()
    records = body.get("records") if isinstance(body, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise RestApiError(400, "JSON_PARSER_ERROR", "records: an array of sObjects is required")
    if _count(records) > MAX_TREE_RECORDS:
        raise RestApiError(
            400, "LIMIT_EXCEEDED", f"Maximum number of records exceeded: {MAX_TREE_RECORDS}"
        )
    results: list[dict[str, Any]] = []
    try:
        with ctx.store.transaction():
            for record in records:
                _save_tree(ctx, record, sobject, None, results)
            if any("errors" in r for r in results):
                raise _TreeFailed
    except _TreeFailed:
        failed = [r for r in results if "errors" in r]
        return Response.json(400, {"hasErrors": True, "results": failed})
    return Response.json(201, {"hasErrors": False, "results": results})

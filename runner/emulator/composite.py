"""``/composite`` (sub-requests chained by ``@{ref.field}``) and ``/composite/sobjects``.

Both run inside one store transaction so ``allOrNone`` can roll everything
back; the answers follow Salesforce: a composite is always 200 with one
sub-response per sub-request (``PROCESSING_HALTED`` for the rolled-back or
unreachable ones), collections answer one SaveResult per record, in order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from runner.emulator import ids
from runner.emulator.errors import RestApiError
from runner.emulator.messages import Request, Response
from runner.emulator.routing import Context, not_found

MAX_SUBREQUESTS = 25
MAX_RECORDS = 200
ROLLED_BACK = (
    "The transaction was rolled back since another operation in the same transaction failed."
)
RECORD_ROLLED_BACK = (
    "Record rolled back because not all records were valid and the request was using "
    "AllOrNone header"
)
_REFERENCE = re.compile(r"@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}")
_REFERENCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]*$")
_STEP = re.compile(r"\.([A-Za-z0-9_]+)|\[(\d+)\]")
_SUB_PATH = re.compile(r"^/services/data/v(\d+\.\d)(/.*)?$")


class _Rollback(Exception):
    """Raised inside the transaction to undo an all-or-none group that failed."""


def _bad_request(message: str) -> RestApiError:
    return RestApiError(400, "JSON_PARSER_ERROR", message)


def _halted(reference_id: str, message: str = ROLLED_BACK) -> dict[str, Any]:
    return {
        "body": [{"errorCode": "PROCESSING_HALTED", "message": message}],
        "httpHeaders": {},
        "httpStatusCode": 400,
        "referenceId": reference_id,
    }


def _lookup(refs: dict[str, Any], ref: str, path: str) -> Any:
    """The value at ``path`` in the body of ``ref``; KeyError((``ref.path``, ref)) if none."""
    if ref not in refs:
        raise KeyError((f"{ref}{path}", ref))
    value = refs[ref]
    for name, index in _STEP.findall(path):
        if name and isinstance(value, dict) and name in value:
            value = value[name]
        elif index and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        else:
            raise KeyError((f"{ref}{path}", ref))
    return value


def _resolve(value: Any, refs: dict[str, Any]) -> Any:
    """Replace ``@{ref.path}`` in strings (a whole-string reference keeps the value's type)."""
    if isinstance(value, dict):
        return {k: _resolve(v, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, refs) for v in value]
    if not isinstance(value, str) or "@{" not in value:
        return value
    whole = _REFERENCE.fullmatch(value)
    if whole:
        return _lookup(refs, whole.group(1), whole.group(2))
    return _REFERENCE.sub(lambda m: str(_lookup(refs, m.group(1), m.group(2))), value)


def _sub_requests(ctx: Context) -> tuple[bool, list[dict[str, Any]]]:
    body = ctx.body()
    subs = body.get("compositeRequest") if isinstance(body, dict) else None
    if not isinstance(subs, list) or not subs:
        raise _bad_request("compositeRequest: a non-empty array of subrequests is required")
    if len(subs) > MAX_SUBREQUESTS:
        raise RestApiError(
            400, "LIMIT_EXCEEDED", f"Limit of {MAX_SUBREQUESTS} subrequests exceeded"
        )
    for sub in subs:
        if not isinstance(sub, dict) or not all(k in sub for k in ("method", "url", "referenceId")):
            raise _bad_request("each subrequest needs method, url and referenceId")
        if not _REFERENCE_ID.match(str(sub["referenceId"])):
            raise _bad_request(f"Invalid referenceId: {sub['referenceId']}")
        if sub["method"] not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            raise _bad_request(f"Invalid HTTP method: {sub['method']}")
    return bool(body.get("allOrNone", False)), subs


def _run_one(ctx: Context, sub: dict[str, Any], refs: dict[str, Any]) -> dict[str, Any]:
    ref_id = sub["referenceId"]
    try:
        url = _resolve(sub["url"], refs)
        payload = _resolve(sub.get("body"), refs)
    except KeyError as missing:
        name, ref = missing.args[0]
        text = (
            f"Invalid reference specified. No value for {name} found in {ref}. Provided "
            "referenceId may be invalid or the referenced request may have failed."
        )
        return _halted(ref_id, text)
    parts = urlsplit(url)
    found = _SUB_PATH.match(parts.path)
    data = json.dumps(payload).encode() if payload is not None else b""
    request = Request(sub["method"], parts.path, parts.query, ctx.request.headers, data)
    if found is None:
        response = not_found()
    else:
        response = ctx.route(found.group(1), request, (found.group(2) or "").strip("/"))
    result_body = json.loads(response.body) if response.body else None
    headers: dict[str, str] = {}
    if response.status == 201 and isinstance(result_body, dict) and "id" in result_body:
        headers["Location"] = f"{parts.path.rstrip('/')}/{result_body['id']}"
    return {
        "body": result_body,
        "httpHeaders": headers,
        "httpStatusCode": response.status,
        "referenceId": ref_id,
    }


def composite(ctx: Context, args: list[str]) -> Response:
    """``POST /composite``: always 200, one sub-response per sub-request."""
    if ctx.request.method != "POST":
        return ctx.refuse("POST")
    all_or_none, subs = _sub_requests(ctx)
    results: list[dict[str, Any]] = []
    failed: int | None = None
    try:
        with ctx.store.transaction():
            refs: dict[str, Any] = {}
            for i, sub in enumerate(subs):
                if failed is not None and all_or_none:
                    results.append(_halted(sub["referenceId"]))
                    continue
                result = _run_one(ctx, sub, refs)
                results.append(result)
                if result["httpStatusCode"] >= 400:
                    failed = i if failed is None else failed
                else:
                    refs[sub["referenceId"]] = result["body"]
            if failed is not None and all_or_none:
                raise _Rollback
    except _Rollback:
        results = [r if i == failed else _halted(r["referenceId"]) for i, r in enumerate(results)]
    return Response.json(200, {"compositeResponse": results})


Action = Callable[[], "str | tuple[str, bool] | None"]


def _save(action: Action, record_id: str | None = None) -> dict[str, Any]:
    """Run one collection item in its own savepoint; its SaveResult (UpsertResult for upserts)."""
    try:
        done = action()
    except RestApiError as error:
        result: dict[str, Any] = {"success": False, "errors": [error.save_error()]}
        if record_id is not None:
            result["id"] = record_id
        return result
    if isinstance(done, tuple):
        return {"id": done[0], "success": True, "errors": [], "created": done[1]}
    return {"id": done or record_id, "success": True, "errors": []}


def record_type(ctx: Context, item: Any) -> str:
    """The canonical object name of a collection item's ``attributes.type``."""
    if not isinstance(item, dict):
        raise RestApiError(400, "JSON_PARSER_ERROR", "each record must be a JSON object")
    attributes = item.get("attributes")
    name = attributes.get("type") if isinstance(attributes, dict) else None
    if not isinstance(name, str):
        raise RestApiError(400, "INVALID_TYPE", "No SObject Type defined in JSON")
    return ctx.schema.canonical_name(name)


def collection_body(ctx: Context) -> tuple[bool, list[Any]]:
    """``allOrNone`` and the records of a collection request; 400 when malformed."""
    body = ctx.body()
    items = body.get("records") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise _bad_request("records: an array of sObjects is required")
    if len(items) > MAX_RECORDS:
        raise RestApiError(
            400,
            "EXCEEDED_ID_LIMIT",
            f"record limit reached. cannot submit more than {MAX_RECORDS} records into this call",
        )
    return bool(body.get("allOrNone", False)), items


def _item_action(ctx: Context, method: str, item: Any) -> tuple[Action, str | None]:
    org = ctx.org.org_id
    if method == "POST":
        def create() -> str:
            return ctx.store.create(org, record_type(ctx, item), item, user_id=ctx.user_id)

        return create, None
    if method == "PATCH":
        record_id = _any_case(item, "Id")

        def update() -> None:
            if not isinstance(record_id, str):
                raise RestApiError(400, "MISSING_ARGUMENT", "Id not specified in an update call")
            ctx.store.update(org, record_type(ctx, item), record_id, item, user_id=ctx.user_id)

        return update, record_id if isinstance(record_id, str) else None

    def delete() -> None:
        target = ctx.schema.by_key_prefix(item[:3]) if ids.is_valid_id(item) else None
        if target is None:
            raise RestApiError(400, "MALFORMED_ID", f"malformed id {item}", [])
        ctx.store.delete(org, target.name, item)

    return delete, item


def collections(ctx: Context, args: list[str]) -> Response:
    """``/composite/sobjects``: POST creates, PATCH updates, DELETE ``?ids=`` deletes."""
    method = ctx.request.method
    if method == "DELETE":
        params = ctx.request.params()
        items: list[Any] = [i for i in params.get("ids", "").split(",") if i]
        all_or_none = params.get("allOrNone", "false").lower() == "true"
        if not items or len(items) > MAX_RECORDS:
            raise RestApiError(400, "INVALID_FIELD", f"ids: between 1 and {MAX_RECORDS} ids")
    elif method in ("POST", "PATCH"):
        all_or_none, items = collection_body(ctx)
    else:
        return ctx.refuse("DELETE,PATCH,POST")
    actions = [_item_action(ctx, method, item) for item in items]
    return Response.json(200, run_items(ctx, actions, all_or_none))


def _any_case(item: Any, name: str) -> Any:
    """The value of key ``name`` in any case (field names are case-insensitive), or None."""
    if not isinstance(item, dict):
        return None
    return next((v for k, v in item.items() if k.lower() == name.lower()), None)


def run_items(
    ctx: Context, actions: list[tuple[Action, str | None]], all_or_none: bool
) -> list[dict[str, Any]]:
    """Run each item in its own savepoint; with ``allOrNone``, one failure rolls back all."""
    results: list[dict[str, Any]] = []
    try:
        with ctx.store.transaction():
            for action, record_id in actions:
                with ctx.store.transaction():
                    results.append(_save(action, record_id))
            if all_or_none and not all(r["success"] for r in results):
                raise _Rollback
    except _Rollback:
        rolled = {"statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK", "message": RECORD_ROLLED_BACK}
        results = [
            r if not r["success"] else {"success": False, "errors": [{**rolled, "fields": []}]}
            for r in results
        ]
    return results


def retrieve(ctx: Context, args: list[str]) -> Response:
    """``POST /composite/sobjects/{Type}`` with ``ids`` and ``fields``: records or null."""
    name = ctx.schema.canonical_name(args[0])
    if ctx.request.method == "POST":
        body = ctx.body()
        wanted_ids = body.get("ids") if isinstance(body, dict) else None
        fields = body.get("fields") if isinstance(body, dict) else None
    elif ctx.request.method == "GET":
        params = ctx.request.params()
        wanted_ids = [i for i in params.get("ids", "").split(",") if i]
        fields = [f for f in params.get("fields", "").split(",") if f]
    else:
        return ctx.refuse("GET,POST")
    if not isinstance(wanted_ids, list) or not isinstance(fields, list) or not fields:
        raise _bad_request("ids and fields are required")
    records: list[Any] = []
    for record_id in wanted_ids:
        try:
            records.append(ctx.store.get(ctx.org.org_id, name, str(record_id), fields, ctx.version))
        except RestApiError as error:
            if error.error_code == "INVALID_FIELD":
                raise
            records.append(None)
    return Response.json(200, records)

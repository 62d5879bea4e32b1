"""Records by external id: ``/sobjects/{Type}/{Field}/{value}`` and sObject Collections upsert.

A record is found by a field that is its ``Id``, an external id, or an id lookup
(``Username``, ``Email``…). One match: read, update or delete it; none: PATCH
creates it (201); several: 300 Multiple Choices with their URLs, and nothing is
written. Since API 46.0 an upsert answers an UpsertResult with ``created`` (200 on
update); before, an update is a bare 204.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from runner.emulator import errors
from runner.emulator.composite import Action, collection_body, record_type, run_items
from runner.emulator.errors import RestApiError
from runner.emulator.messages import Response
from runner.emulator.metadata import Field, SObject
from runner.emulator.references import match_key
from runner.emulator.routing import Context
from runner.emulator.store import record_url

CREATED_FLAG_SINCE = 46.0


class MultipleMatches(Exception):
    """An external id value found on more than one record."""

    def __init__(self, record_ids: list[str]) -> None:
        super().__init__(f"{len(record_ids)} records match")
        self.record_ids = record_ids


def match_field(meta: SObject, name: str) -> Field:
    """The field ``name`` when records may be matched on it; 404 as Salesforce words it if not."""
    f = meta.field(name)
    if f is None or not f.matchable:
        raise errors.not_an_id(name)
    return f


def _same(f: Field, one: Any, other: Any) -> bool:
    """Equal as matching compares them: text in any case unless the field is case sensitive."""
    if isinstance(one, str) and isinstance(other, str) and not f.case_sensitive:
        return one.lower() == other.lower()
    return bool(one == other)


def find(ctx: Context, meta: SObject, f: Field, value: Any) -> list[str]:
    """Ids of the live records whose ``f`` is ``value``."""
    key = match_key(f, value)
    if key is None or key == "":
        return []
    return ctx.store.match(ctx.org.org_id, meta.name, f.name, key)


def upsert(
    ctx: Context, meta: SObject, f: Field, value: Any, body: Mapping[str, Any], *,
    update_only: bool = False,
) -> tuple[str, bool]:
    """Update the one record whose ``f`` is ``value``, or create it: (id, created)."""
    fields = _without_key(meta, f, value, body)
    with ctx.store.transaction():
        found = find(ctx, meta, f, value)
        if len(found) > 1:
            raise MultipleMatches(found)
        if found:
            ctx.store.update(ctx.org.org_id, meta.name, found[0], fields, user_id=ctx.user_id)
            return found[0], False
        if update_only or f.type == "id":
            raise errors.not_found()
        created = ctx.store.create(
            ctx.org.org_id, meta.name, {**fields, f.name: value}, user_id=ctx.user_id
        )
        return created, True


def _without_key(
    meta: SObject, f: Field, value: Any, body: Mapping[str, Any]
) -> dict[str, Any]:
    """The body without the matching field; sent with another value, it is refused."""
    fields = {}
    for name, given in body.items():
        if name.lower() != f.name.lower():
            fields[name] = given
        elif not _same(f, match_key(f, given), match_key(f, value)):
            raise RestApiError(
                400,
                "INVALID_FIELD",
                f"The value of {f.name} in the request body ({given}) does not match the "
                f"external id value in the URL ({value})",
                [f.name],
            )
    return fields


def by_external_id(ctx: Context, meta: SObject, field: str, raw_value: str) -> Response:
    """``GET``/``HEAD``/``PATCH``/``DELETE /sobjects/{Type}/{Field}/{value}``."""
    f = match_field(meta, field)
    value = unquote(raw_value)
    method = ctx.request.method
    try:
        if method in ("GET", "HEAD", "DELETE"):
            found = find(ctx, meta, f, value)
            if len(found) > 1:
                raise MultipleMatches(found)
            if not found:
                raise errors.not_found()
            if method == "DELETE":
                ctx.store.delete(ctx.org.org_id, meta.name, found[0])
                return Response.empty(204)
            wanted = ctx.request.params().get("fields")
            names = [n.strip() for n in wanted.split(",") if n.strip()] if wanted else None
            return Response.json(
                200, ctx.store.get(ctx.org.org_id, meta.name, found[0], names, ctx.version)
            )
        if method == "PATCH":
            update_only = ctx.request.params().get("updateOnly", "").lower() == "true"
            record_id, created = upsert(
                ctx, meta, f, value, _record_body(ctx), update_only=update_only
            )
            return _upsert_answer(ctx, record_id, created)
    except MultipleMatches as multiple:
        urls = [record_url(ctx.version, meta.name, i) for i in multiple.record_ids]
        return Response.json(300, urls)
    return ctx.refuse("HEAD,GET,PATCH,DELETE")


def _record_body(ctx: Context) -> dict[str, Any]:
    body = ctx.body()
    if not isinstance(body, dict):
        kind = "START_ARRAY" if isinstance(body, list) else "VALUE"
        raise RestApiError(
            400, "JSON_PARSER_ERROR", f"Cannot deserialize instance of SObject from {kind} token"
        )
    return {k: v for k, v in body.items() if k != "attributes"}


def _upsert_answer(ctx: Context, record_id: str, created: bool) -> Response:
    result: dict[str, Any] = {"id": record_id, "success": True, "errors": []}
    if float(ctx.version) >= CREATED_FLAG_SINCE:
        result["created"] = created
        return Response.json(201 if created else 200, result)
    return Response.json(201, result) if created else Response.empty(204)


def collection_upsert(ctx: Context, args: list[str]) -> Response:
    """``PATCH /composite/sobjects/{Type}/{Field}``: one UpsertResult per record, in order."""
    if float(ctx.version) < CREATED_FLAG_SINCE:
        raise errors.not_found()
    if ctx.request.method != "PATCH":
        return ctx.refuse("PATCH")
    meta = ctx.schema.get(args[0])
    f = match_field(meta, args[1])
    if f.type == "id":
        raise errors.not_an_id(args[1])
    all_or_none, items = collection_body(ctx)
    values = [_item_value(item, f) for item in items]
    keys = [_request_key(f, v) for v in values]
    actions: list[tuple[Action, str | None]] = []
    for item, value, key in zip(items, values, keys, strict=True):
        repeated = key is not None and keys.count(key) > 1
        actions.append((_upsert_action(ctx, meta, f, item, value, repeated), None))
    return Response.json(200, run_items(ctx, actions, all_or_none))


def _request_key(f: Field, value: Any) -> Any:
    """What two values of one request must share to name the same record."""
    key = match_key(f, value) if value not in (None, "") else None
    return key.lower() if isinstance(key, str) and not f.case_sensitive else key


def _item_value(item: Any, f: Field) -> Any:
    if not isinstance(item, dict):
        return None
    return next((v for k, v in item.items() if k.lower() == f.name.lower()), None)


def _upsert_action(
    ctx: Context, meta: SObject, f: Field, item: Any, value: Any, repeated: bool
) -> Action:
    def run() -> tuple[str, bool]:
        if record_type(ctx, item) != meta.name:
            raise RestApiError(
                400, "INVALID_TYPE", f"Record type does not match the type {meta.name} in the URL"
            )
        if value in (None, ""):
            raise RestApiError(400, "MISSING_ARGUMENT", f"{f.name} not specified", [f.name])
        if repeated:
            raise RestApiError(
                400, "DUPLICATE_VALUE", f"Duplicate external id specified: {value}", [f.name]
            )
        body = {k: v for k, v in item.items() if k != "attributes"}
        try:
            return upsert(ctx, meta, f, value, body)
        except MultipleMatches as multiple:
            raise RestApiError(
                400,
                "DUPLICATE_EXTERNAL_ID",
                f"{f.name}: more than one record found for external id field: "
                f"[{', '.join(multiple.record_ids)}]",
                [f.name],
            ) from None

    return run

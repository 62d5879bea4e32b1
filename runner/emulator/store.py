"""The embedded org's records, read as the REST API reads them: by id, and by SOQL.

``Store`` is the one object routes talk to; it inherits writing from
``RecordWriter`` and the connection from ``Database``. Records keep Salesforce's
shapes throughout: 18-character ids, datetimes as Salesforce prints them,
``attributes`` first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from runner.emulator import errors, ids
from runner.emulator.database import Clock, quote
from runner.emulator.paging import DEFAULT_BATCH, Cursor, Locators, clamp_batch
from runner.emulator.rules import named_fields, resolve_id
from runner.emulator.soql.compiler import compile_query
from runner.emulator.soql.translate import Compiled, QueryEnv, Shaper
from runner.emulator.values import from_storage
from runner.emulator.writes import RecordWriter


def record_url(api_version: str, sobject: str, record_id: str) -> str:
    return f"/services/data/v{api_version}/sobjects/{sobject}/{record_id}"



class Store(RecordWriter):
    """Records of every org the emulator hosts; see the module docstring."""

    def __init__(self, path: str | None = None, *, clock: Clock | None = None) -> None:
        super().__init__(path, clock=clock)
        self.locators = Locators()

    def get(
        self,
        org_id: str,
        sobject: str,
        record_id: str,
        fields: list[str] | None,
        api_version: str,
    ) -> dict[str, Any]:
        """One record as ``GET /sobjects/{Type}/{id}[?fields=]`` returns it."""
        self._catch_up(org_id)
        meta = self.schema(org_id).get(sobject)
        wanted = list(meta.fields) if not fields else named_fields(meta, fields)
        if fields and not any(f.name == "Id" for f in wanted):
            wanted.append(meta.by_lower_name["id"])
        record_id = resolve_id(meta, record_id)
        row = self._fetch(org_id, meta, record_id, wanted)
        if row is None or (meta.field("IsDeleted") and row["IsDeleted"]):
            raise errors.not_found()
        record: dict[str, Any] = {
            "attributes": {"type": meta.name, "url": record_url(api_version, meta.name, record_id)}
        }
        for f in wanted:
            record[f.name] = from_storage(f, row[f.name])
        return record

    def count(self, org_id: str, sobject: str) -> int:
        """Live (not deleted) records of one object in one org."""
        self._catch_up(org_id)
        meta = self.schema(org_id).get(sobject)
        live = " AND IsDeleted = 0" if meta.field("IsDeleted") else ""
        rows = self.execute(
            f"SELECT COUNT(*) FROM {quote(meta.name)} WHERE _org = ?{live}",
            (ids.normalize(org_id),),
        )
        return int(rows[0][0])

    def query_env(self, org_id: str, user_id: str | None, include_deleted: bool) -> QueryEnv:
        """What a query of this org is compiled against: its schema, day, user, fiscal year."""
        self._catch_up(org_id)
        return QueryEnv(
            schema=self.schema(org_id),
            today=self.clock().astimezone(dt.timezone.utc).date(),
            user_id=user_id or self.default_user(ids.normalize(org_id)),
            fiscal_start_month=self.fiscal_start_month(org_id),
            include_deleted=include_deleted,
        )

    def find_user(self, username: str) -> tuple[str, str] | None:
        """(org id, user id) of a username, across every org (usernames are global)."""
        reserved = self._reserved.get(username.lower())  # an org whose records are deferred
        if reserved is not None:
            return reserved
        rows = self.execute(
            'SELECT _org, Id FROM "User" WHERE Username = ? ORDER BY _seq LIMIT 1', (username,)
        )
        return (rows[0][0], rows[0][1]) if rows else None

    # -- query ---------------------------------------------------------------------------

    def query(
        self,
        org_id: str,
        soql: str,
        *,
        api_version: str,
        include_deleted: bool = False,
        batch_size: int = DEFAULT_BATCH,
        user_id: str | None = None,
    ) -> dict[str, Any]:
        """The body of ``GET /query?q=`` (or ``/queryAll`` with ``include_deleted``)."""
        self._catch_up(org_id)
        compiled = compile_query(soql, self.query_env(org_id, user_id, include_deleted))
        org_id = ids.normalize(org_id)
        rows = self.execute(compiled.sql, compiled.bind(org_id))
        if compiled.kind == "count":
            return {"totalSize": int(rows[0][0]), "done": True, "records": []}
        cursor = Cursor(org_id, rows, self._shaper(compiled, org_id), clamp_batch(batch_size))
        return self.locators.page(cursor, 0, api_version)

    def _shaper(self, compiled: Compiled, org_id: str) -> Shaper:
        """Row → record, running each child sub-query for the row's id."""
        if not compiled.children:
            return compiled.shape

        def shape(row: Sequence[Any], api_version: str) -> dict[str, Any]:
            record = compiled.shape(row, api_version)
            for child in compiled.children:
                rows = self.execute(child.compiled.sql, child.compiled.bind(org_id, row[0]))
                records = [child.compiled.shape(r, api_version) for r in rows]
                found = {"totalSize": len(records), "done": True, "records": records}
                record[child.key] = found if records else None
            return record

        return shape

    def query_more(self, org_id: str, locator: str, *, api_version: str) -> dict[str, Any]:
        """The next batch of a query (``GET /query/01g…-2000``); 400 INVALID_QUERY_LOCATOR."""
        self._catch_up(org_id)
        return self.locators.more(ids.normalize(org_id), locator, api_version)

    # -- update and delete -----------------------------------------------------------------

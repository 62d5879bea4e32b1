"""The embedded org's records: SQLite tables, one per object, shared by every org.

One connection (in memory, or a file that persists between runs) guarded by a
re-entrant lock: the HTTP server is threaded, and SQLite connections are not.
Each call holds the lock only for its own statements; ``transaction()`` holds it
for the whole all-or-none group. Records keep Salesforce's shapes throughout:
18-character ids, datetimes as Salesforce prints them, ``attributes`` first.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from runner.emulator import errors, ids, sobjects
from runner.emulator.errors import RestApiError
from runner.emulator.metadata import Field, SObject
from runner.emulator.paging import DEFAULT_BATCH, Cursor, Locators, clamp_batch
from runner.emulator.rules import (
    check_body,
    derive,
    named_fields,
    resolve_fields,
    resolve_id,
    same_id,
)
from runner.emulator.soql.translate import Compiled, Shaper, compile_query
from runner.emulator.values import format_datetime, from_storage, to_storage

Clock = Callable[[], dt.datetime]
_CASCADE_FIELD = "AccountId"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def quote(name: str) -> str:
    """An SQL identifier (object and field names are plain ASCII words)."""
    return f'"{name}"'


def record_url(api_version: str, sobject: str, record_id: str) -> str:
    return f"/services/data/v{api_version}/sobjects/{sobject}/{record_id}"


class Store:
    """Records of every org the emulator hosts; see the module docstring."""

    def __init__(self, path: str | None = None, *, clock: Clock | None = None) -> None:
        self._conn = sqlite3.connect(
            path or ":memory:", check_same_thread=False, isolation_level=None
        )
        self._lock = threading.RLock()
        self._depth = 0
        self.clock: Clock = clock or _utc_now
        self.locators = Locators()
        self.in_memory = path is None
        self._deferred: dict[str, Callable[[], object]] = {}
        with self._lock:
            self._create_schema()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- schema ----------------------------------------------------------------------------

    def _create_schema(self) -> None:
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS _orgs (org TEXT PRIMARY KEY, default_user TEXT, "
            "case_seq INTEGER NOT NULL DEFAULT 1000)"
        )
        for sobject in sobjects.SOBJECTS.values():
            columns = ", ".join(_column_sql(f) for f in sobject.fields)
            table = quote(sobject.name)
            self._conn.execute(
                f"CREATE TABLE IF NOT EXISTS {table} "
                f"(_seq INTEGER PRIMARY KEY AUTOINCREMENT, _org TEXT NOT NULL, {columns})"
            )
            self._add_missing_columns(sobject)
            self._conn.execute(
                f"CREATE UNIQUE INDEX IF NOT EXISTS {quote(sobject.name + '_id')} ON {table} (Id)"
            )
            self._conn.execute(
                f"CREATE INDEX IF NOT EXISTS {quote(sobject.name + '_org')} ON {table} (_org, _seq)"
            )
            for f in sobject.fields:
                if f.type == "reference":
                    index = quote(f"{sobject.name}_{f.name}")
                    self._conn.execute(
                        f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({quote(f.name)})"
                    )

    def _add_missing_columns(self, sobject: SObject) -> None:
        """A data file written by an older version gains the fields added since."""
        table = quote(sobject.name)
        present = {row[1] for row in self._conn.execute(f"PRAGMA table_info({table})")}
        for f in sobject.fields:
            if f.name not in present:
                self._conn.execute(f"ALTER TABLE {table} ADD COLUMN {_column_sql(f)}")

    # -- low-level access ------------------------------------------------------------------

    def execute(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        """Run one statement under the lock and return every row."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-none group: everything inside commits together or not at all. Nests."""
        with self._lock:
            name = f"sp{self._depth}"
            self._conn.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._conn.execute(f"ROLLBACK TO {name}")
                self._conn.execute(f"RELEASE {name}")
                raise
            else:
                self._conn.execute(f"RELEASE {name}")
            finally:
                self._depth -= 1

    def _now(self) -> str:
        return format_datetime(self.clock())

    def defer(self, org_id: str, work: Callable[[], object]) -> None:
        """Run ``work`` (an org's sample records) just before its records are first used.

        A health check hosting hundreds of orgs often reads none of their records; in
        memory nothing outlives the process, so the records need not exist before then.
        """
        with self._lock:
            self._deferred[ids.normalize(org_id)] = work

    def _catch_up(self, org_id: str) -> None:
        if not self._deferred:
            return
        try:
            org_id = ids.normalize(org_id)
        except ValueError:
            return
        if org_id not in self._deferred:
            return
        with self._lock:
            work = self._deferred.pop(org_id, None)
            if work is not None:
                with self.transaction():
                    work()

    # -- orgs ------------------------------------------------------------------------------

    def register_org(self, org_id: str, default_user: str | None = None) -> None:
        """Make ``org_id`` known; ``default_user`` owns records created without a user."""
        with self._lock:
            self._conn.execute(
                "INSERT INTO _orgs (org, default_user) VALUES (?, ?) "
                "ON CONFLICT(org) DO UPDATE SET default_user = "
                "COALESCE(excluded.default_user, _orgs.default_user)",
                (ids.normalize(org_id), default_user),
            )

    def default_user(self, org_id: str) -> str | None:
        rows = self.execute("SELECT default_user FROM _orgs WHERE org = ?", (org_id,))
        return rows[0][0] if rows else None

    def _next_case_numbers(self, org_id: str, count: int = 1) -> list[str]:
        """Reserve ``count`` consecutive case numbers of the org in one update."""
        self._conn.execute("INSERT OR IGNORE INTO _orgs (org) VALUES (?)", (org_id,))
        self._conn.execute(
            "UPDATE _orgs SET case_seq = case_seq + ? WHERE org = ?", (count, org_id)
        )
        row = self._conn.execute("SELECT case_seq FROM _orgs WHERE org = ?", (org_id,)).fetchone()
        return [f"{number:08d}" for number in range(row[0] - count + 1, row[0] + 1)]

    def seed_org(
        self,
        org_id: str,
        *,
        organization: Mapping[str, Any],
        users: list[Mapping[str, Any]],
        sample_data: bool = True,
        records: Mapping[str, list[Mapping[str, Any]]] | None = None,
        random_seed: int | None = None,
    ) -> dict[str, str]:
        """Create an org with its users and records; see ``sample_data.seed_org``."""
        from runner.emulator.sample_data import seed_org  # it builds on this module

        return seed_org(
            self,
            org_id,
            organization=organization,
            users=users,
            sample_data=sample_data,
            records=records,
            random_seed=random_seed,
        )

    # -- create ----------------------------------------------------------------------------

    def create(
        self,
        org_id: str,
        sobject: str,
        fields: Mapping[str, Any],
        *,
        user_id: str | None = None,
    ) -> str:
        """Insert one record as ``POST /sobjects/{Type}`` does; return its 18-character id."""
        self._catch_up(org_id)
        meta = sobjects.get(sobject)
        if not meta.createable:
            raise RestApiError(
                400, "INVALID_TYPE_FOR_OPERATION", f"entity type cannot be inserted: {meta.name}"
            )
        values = check_body(meta, fields, creating=True)
        return self.insert(org_id, meta.name, values, user_id=user_id)

    def insert(
        self,
        org_id: str,
        sobject: str,
        values: Mapping[str, Any],
        *,
        user_id: str | None = None,
        record_id: str | None = None,
    ) -> str:
        """Insert without the API's field permissions (seeding, read-only fields), still typed."""
        self._catch_up(org_id)
        meta = sobjects.get(sobject)
        org_id = ids.normalize(org_id)
        row = {f.name: to_storage(f, v) for f, v in resolve_fields(meta, values)}
        with self.transaction():
            new_id = ids.normalize(record_id) if record_id else ids.new_id(meta.key_prefix)
            self._check_references(org_id, meta, row)
            _apply_field_defaults(meta, row)
            user = user_id or self.default_user(org_id)
            now = self._now()
            row = self._stamped(org_id, meta, row, _platform_fields(meta, user, now), now)
            row["Id"] = new_id
            self._insert_rows(org_id, meta, list(row), [row])
        return new_id

    def insert_many(
        self,
        org_id: str,
        sobject: str,
        rows: Sequence[Mapping[str, Any]],
        *,
        user_id: str | None = None,
    ) -> list[str]:
        """Insert rows made by :func:`storage_row` in one statement; return their new ids.

        For seeding: the rows were checked once, when they were made, and their
        references name records of this same seeding, so neither is done again
        per row. Ids, audit fields, owner, case numbers and derived fields are
        filled in here, as ``insert`` fills them.
        """
        meta = sobjects.get(sobject)
        org_id = ids.normalize(org_id)
        with self.transaction():
            user = user_id or self.default_user(org_id)
            now = self._now()
            made = [dict(values) for values in rows]
            if meta.name == "Case":
                numberless = [row for row in made if row.get("CaseNumber") is None]
                numbers = self._next_case_numbers(org_id, len(numberless))
                for row, number in zip(numberless, numbers, strict=True):
                    row["CaseNumber"] = number
            platform = _platform_fields(meta, user, now)
            for row in made:
                self._stamped(org_id, meta, row, platform, now)
                row["Id"] = ids.new_id(meta.key_prefix)
            names = sorted({name for row in made for name in row})
            self._insert_rows(org_id, meta, names, made)
        return [row["Id"] for row in made]

    def _insert_rows(
        self, org_id: str, meta: SObject, names: list[str], rows: list[dict[str, Any]]
    ) -> None:
        placeholders = ", ".join("?" for _ in names)
        self._conn.executemany(
            f"INSERT INTO {quote(meta.name)} (_org, {', '.join(map(quote, names))}) "
            f"VALUES (?, {placeholders})",
            [(org_id, *map(row.get, names)) for row in rows],
        )

    def _stamped(
        self, org_id: str, meta: SObject, row: dict[str, Any], platform: Mapping[str, Any],
        now: str,
    ) -> dict[str, Any]:
        """What the platform sets on a new record: audit fields, owner, case number, formulas."""
        for name, value in platform.items():
            if row.get(name) is None:
                row[name] = value
        if meta.field("IsDeleted"):
            row["IsDeleted"] = 0
        if meta.name == "Case" and row.get("CaseNumber") is None:
            row["CaseNumber"] = self._next_case_numbers(org_id)[0]
        derive(meta, row, {}, now)
        return row

    # -- read ------------------------------------------------------------------------------

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
        meta = sobjects.get(sobject)
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

    def _fetch(
        self, org_id: str, meta: SObject, record_id: str, wanted: list[Field]
    ) -> dict[str, Any] | None:
        names = {f.name for f in wanted}
        if meta.field("IsDeleted"):
            names.add("IsDeleted")
        columns = sorted(names)
        rows = self.execute(
            f"SELECT {', '.join(map(quote, columns))} FROM {quote(meta.name)} "
            "WHERE Id = ? AND _org = ?",
            (record_id, ids.normalize(org_id)),
        )
        return dict(zip(columns, rows[0], strict=True)) if rows else None

    def exists(self, org_id: str, sobject: str, record_id: str) -> bool:
        """True when the record is there and not deleted."""
        self._catch_up(org_id)
        meta = sobjects.get(sobject)
        live = " AND IsDeleted = 0" if meta.field("IsDeleted") else ""
        rows = self.execute(
            f"SELECT 1 FROM {quote(meta.name)} WHERE Id = ? AND _org = ?{live}",
            (record_id, ids.normalize(org_id)),
        )
        return bool(rows)

    def count(self, org_id: str, sobject: str) -> int:
        """Live (not deleted) records of one object in one org."""
        self._catch_up(org_id)
        meta = sobjects.get(sobject)
        live = " AND IsDeleted = 0" if meta.field("IsDeleted") else ""
        rows = self.execute(
            f"SELECT COUNT(*) FROM {quote(meta.name)} WHERE _org = ?{live}",
            (ids.normalize(org_id),),
        )
        return int(rows[0][0])

    def find_user(self, username: str) -> tuple[str, str] | None:
        """(org id, user id) of a username, across every org (usernames are global)."""
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
    ) -> dict[str, Any]:
        """The body of ``GET /query?q=`` (or ``/queryAll`` with ``include_deleted``)."""
        self._catch_up(org_id)
        org_id = ids.normalize(org_id)
        today = self.clock().astimezone(dt.timezone.utc).date()
        compiled = compile_query(soql, include_deleted=include_deleted, today=today)
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

    def update(
        self,
        org_id: str,
        sobject: str,
        record_id: str,
        fields: Mapping[str, Any],
        *,
        user_id: str | None = None,
    ) -> None:
        """Change some fields as ``PATCH /sobjects/{Type}/{id}`` does."""
        self._catch_up(org_id)
        meta = sobjects.get(sobject)
        org_id = ids.normalize(org_id)
        record_id = resolve_id(meta, record_id)
        body = {
            k: v for k, v in fields.items() if not (k.lower() == "id" and same_id(v, record_id))
        }
        values = check_body(meta, body, creating=False)
        with self.transaction():
            current = self._fetch(org_id, meta, record_id, list(meta.fields))
            if current is None:
                raise errors.not_found()
            if current.get("IsDeleted"):
                raise errors.entity_is_deleted()
            changes = {f.name: to_storage(f, v) for f, v in resolve_fields(meta, values)}
            self._check_references(org_id, meta, changes)
            derive(meta, changes, current, self._now())
            changes["LastModifiedDate"] = changes["SystemModstamp"] = self._now()
            changes["LastModifiedById"] = user_id or self.default_user(org_id)
            assignments = ", ".join(f"{quote(n)} = ?" for n in changes)
            self._conn.execute(
                f"UPDATE {quote(meta.name)} SET {assignments} WHERE Id = ?",
                [*changes.values(), record_id],
            )

    def delete(self, org_id: str, sobject: str, record_id: str) -> None:
        """Move a record to the recycle bin (``queryAll`` still sees it), with its children."""
        self._catch_up(org_id)
        meta = sobjects.get(sobject)
        org_id = ids.normalize(org_id)
        record_id = resolve_id(meta, record_id)
        if not meta.deletable:
            raise RestApiError(
                400, "INVALID_TYPE_FOR_OPERATION", f"entity type cannot be deleted: {meta.name}"
            )
        with self.transaction():
            current = self._fetch(org_id, meta, record_id, [meta.by_lower_name["id"]])
            if current is None:
                raise errors.not_found()
            if current.get("IsDeleted"):
                raise errors.entity_is_deleted()
            now = self._now()
            self._conn.execute(
                f"UPDATE {quote(meta.name)} SET IsDeleted = 1, SystemModstamp = ? WHERE Id = ?",
                (now, record_id),
            )
            self._cascade_delete(org_id, meta, record_id, now)

    def _cascade_delete(self, org_id: str, meta: SObject, record_id: str, now: str) -> None:
        """Deleting an Account deletes its Contacts, Opportunities and Cases, as Salesforce does."""
        for child in sobjects.SOBJECTS.values():
            f = child.field(_CASCADE_FIELD)
            if f is None or meta.name not in f.reference_to or not child.field("IsDeleted"):
                continue
            self._conn.execute(
                f"UPDATE {quote(child.name)} SET IsDeleted = 1, SystemModstamp = ? "
                f"WHERE {quote(f.name)} = ? AND _org = ? AND IsDeleted = 0",
                (now, record_id, org_id),
            )

    def _check_references(self, org_id: str, meta: SObject, row: Mapping[str, Any]) -> None:
        """Every reference must name a live record of the right object in the same org."""
        for name, value in row.items():
            f = meta.field(name)
            if f is None or f.type != "reference" or value is None:
                continue
            target = sobjects.by_key_prefix(ids.key_prefix(value))
            if target is None or not self.exists(org_id, target.name, value):
                raise RestApiError(
                    400,
                    "INVALID_CROSS_REFERENCE_KEY",
                    "invalid cross reference id",
                    [f.name],
                )


def storage_row(sobject: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """A create body checked as the API checks it, in storage form, with field defaults.

    What :meth:`Store.insert_many` takes: made once, it can seed any number of orgs.
    """
    meta = sobjects.get(sobject)
    checked = check_body(meta, values, creating=True)
    row = {f.name: to_storage(f, v) for f, v in resolve_fields(meta, checked)}
    _apply_field_defaults(meta, row)
    return row


def _platform_fields(meta: SObject, user: str | None, now: str) -> dict[str, Any]:
    """Audit fields and owner of a new record, those the object has (unless the row sets them)."""
    values = {
        "CreatedDate": now,
        "LastModifiedDate": now,
        "SystemModstamp": now,
        "CreatedById": user,
        "LastModifiedById": user,
        "OwnerId": user,
    }
    return {name: value for name, value in values.items() if meta.field(name)}


def _apply_field_defaults(meta: SObject, row: dict[str, Any]) -> None:
    for f in meta.fields:
        if row.get(f.name) is None and f.default is not None:
            row[f.name] = to_storage(f, f.default)


def _column_sql(f: Field) -> str:
    collate = " COLLATE NOCASE" if f.is_text and f.type != "id" else ""
    return f"{quote(f.name)} {f.sql_type}{collate}"

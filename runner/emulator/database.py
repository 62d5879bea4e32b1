"""The embedded org's SQLite database: one table per object, shared by every org.

One connection (in memory, or a file that persists between runs) guarded by a
re-entrant lock: the HTTP server is threaded, and SQLite connections are not.
Each call holds the lock only for its own statements; ``transaction()`` holds it
for the whole all-or-none group. Also here: which orgs exist, who owns records
created without a user, and the work deferred until an org's records are first used.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from runner.emulator import ids
from runner.emulator.metadata import Field, SObject
from runner.emulator.schema import STANDARD, Schema
from runner.emulator.values import auto_number, format_datetime

Clock = Callable[[], dt.datetime]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def quote(name: str) -> str:
    """An SQL identifier (object and field names are plain ASCII words)."""
    return f'"{name}"'



class Database:
    """The connection, its lock and transactions, the tables, and the registry of orgs."""

    def __init__(self, path: str | None = None, *, clock: Clock | None = None) -> None:
        self._conn = sqlite3.connect(
            path or ":memory:", check_same_thread=False, isolation_level=None
        )
        self._lock = threading.RLock()
        self._depth = 0
        self.clock: Clock = clock or _utc_now
        self.in_memory = path is None
        self._deferred: dict[str, Callable[[], object]] = {}
        self._reserved: dict[str, tuple[str, str]] = {}  # username: (org id, user id), deferred
        self._reserved_by_org: dict[str, list[str]] = {}
        self._schemas: dict[str, Schema] = {}
        self._fiscal: dict[str, int] = {}
        self._tables: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        with self._lock:
            self._create_schema()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- tables ----------------------------------------------------------------------------

    def _create_schema(self) -> None:
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS _orgs (org TEXT PRIMARY KEY, default_user TEXT, "
            "case_seq INTEGER NOT NULL DEFAULT 1000)"
        )
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS _sequences (org TEXT NOT NULL, name TEXT NOT NULL, "
            "value INTEGER NOT NULL, PRIMARY KEY (org, name))"
        )
        self._ensure_tables(STANDARD)

    def _ensure_tables(self, schema: Schema) -> None:
        """A table per object of ``schema``, with a column per field (added when missing)."""
        for sobject in schema.objects():
            if sobject.table_key not in self._tables:
                self._ensure_table(sobject)
                self._tables.add(sobject.table_key)

    def _ensure_table(self, sobject: SObject) -> None:
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
            if f.type == "reference" or (f.matchable and f.type != "id"):
                index = quote(f"{sobject.name}_{f.name}")
                self._conn.execute(
                    f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({quote(f.name)})"
                )

    def _add_missing_columns(self, sobject: SObject) -> None:
        """A data file written by an older version (or another org) gains the missing fields."""
        table = quote(sobject.name)
        present = {row[1].lower() for row in self._conn.execute(f"PRAGMA table_info({table})")}
        for f in sobject.fields:
            if f.name.lower() not in present:
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

    def defer(self, org_id: str, work: Callable[[], object],
              users: Mapping[str, str] | None = None) -> None:
        """Run ``work`` (an org's users, then its sample records) just before its records are
        first used; ``users`` (username: id), whose records ``work`` stores, are found by
        ``find_user`` meanwhile.

        A health check hosting hundreds of orgs often reads none of their records; in
        memory nothing outlives the process, so the records need not exist before then.
        """
        org_id = ids.normalize(org_id)
        with self._lock:
            self._deferred[org_id] = work
            for username, user_id in (users or {}).items():
                self._reserved[username.lower()] = (org_id, user_id)
                self._reserved_by_org.setdefault(org_id, []).append(username.lower())

    def _catch_up(self, org_id: str) -> None:
        if not self._deferred:
            return
        try:
            org_id = ids.normalize(org_id)
        except ValueError:
            return
        if org_id not in self._deferred:
            return
        with self._lock:  # an org's users, then its sample records: each deferred in turn
            while (work := self._deferred.pop(org_id, None)) is not None:
                for username in self._reserved_by_org.pop(org_id, ()):
                    del self._reserved[username]
                with self.transaction():
                    work()

    # -- orgs ------------------------------------------------------------------------------

    def register_org(
        self,
        org_id: str,
        default_user: str | None = None,
        schema: Schema | None = None,
        fiscal_start_month: int | None = None,
    ) -> None:
        """Make ``org_id`` known; ``default_user`` owns records created without a user.

        ``schema`` is the org's set of objects (default: the standard ones), whose
        tables are made now; ``fiscal_start_month`` starts its fiscal year (default 1).
        """
        with self._lock:
            if schema is not None:
                self._ensure_tables(schema)
                self._schemas[ids.normalize(org_id)] = schema
            if fiscal_start_month is not None:
                self._fiscal[ids.normalize(org_id)] = fiscal_start_month
            self._conn.execute(
                "INSERT INTO _orgs (org, default_user) VALUES (?, ?) "
                "ON CONFLICT(org) DO UPDATE SET default_user = "
                "COALESCE(excluded.default_user, _orgs.default_user)",
                (ids.normalize(org_id), default_user),
            )

    def knows(self, org_id: str) -> bool:
        """Whether ``org_id`` is registered (a persisted store holds the orgs of earlier runs)."""
        return bool(self.execute("SELECT 1 FROM _orgs WHERE org = ?", (ids.normalize(org_id),)))

    def default_user(self, org_id: str) -> str | None:
        rows = self.execute("SELECT default_user FROM _orgs WHERE org = ?", (org_id,))
        return rows[0][0] if rows else None

    def schema(self, org_id: str) -> Schema:
        """The objects of an org: its own schema, or the standard one."""
        try:
            return self._schemas.get(ids.normalize(org_id), STANDARD)
        except ValueError:
            return STANDARD

    def fiscal_start_month(self, org_id: str) -> int:
        """The month (1–12) an org's fiscal year starts in."""
        try:
            return self._fiscal.get(ids.normalize(org_id), 1)
        except ValueError:
            return 1

    def _next_numbers(self, org_id: str, meta: SObject, f: Field, count: int) -> list[str]:
        """Reserve ``count`` consecutive values of an auto-number field, formatted."""
        name = f"{meta.name}.{f.name}"
        start = 1000 if name == "Case.CaseNumber" else 0
        self._conn.execute(
            "INSERT OR IGNORE INTO _sequences (org, name, value) VALUES (?, ?, "
            "COALESCE((SELECT case_seq FROM _orgs WHERE org = ? AND ? = 'Case.CaseNumber'), ?))",
            (org_id, name, org_id, name, start),
        )
        self._conn.execute(
            "UPDATE _sequences SET value = value + ? WHERE org = ? AND name = ?",
            (count, org_id, name),
        )
        row = self._conn.execute(
            "SELECT value FROM _sequences WHERE org = ? AND name = ?", (org_id, name)
        ).fetchone()
        today = self.clock().date()
        return [
            auto_number(f.auto_number or "{0}", n, today)
            for n in range(row[0] - count + 1, row[0] + 1)
        ]

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

    def match(self, org_id: str, sobject: str, field: str, value: Any) -> list[str]:
        """Ids of the live records whose ``field`` equals ``value`` (text: any case, unless the
        field is case sensitive), oldest first; at most 100."""
        self._catch_up(org_id)
        meta = self.schema(org_id).get(sobject)
        f = meta.by_lower_name[field.lower()]
        exact = " COLLATE BINARY" if f.case_sensitive else ""
        live = " AND IsDeleted = 0" if meta.field("IsDeleted") else ""
        rows = self.execute(
            f"SELECT Id FROM {quote(meta.name)} WHERE _org = ? AND {quote(f.name)} = ?{exact}"
            f"{live} ORDER BY _seq LIMIT 100",
            (ids.normalize(org_id), value),
        )
        return [row[0] for row in rows]

    def exists(self, org_id: str, sobject: str, record_id: str) -> bool:
        """True when the record is there and not deleted."""
        self._catch_up(org_id)
        meta = self.schema(org_id).get(sobject)
        live = " AND IsDeleted = 0" if meta.field("IsDeleted") else ""
        rows = self.execute(
            f"SELECT 1 FROM {quote(meta.name)} WHERE Id = ? AND _org = ?{live}",
            (record_id, ids.normalize(org_id)),
        )
        return bool(rows)



def _column_sql(f: Field) -> str:
    collate = " COLLATE NOCASE" if f.is_text and f.type != "id" else ""
    return f"{quote(f.name)} {f.sql_type}{collate}"

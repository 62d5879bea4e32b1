"""Writing records as the REST API does: create, update and delete, with the platform's rules.

Bodies are checked by ``rules`` (field names, permissions, types, required
fields); this layer adds what needs the database: references to live records,
unique values, ids, audit fields and owner, auto numbers, cascade deletes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from runner.emulator import errors, ids
from runner.emulator.database import Database, quote
from runner.emulator.errors import RestApiError
from runner.emulator.metadata import SObject
from runner.emulator.references import resolve_references
from runner.emulator.rules import check_body, derive, resolve_fields, resolve_id, same_id
from runner.emulator.schema import Schema
from runner.emulator.values import to_storage

MAX_CASCADE_DEPTH = 8


class RecordWriter(Database):
    """Create, update and delete; the database below, the queries above (``Store``)."""

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
        meta = self.schema(org_id).get(sobject)
        if not meta.createable:
            raise RestApiError(
                400, "INVALID_TYPE_FOR_OPERATION", f"entity type cannot be inserted: {meta.name}"
            )
        fields = self._with_references(org_id, meta, fields)
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
        meta = self.schema(org_id).get(sobject)
        org_id = ids.normalize(org_id)
        row = {f.name: to_storage(f, v) for f, v in resolve_fields(meta, values)}
        with self.transaction():
            new_id = ids.normalize(record_id) if record_id else ids.new_id(meta.key_prefix)
            self._check_references(org_id, meta, row)
            self._check_unique(org_id, meta, row, None)
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
        meta = self.schema(org_id).get(sobject)
        org_id = ids.normalize(org_id)
        with self.transaction():
            user = user_id or self.default_user(org_id)
            now = self._now()
            made = [dict(values) for values in rows]
            self._number(org_id, meta, made)
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
        self._number(org_id, meta, [row])
        derive(meta, row, {}, now)
        return row

    def _number(self, org_id: str, meta: SObject, rows: list[dict[str, Any]]) -> None:
        """Give the auto-number fields of new rows their next values, in row order."""
        for f in meta.fields:
            if f.auto_number is None:
                continue
            numberless = [row for row in rows if row.get(f.name) is None]
            if numberless:
                numbers = self._next_numbers(org_id, meta, f, len(numberless))
                for row, number in zip(numberless, numbers, strict=True):
                    row[f.name] = number

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
        meta = self.schema(org_id).get(sobject)
        org_id = ids.normalize(org_id)
        record_id = resolve_id(meta, record_id)
        body = {
            k: v for k, v in fields.items() if not (k.lower() == "id" and same_id(v, record_id))
        }
        values = check_body(meta, self._with_references(org_id, meta, body), creating=False)
        with self.transaction():
            current = self._fetch(org_id, meta, record_id, list(meta.fields))
            if current is None:
                raise errors.not_found()
            if current.get("IsDeleted"):
                raise errors.entity_is_deleted()
            changes = {f.name: to_storage(f, v) for f, v in resolve_fields(meta, values)}
            self._check_references(org_id, meta, changes)
            self._check_unique(org_id, meta, changes, record_id)
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
        meta = self.schema(org_id).get(sobject)
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
            self._cascade_delete(org_id, meta, [record_id], now)

    def _cascade_delete(
        self, org_id: str, meta: SObject, record_ids: list[str], now: str, depth: int = 0
    ) -> None:
        """Children whose lookup cascades (Account's Contacts, a master-detail's details) go too."""
        if not record_ids or depth > MAX_CASCADE_DEPTH:
            return
        schema = self.schema(org_id)
        marks = ", ".join("?" for _ in record_ids)
        for link in schema.children(meta):
            child, f = link.child, link.field
            if not f.cascade_delete or not child.field("IsDeleted"):
                continue
            where = f"WHERE {quote(f.name)} IN ({marks}) AND _org = ? AND IsDeleted = 0"
            doomed = [row[0] for row in self._conn.execute(
                f"SELECT Id FROM {quote(child.name)} {where}", (*record_ids, org_id)
            )]  # fmt: skip
            self._conn.execute(
                f"UPDATE {quote(child.name)} SET IsDeleted = 1, SystemModstamp = ? {where}",
                (now, *record_ids, org_id),
            )
            self._cascade_delete(org_id, child, doomed, now, depth + 1)

    def _with_references(
        self, org_id: str, meta: SObject, body: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Lookups given by a parent's external id (``"Account__r": {"Ext__c": "1"}``), as ids."""

        def match(sobject: str, field: str, value: Any) -> list[str]:
            return self.match(org_id, sobject, field, value)

        return resolve_references(self.schema(org_id), meta, body, match)

    def _check_references(self, org_id: str, meta: SObject, row: Mapping[str, Any]) -> None:
        """Every reference must name a live record of the right object in the same org."""
        schema = self.schema(org_id)
        for name, value in row.items():
            f = meta.field(name)
            if f is None or f.type != "reference" or value is None:
                continue
            target = schema.by_key_prefix(ids.key_prefix(value))
            if target is None or not self.exists(org_id, target.name, value):
                raise RestApiError(
                    400,
                    "INVALID_CROSS_REFERENCE_KEY",
                    "invalid cross reference id",
                    [f.name],
                )

    def _check_unique(
        self, org_id: str, meta: SObject, row: Mapping[str, Any], record_id: str | None
    ) -> None:
        """A unique field's value may be on one live record only (DUPLICATE_VALUE)."""
        for name, value in row.items():
            f = meta.field(name)
            if f is None or not f.unique or f.type == "id" or value in (None, ""):
                continue
            exact = " COLLATE BINARY" if f.case_sensitive else ""
            live = " AND IsDeleted = 0" if meta.field("IsDeleted") else ""
            found = self._conn.execute(
                f"SELECT Id FROM {quote(meta.name)} WHERE _org = ? AND {quote(f.name)} = ?{exact}"
                f" AND Id IS NOT ?{live} LIMIT 1",
                (org_id, value, record_id),
            ).fetchone()
            if found is not None:
                raise RestApiError(
                    400,
                    "DUPLICATE_VALUE",
                    f"duplicate value found: {f.name} duplicates value on record with id: "
                    f"{found[0][:15]}",
                    [],
                )


def storage_row(schema: Schema, sobject: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """A create body checked as the API checks it, in storage form, with field defaults.

    What :meth:`Store.insert_many` takes: made once, it can seed any number of orgs.
    """
    meta = schema.get(sobject)
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

"""Processing a Bulk API 2.0 ingest job: each CSV row becomes one insert, update, upsert or delete.

Rows go through the same store calls as the REST API, so they meet the same
rules (required fields, lengths, references); a row that breaks one is a
failed result with Salesforce's ``sf__Error`` text (``CODE:message:fields --``)
and the others still succeed, as in a real job. A header naming an unknown
field fails the whole job, as Salesforce does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from runner.emulator import ids
from runner.emulator.bulk_csv import NULL_VALUE, CsvError, parse_upload
from runner.emulator.bulk_jobs import Job
from runner.emulator.database import quote
from runner.emulator.errors import RestApiError
from runner.emulator.metadata import Field, SObject
from runner.emulator.schema import Schema
from runner.emulator.store import Store
from runner.emulator.values import format_datetime

ID_ONLY = frozenset({"delete", "hardDelete"})


@dataclass(frozen=True)
class Column:
    """A header column: a field of the job's object, or ``Relationship.Field`` on a parent."""

    name: str
    field: Field
    parent: SObject | None = None
    parent_field: Field | None = None


class RowError(Exception):
    """A row that fails: its ``sf__Error`` text."""


def error_text(error: RestApiError) -> str:
    """``CODE:message:fields --`` (``CODE:message:--`` without fields), as in ``sf__Error``."""
    names = " ".join(error.fields or [])
    return f"{error.error_code}:{error.message}:{names + ' ' if names else ''}--"


def is_lookup_field(meta: SObject, name: str) -> Field | None:
    """The field if it can identify a record: ``Id``, or an external-id / unique field."""
    f = meta.field(name)
    if f is not None and (f.type == "id" or f.external_id or f.unique):
        return f
    return None


def _columns(
    schema: Schema, meta: SObject, names: Sequence[str], operation: str
) -> list[Column]:
    columns = []
    for name in names:
        relationship, dot, target = name.partition(".")
        if not dot:
            f = meta.field(name.strip())
            if f is None:
                raise CsvError(f"InvalidBatch : Field name not found : {name}")
            columns.append(Column(name, f))
            continue
        lookup = meta.relationship(relationship)
        parent = schema.target(lookup) if lookup is not None else None
        if lookup is None or parent is None:
            raise CsvError(f"InvalidBatch : Unable to find relationship: {relationship}")
        parent_field = is_lookup_field(parent, target)
        if parent_field is None:
            raise CsvError(f"InvalidBatch : Field name not found : {name}")
        columns.append(Column(name, lookup, parent, parent_field))
    if operation in ID_ONLY and not any(c.field.type == "id" for c in columns):
        raise CsvError("InvalidBatch : Field name not found : Id")
    return columns


def process(store: Store, job: Job) -> None:
    """Apply every row of the job's upload; fill its results, counters and final state."""
    schema = store.schema(job.org_id)
    meta = schema.get(job.object)
    try:
        upload = parse_upload(job.data or "", job.column_delimiter, job.line_ending)
        job.upload = upload
        columns = _columns(schema, meta, upload.columns, job.operation)
    except CsvError as exc:
        _finish(store, job, "Failed", str(exc))
        return
    applier = _Applier(store, job, meta, columns)
    for row in upload.rows:
        try:
            record_id, created = applier.apply(row)
        except RowError as exc:
            job.failures.append(("", str(exc), *row))
            job.failed += 1
        else:
            job.successes.append((record_id, "true" if created else "false", *row))
        job.processed += 1
    _finish(store, job, "JobComplete", None)


def _finish(store: Store, job: Job, state: str, message: str | None) -> None:
    job.state = state
    job.error_message = message
    job.modstamp = format_datetime(store.clock())


class _Applier:
    """Turns one row into one store call."""

    def __init__(self, store: Store, job: Job, meta: SObject, columns: list[Column]) -> None:
        self.store = store
        self.job = job
        self.meta = meta
        self.columns = columns

    def apply(self, row: Sequence[str]) -> tuple[str, bool]:
        """(record id, created) for a row that succeeded; RowError otherwise."""
        try:
            values = self._values(row)
            return self._operation(values)
        except RestApiError as error:
            raise RowError(error_text(error)) from None

    def _values(self, row: Sequence[str]) -> dict[str, Any]:
        """Field → value: an empty cell leaves the field alone, ``#N/A`` sets it to null."""
        values: dict[str, Any] = {}
        for column, raw in zip(self.columns, row, strict=True):
            if raw == "":
                continue
            value = None if raw == NULL_VALUE else raw
            if column.parent is not None and column.parent_field is not None and value:
                value = self._parent_id(column.parent, column.parent_field, value)
            values[column.field.name] = value
        return values

    def _parent_id(self, parent: SObject, by: Field, value: str) -> str:
        matches = self.find(parent, by, value)
        if not matches:
            raise RestApiError(
                400,
                "INVALID_FIELD",
                f"Foreign key external ID: {value} not found for field {by.name} in entity "
                f"{parent.name}",
            )
        if len(matches) > 1:
            raise RestApiError(
                400,
                "INVALID_FIELD",
                f"More than 1 record found for external ID: {value} on field {by.name} in "
                f"entity {parent.name}",
            )
        return matches[0]

    def find(self, meta: SObject, by: Field, value: str) -> list[str]:
        """Ids of the live records of the org whose ``by`` field equals ``value``."""
        if by.type == "id":
            record_id = self._id(value, meta)
            return [record_id] if self._live(meta, record_id) else []
        return self.store.match(self.job.org_id, meta.name, by.name, value)

    def _live(self, meta: SObject, record_id: str) -> bool:
        return self.store.exists(self.job.org_id, meta.name, record_id)

    def _id(self, value: Any, meta: SObject | None = None) -> str:
        meta = meta or self.meta
        text = str(value or "")
        if not ids.is_valid_id(text) or ids.key_prefix(ids.normalize(text)) != meta.key_prefix:
            label = meta.by_lower_name["id"].label
            raise RestApiError(
                400, "MALFORMED_ID", f"{label}: id value of incorrect type: {text}", ["Id"]
            )
        return ids.normalize(text)

    def _operation(self, values: dict[str, Any]) -> tuple[str, bool]:
        operation = self.job.operation
        if operation == "insert":
            return self._create(values), True
        if operation == "upsert":
            return self._upsert(values)
        record_id = self._required_id(values)
        if operation == "update":
            self._update(record_id, {k: v for k, v in values.items() if k != "Id"})
            return record_id, False
        self._delete(record_id, hard=operation == "hardDelete")
        return record_id, False

    def _required_id(self, values: dict[str, Any]) -> str:
        if not values.get("Id"):
            verb = "an update" if self.job.operation == "update" else "a delete"
            raise RestApiError(400, "MISSING_ARGUMENT", f"Id not specified in {verb} call")
        return self._id(values["Id"])

    def _create(self, values: dict[str, Any]) -> str:
        return self.store.create(
            self.job.org_id, self.meta.name, values, user_id=self.job.created_by
        )

    def _update(self, record_id: str, values: dict[str, Any]) -> None:
        if not self._live(self.meta, record_id):
            raise RestApiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
        self.store.update(
            self.job.org_id, self.meta.name, record_id, values, user_id=self.job.created_by
        )

    def _delete(self, record_id: str, *, hard: bool) -> None:
        if not self.store.exists(self.job.org_id, self.meta.name, record_id):
            deleted = self.store.execute(
                f"SELECT 1 FROM {quote(self.meta.name)} WHERE Id = ? AND _org = ?",
                (record_id, ids.normalize(self.job.org_id)),
            )
            if deleted:
                raise RestApiError(400, "ENTITY_IS_DELETED", "entity is deleted")
            raise RestApiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
        self.store.delete(self.job.org_id, self.meta.name, record_id)
        if hard:
            self.store.execute(f"DELETE FROM {quote(self.meta.name)} WHERE Id = ?", (record_id,))

    def _upsert(self, values: dict[str, Any]) -> tuple[str, bool]:
        key = self.meta.field(self.job.external_id_field or "Id")
        if key is None:
            raise RestApiError(400, "INVALID_FIELD", "External ID field not found")
        value = values.get(key.name)
        if key.type == "id":
            body = {k: v for k, v in values.items() if k != "Id"}
            if not value:
                return self._create(body), True
            record_id = self._id(value)
            self._update(record_id, body)
            return record_id, False
        if not value:
            raise RestApiError(400, "MISSING_ARGUMENT", f"{key.name} not specified", [key.name])
        matches = self.find(self.meta, key, str(value))
        if len(matches) > 1:
            raise RestApiError(
                400,
                "DUPLICATE_EXTERNAL_ID",
                f"more than one record found for external id field: [{', '.join(matches)}]",
                [key.name],
            )
        if not matches:
            return self._create(values), True
        self._update(matches[0], values)
        return matches[0], False

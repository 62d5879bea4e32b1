"""Query locators: the rest of a large query result, fetched later batch by batch.

A query answers with its first batch and a ``nextRecordsUrl`` naming a locator
(``01g…-2000``: an 18-character id and an offset). The matching rows are kept
here, already selected, so later batches see the result as it was, as
Salesforce's cursors do. Only the most recent cursors are kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from runner.emulator import ids
from runner.emulator.errors import RestApiError

Shaper = Callable[[Sequence[Any], str], dict[str, Any]]
DEFAULT_BATCH = 2000
MIN_BATCH = 200
MAX_CURSORS = 64
LOCATOR_PREFIX = "01g"


@dataclass(frozen=True)
class Cursor:
    """The selected rows of one query and how to turn a row into a record."""

    org_id: str
    rows: Sequence[Sequence[Any]]
    shape: Shaper
    batch_size: int


def clamp_batch(batch_size: int) -> int:
    """Salesforce's bounds for ``Sforce-Query-Options: batchSize``: 200 to 2,000."""
    return max(MIN_BATCH, min(DEFAULT_BATCH, batch_size))


def invalid_locator() -> RestApiError:
    return RestApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")


class Locators:
    """A bounded, thread-safe table of open cursors."""

    def __init__(self, capacity: int = MAX_CURSORS) -> None:
        self._cursors: OrderedDict[str, Cursor] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def page(
        self, cursor: Cursor, offset: int, api_version: str, locator: str | None = None
    ) -> dict[str, Any]:
        """The response body for rows ``offset…offset+batch`` of ``cursor``."""
        end = offset + cursor.batch_size
        body: dict[str, Any] = {"totalSize": len(cursor.rows), "done": end >= len(cursor.rows)}
        if not body["done"]:
            locator = locator or self._open(cursor)
            body["nextRecordsUrl"] = f"/services/data/v{api_version}/query/{locator}-{end}"
        body["records"] = [cursor.shape(row, api_version) for row in cursor.rows[offset:end]]
        return body

    def more(self, org_id: str, locator: str, api_version: str) -> dict[str, Any]:
        """The next batch for ``locator`` (``01g…-N``); INVALID_QUERY_LOCATOR if unknown."""
        locator_id, _, offset_text = locator.partition("-")
        with self._lock:
            cursor = self._cursors.get(locator_id)
            if cursor is not None:
                self._cursors.move_to_end(locator_id)
        if cursor is None or cursor.org_id != org_id or not offset_text.isdigit():
            raise invalid_locator()
        offset = int(offset_text)
        if offset > len(cursor.rows):
            raise invalid_locator()
        return self.page(cursor, offset, api_version, locator_id)

    def _open(self, cursor: Cursor) -> str:
        locator_id = ids.new_id(LOCATOR_PREFIX)
        with self._lock:
            self._cursors[locator_id] = cursor
            while len(self._cursors) > self._capacity:
                self._cursors.popitem(last=False)
        return locator_id

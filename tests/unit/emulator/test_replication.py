"""``/sobjects/{Type}/updated`` and ``/deleted``: windows, bounds and errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from runner.emulator import Emulator

from .conftest import Client, V, create_account, error_code

T0 = dt.datetime(2026, 1, 10, 10, 0, 30, tzinfo=dt.timezone.utc)


@pytest.fixture
def emu(key_pair: tuple[str, str]) -> Iterator[Emulator]:
    """An org without sample records, so a window holds only what the test changed."""
    emulator = Emulator(port=9)
    emulator.add_org({"name": "acme", "certificate_pem": key_pair[1], "sample_data": False})
    yield emulator
    emulator.close()


def _at(emu: Emulator, minutes: float) -> None:
    moment = T0 + dt.timedelta(minutes=minutes)
    emu.store.clock = lambda: moment


def _window(start: dt.datetime, end: dt.datetime) -> dict[str, str]:
    return {"start": start.isoformat(), "end": end.isoformat()}


def test_updated_and_deleted_ids_in_the_window(emu: Emulator, client: Client) -> None:
    _at(emu, 0)
    kept = create_account(client, {"Name": "Kept"})
    doomed = create_account(client, {"Name": "Doomed"})
    _at(emu, 3)
    assert client.call("DELETE", f"{V}/sobjects/Account/{doomed}")[0] == 204
    _at(emu, 10)
    window = _window(T0 - dt.timedelta(hours=1), T0 + dt.timedelta(hours=1))
    status, _, body = client.call("GET", f"{V}/sobjects/Account/updated/", params=window)
    assert status == 200 and body == {
        "ids": [kept],
        "latestDateCovered": "2026-01-10T10:10:00.000+0000",
    }
    status, _, body = client.call("GET", f"{V}/sobjects/Account/deleted", params=window)
    assert status == 200
    assert body["deletedRecords"] == [{"id": doomed, "deletedDate": "2026-01-10T10:03:30.000+0000"}]
    assert body["latestDateCovered"] == "2026-01-10T10:10:00.000+0000"
    assert body["earliestDateAvailable"] == "2025-12-26T10:10:00.000+0000"


def test_seconds_are_dropped_from_the_window(emu: Emulator, client: Client) -> None:
    _at(emu, 0)
    record = create_account(client, {"Name": "On the minute"})
    _at(emu, 10)
    late = {"start": "2026-01-10T10:00:45Z", "end": "2026-01-10T10:05:00Z"}
    assert client.call("GET", f"{V}/sobjects/Account/updated", params=late)[2]["ids"] == [record]


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        ({"start": "2026-01-10T09:00:00Z", "end": "2026-01-10T09:00:40Z"},
         "INVALID_REPLICATION_DATE", "startDate must be at least one minute greater than endDate"),
        ({"start": "2025-12-01T00:00:00Z", "end": "2026-01-10T09:00:00Z"},
         "INVALID_REPLICATION_DATE", "startDate cannot be more than 30 days ago"),
        ({"start": "yesterday", "end": "2026-01-10T09:00:00Z"},
         "INVALID_REPLICATION_DATE", "Invalid date for start: yesterday"),
        ({"end": "2026-01-10T09:00:00Z"}, "MISSING_ARGUMENT",
         "Missing the required parameter: start"),
    ],
)  # fmt: skip
def test_bad_windows(emu: Emulator, client: Client, params: dict, code: str, message: str) -> None:
    _at(emu, 10)
    status, _, body = client.call("GET", f"{V}/sobjects/Account/updated", params=params)
    assert (status, body) == (400, [{"message": message, "errorCode": code}])


def test_deleted_reaches_back_fifteen_days(emu: Emulator, client: Client) -> None:
    _at(emu, 10)
    params = _window(T0 - dt.timedelta(days=20), T0)
    result = client.call("GET", f"{V}/sobjects/Contact/deleted", params=params)
    assert error_code(result) == (400, "INVALID_REPLICATION_DATE")
    assert client.call("GET", f"{V}/sobjects/Nope/updated", params=params)[0] == 404

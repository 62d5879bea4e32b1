from __future__ import annotations

import datetime as dt

import pytest

from runner.emulator import sobjects
from runner.emulator.errors import RestApiError
from runner.emulator.schema import STANDARD
from runner.emulator.values import (
    format_datetime,
    from_storage,
    parse_date,
    parse_datetime,
    to_storage,
)

UTC = dt.timezone.utc


def field(sobject: str, name: str) -> sobjects.Field:
    found = STANDARD.get(sobject).field(name)
    assert found is not None
    return found


def test_format_datetime_is_salesforce_style() -> None:
    moment = dt.datetime(2023, 6, 23, 10, 40, 37, 5000, tzinfo=UTC)
    assert format_datetime(moment) == "2023-06-23T10:40:37.005+0000"
    paris = dt.timezone(dt.timedelta(hours=2))
    assert format_datetime(moment.astimezone(paris)) == "2023-06-23T10:40:37.005+0000"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-31T10:00:00Z", dt.datetime(2024, 1, 31, 10, tzinfo=UTC)),
        ("2024-01-31T10:00:00.000+0000", dt.datetime(2024, 1, 31, 10, tzinfo=UTC)),
        ("2024-01-31T12:30:00+02:30", dt.datetime(2024, 1, 31, 10, tzinfo=UTC)),
        ("2024-01-31T10:00", dt.datetime(2024, 1, 31, 10, tzinfo=UTC)),
        ("2024-02-30T10:00:00Z", None),
        ("yesterday", None),
    ],
)
def test_parse_datetime(text: str, expected: dt.datetime | None) -> None:
    assert parse_datetime(text) == expected


def test_parse_date() -> None:
    assert parse_date("2024-02-29") == dt.date(2024, 2, 29)
    assert parse_date("2023-02-29") is None
    assert parse_date("2024-1-1") is None


def test_storage_round_trip_by_type() -> None:
    assert to_storage(field("Account", "NumberOfEmployees"), "12") == 12
    assert to_storage(field("Account", "AnnualRevenue"), 5) == 5.0
    assert to_storage(field("Case", "IsEscalated"), "TRUE") == 1
    assert from_storage(field("Case", "IsEscalated"), 1) is True
    assert to_storage(field("Opportunity", "CloseDate"), "2024-01-31T23:00:00Z") == "2024-01-31"
    assert to_storage(field("Account", "Name"), 12.0) == "12"
    assert to_storage(field("Account", "Name"), None) is None


def test_reference_must_point_at_the_right_object() -> None:
    account = field("Contact", "AccountId")
    assert to_storage(account, "001D000000IqhSL") == "001D000000IqhSLIAZ"
    with pytest.raises(RestApiError) as caught:
        to_storage(account, "003RO0000035WQg")
    assert caught.value.message == "Account ID: id value of incorrect type: 003RO0000035WQg"


@pytest.mark.parametrize("value", [float("nan"), "1e999", True, {"a": 1}])
def test_bad_numbers(value: object) -> None:
    with pytest.raises(RestApiError) as caught:
        to_storage(field("Account", "AnnualRevenue"), value)
    assert caught.value.error_code == "JSON_PARSER_ERROR"


@pytest.mark.parametrize(
    ("sobject", "name", "value"),
    [("Account", "NumberOfEmployees", 10**8), ("Account", "NumberOfEmployees", -(10**30)),
     ("Account", "AnnualRevenue", 1e16), ("Opportunity", "Probability", 1000)],
)  # fmt: skip
def test_numbers_beyond_the_field_digits(sobject: str, name: str, value: object) -> None:
    with pytest.raises(RestApiError) as caught:
        to_storage(field(sobject, name), value)
    assert caught.value.error_code == "NUMBER_OUTSIDE_VALID_RANGE"
    assert caught.value.fields == [name]
    assert to_storage(field(sobject, name), 99) == 99

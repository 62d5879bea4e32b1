"""SOQL forms beyond the basics: relative and fiscal date literals, date functions, TYPEOF,
toLabel(), FORMAT(), GROUP BY ROLLUP/CUBE with GROUPING(), USING SCOPE, column metadata."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from runner.emulator import ids
from runner.emulator.columns import column_metadata
from runner.emulator.declared import declare
from runner.emulator.errors import RestApiError
from runner.emulator.sample_data import seed_org
from runner.emulator.schema import STANDARD, Schema
from runner.emulator.soql.dates import date_range
from runner.emulator.store import Store

ORG = ids.to_18("00Dxx0000001gPL")
NOW = dt.datetime(2024, 5, 15, 10, 0, 0, tzinfo=dt.timezone.utc)  # a Wednesday in Q2
V = "61.0"
CLOSES = {"jan": "2024-01-20", "mar": "2024-03-31", "apr": "2024-04-01", "may": "2024-05-15",
          "jul": "2024-07-04", "dec": "2023-12-31"}  # fmt: skip


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store(clock=lambda: NOW)
    seed_org(s, ORG, organization={"Name": "Acme"}, sample_data=False, fiscal_start_month=4,
             users=[{"Username": "int@acme.test", "LastName": "Integration"}])  # fmt: skip
    acme = s.create(ORG, "Account", {"Name": "Acme", "Industry": "Energy", "Rating": "Hot"})
    globex = s.create(ORG, "Account", {"Name": "Globex", "Industry": "Energy", "Rating": "Warm"})
    s.create(ORG, "Account", {"Name": "Initech", "Industry": "Media", "Rating": "Hot"})
    for name, close in CLOSES.items():
        s.create(ORG, "Opportunity", {"Name": name, "StageName": "Prospecting", "CloseDate": close,
                                      "Amount": 1234.5, "AccountId": acme})  # fmt: skip
    contact = s.create(ORG, "Contact", {"LastName": "Lovelace", "Email": "ada@x.test"})
    lead = s.create(ORG, "Lead", {"LastName": "Turing", "Company": "Bletchley"})
    s.create(ORG, "Task", {"Subject": "Call", "WhoId": contact, "WhatId": globex})
    s.create(ORG, "Task", {"Subject": "Mail", "WhoId": lead})
    s.create(ORG, "Task", {"Subject": "Note"})
    return s


def q(store: Store, soql: str, **kw: Any) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = store.query(ORG, soql, api_version=V, **kw)["records"]
    return records


def names(store: Store, where: str) -> list[str]:
    soql = f"SELECT Name FROM Opportunity WHERE {where} ORDER BY CloseDate"
    return [r["Name"] for r in q(store, soql)]


def refused(store: Store, soql: str) -> RestApiError:
    with pytest.raises(RestApiError) as caught:
        q(store, soql)
    return caught.value


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("CloseDate = THIS_QUARTER", ["apr", "may"]),
        ("CloseDate = LAST_QUARTER", ["jan", "mar"]),
        ("CloseDate = NEXT_QUARTER", ["jul"]),
        ("CloseDate < THIS_QUARTER", ["dec", "jan", "mar"]),
        ("CloseDate = LAST_N_QUARTERS:2", ["dec", "jan", "mar"]),
        ("CloseDate = N_QUARTERS_AGO:2", ["dec"]),
        ("CloseDate = THIS_FISCAL_YEAR", ["apr", "may", "jul"]),
        ("CloseDate = LAST_FISCAL_YEAR", ["dec", "jan", "mar"]),
        ("CloseDate = THIS_FISCAL_QUARTER", ["apr", "may"]),
        ("CloseDate = LAST_FISCAL_QUARTER", ["jan", "mar"]),
        ("CloseDate = NEXT_FISCAL_QUARTER", ["jul"]),
        ("CloseDate = N_FISCAL_YEARS_AGO:1", ["dec", "jan", "mar"]),
        ("CloseDate = NEXT_N_FISCAL_QUARTERS:1", ["jul"]),
        ("CloseDate = N_MONTHS_AGO:1", ["apr"]),
        ("CloseDate = N_YEARS_AGO:1", ["dec"]),
    ],
)
def test_relative_and_fiscal_date_literals(store: Store, where: str, expected: list[str]) -> None:
    assert names(store, where) == expected


def test_fiscal_ranges_follow_the_start_month() -> None:
    today = dt.date(2024, 2, 10)
    assert date_range("THIS_FISCAL_YEAR", None, today, 4) == (dt.date(2023, 4, 1),
                                                               dt.date(2024, 4, 1))  # fmt: skip
    assert date_range("THIS_FISCAL_QUARTER", None, today, 11) == (dt.date(2024, 2, 1),
                                                                  dt.date(2024, 5, 1))  # fmt: skip
    assert date_range("N_WEEKS_AGO", 1, today) == (dt.date(2024, 1, 28), dt.date(2024, 2, 4))


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("CALENDAR_YEAR(CloseDate) = 2023", ["dec"]),
        ("CALENDAR_QUARTER(CloseDate) = 2", ["apr", "may"]),
        ("CALENDAR_MONTH(CloseDate) > 6", ["dec", "jul"]),
        ("DAY_IN_MONTH(CloseDate) = 31", ["dec", "mar"]),
        ("DAY_IN_WEEK(CloseDate) = 1", ["dec", "mar"]),  # Sundays 31 Dec 2023, 31 Mar 2024
        ("DAY_IN_YEAR(CloseDate) = 20", ["jan"]),
        ("WEEK_IN_MONTH(CloseDate) = 3", ["jan", "may"]),
        ("WEEK_IN_YEAR(CloseDate) = 3", ["jan"]),
        ("FISCAL_YEAR(CloseDate) = 2025", ["apr", "may", "jul"]),
        ("FISCAL_QUARTER(CloseDate) = 4", ["jan", "mar"]),
        ("FISCAL_MONTH(CloseDate) = 1", ["apr"]),
        ("DAY_ONLY(CreatedDate) = 2024-05-15 AND CALENDAR_YEAR(CloseDate) = 2023", ["dec"]),
        ("HOUR_IN_DAY(convertTimezone(CreatedDate)) = 10 AND DAY_IN_MONTH(CloseDate) = 4",
         ["jul"]),
    ],
)  # fmt: skip
def test_date_functions_in_where(store: Store, where: str, expected: list[str]) -> None:
    assert names(store, where) == expected


def test_date_functions_group_and_select(store: Store) -> None:
    soql = ("SELECT CALENDAR_YEAR(CloseDate), FISCAL_QUARTER(CloseDate) fq, COUNT(Id) n "
            "FROM Opportunity GROUP BY CALENDAR_YEAR(CloseDate), FISCAL_QUARTER(CloseDate) "
            "ORDER BY CALENDAR_YEAR(CloseDate), FISCAL_QUARTER(CloseDate)")  # fmt: skip
    rows = [(r["expr0"], r["fq"], r["n"]) for r in q(store, soql)]
    assert rows == [(2023, 3, 1), (2024, 1, 2), (2024, 2, 1), (2024, 4, 2)]
    error = refused(store, "SELECT Name FROM Opportunity WHERE DAY_ONLY(CloseDate) = 2024-01-20")
    assert error.error_code == "MALFORMED_QUERY" and "dateTime" in error.message
    error = refused(store, "SELECT CALENDAR_YEAR(CloseDate) FROM Opportunity")
    assert "Field must be grouped or aggregated" in error.message


def test_typeof_picks_the_fields_of_each_type(store: Store) -> None:
    soql = ("SELECT Subject, TYPEOF Who WHEN Contact THEN Email, LastName WHEN Lead THEN Company "
            "END, TYPEOF What WHEN Account THEN Rating ELSE Name END FROM Task ORDER BY Subject")
    call, mail, note = q(store, soql)
    assert call["Who"]["attributes"]["type"] == "Contact"
    assert {k: v for k, v in call["Who"].items() if k != "attributes"} == {
        "Email": "ada@x.test", "LastName": "Lovelace"}  # fmt: skip
    assert call["What"]["attributes"]["type"] == "Account" and call["What"]["Rating"] == "Warm"
    assert mail["Who"]["attributes"]["type"] == "Lead" and mail["Who"]["Company"] == "Bletchley"
    assert mail["What"] is None and note["Who"] is None
    error = refused(store, "SELECT TYPEOF Account WHEN Account THEN Name END FROM Contact")
    assert error.error_code == "INVALID_FIELD"
    error = refused(store, "SELECT TYPEOF What WHEN User THEN Name END FROM Task")
    assert error.error_code == "INVALID_TYPE"


def test_polymorphic_paths_follow_the_row(store: Store) -> None:
    soql = "SELECT Subject, Who.Name FROM Task WHERE Who.Name != null ORDER BY Subject"
    found = q(store, soql)
    assert [(r["Who"]["attributes"]["type"], r["Who"]["Name"]) for r in found] == [
        ("Contact", "Lovelace"), ("Lead", "Turing"),
    ]  # fmt: skip


def test_to_label_and_format() -> None:
    store = Store(clock=lambda: NOW)
    objects = declare(
        [{"name": "Account", "fields": [{"name": "Tier__c", "type": "picklist",
                                         "values": [{"value": "g", "label": "Gold"}, "s"]}]}],
        {o.name.lower(): o for o in STANDARD.objects()}, lambda message, where: ValueError(message),
    )  # fmt: skip
    seed_org(store, ORG, organization={}, sample_data=False, schema=Schema(objects.values()),
             users=[{"Username": "fmt@acme.test"}])  # fmt: skip
    store.create(ORG, "Account", {"Name": "A", "Tier__c": "g", "AnnualRevenue": 1234567.5,
                                  "NumberOfEmployees": 12000})  # fmt: skip
    soql = ("SELECT toLabel(Tier__c), toLabel(Tier__c) raw, FORMAT(AnnualRevenue), "
            "FORMAT(NumberOfEmployees) people, FORMAT(CreatedDate) made FROM Account")
    [record] = q(store, soql)
    assert (record["Tier__c"], record["raw"]) == ("Gold", "Gold")
    assert record["AnnualRevenue"] == "$1,234,567.50" and record["people"] == "12,000"
    assert record["made"] == "5/15/2024, 10:00 AM"
    soql = "SELECT FORMAT(MIN(CreatedDate)) earliest, FORMAT(SUM(AnnualRevenue)) FROM Account"
    [row] = q(store, soql)
    assert (row["earliest"], row["expr0"]) == ("5/15/2024, 10:00 AM", "$1,234,567.50")
    assert refused(store, "SELECT toLabel(Name) FROM Account").error_code == "INVALID_FIELD"
    error = refused(store, "SELECT Tier__c, toLabel(Tier__c) FROM Account")
    assert "duplicate field selected: Tier__c" in error.message


def test_group_by_rollup_with_grouping(store: Store) -> None:
    soql = ("SELECT Industry, Rating, GROUPING(Industry) gi, GROUPING(Rating) gr, COUNT(Id) n "
            "FROM Account GROUP BY ROLLUP(Industry, Rating)")
    rows = [(r["Industry"], r["Rating"], r["gi"], r["gr"], r["n"]) for r in q(store, soql)]
    assert rows == [
        ("Energy", "Hot", 0, 0, 1), ("Energy", "Warm", 0, 0, 1), ("Energy", None, 0, 1, 2),
        ("Media", "Hot", 0, 0, 1), ("Media", None, 0, 1, 1), (None, None, 1, 1, 3),
    ]  # fmt: skip
    soql = ("SELECT Industry, Rating, COUNT(Id) n FROM Account GROUP BY CUBE(Industry, Rating) "
            "HAVING COUNT(Id) > 1 ORDER BY COUNT(Id) DESC, Rating")
    rows = [(r["Industry"], r["Rating"], r["n"]) for r in q(store, soql)]
    assert rows == [(None, None, 3), ("Energy", None, 2), (None, "Hot", 2)]
    plain = refused(store, "SELECT GROUPING(Industry) FROM Account GROUP BY Industry")
    assert plain.error_code == "MALFORMED_QUERY"


def test_using_scope(store: Store) -> None:
    owner = q(store, "SELECT OwnerId FROM Account LIMIT 1")[0]["OwnerId"]
    soql = "SELECT Name FROM Account USING SCOPE mine WHERE Industry = 'Energy' ORDER BY Name"
    assert [r["Name"] for r in q(store, soql, user_id=owner)] == ["Acme", "Globex"]
    other = "005" + owner[3:14] + "AAAA"
    assert q(store, soql, user_id=other) == []
    assert len(q(store, "SELECT Name FROM Account USING SCOPE Everything")) == 3
    assert refused(store, "SELECT Name FROM Account USING SCOPE team").error_code == (
        "MALFORMED_QUERY"
    )
    assert refused(store, "SELECT Name FROM Account USING SCOPE nobody").error_code == (
        "MALFORMED_QUERY"
    )


def test_columns_of_a_child_subquery_and_functions() -> None:
    soql = ("SELECT Name, (SELECT LastName, Account.Name FROM Contacts), toLabel(Industry) "
            "FROM Account")
    name, contacts, industry = column_metadata(soql, STANDARD)["columnMetadata"]
    assert (contacts["columnName"], contacts["aggregate"], contacts["apexType"]) == (
        "Contacts", True, None,
    )  # fmt: skip
    assert [c["columnName"] for c in contacts["joinColumns"]] == ["LastName", "Account"]
    assert contacts["joinColumns"][1]["joinColumns"][0]["columnName"] == "Name"
    assert industry["columnName"] == "Industry" and name["columnName"] == "Name"
    grouped = column_metadata(
        "SELECT CALENDAR_YEAR(CloseDate), COUNT(Id) n FROM Opportunity "
        "GROUP BY CALENDAR_YEAR(CloseDate)", STANDARD,
    )["columnMetadata"]  # fmt: skip
    assert [(c["columnName"], c["aggregate"]) for c in grouped] == [("expr0", True), ("n", True)]

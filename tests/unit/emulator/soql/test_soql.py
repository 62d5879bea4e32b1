from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from runner.emulator import ids
from runner.emulator.errors import RestApiError
from runner.emulator.sample_data import seed_org
from runner.emulator.soql.dates import date_range
from runner.emulator.soql.lexer import Lexer
from runner.emulator.soql.parser import parse
from runner.emulator.store import Store

ORG = ids.to_18("00Dxx0000001gPL")
NOW = dt.datetime(2024, 3, 15, 10, 0, 0, tzinfo=dt.timezone.utc)  # a Friday
V = "61.0"


@pytest.fixture(scope="module")
def store() -> Store:
    """Three accounts, four contacts (one without account), dated records around NOW."""
    s = Store(clock=lambda: NOW)
    seed_org(
        s,
        ORG,
        organization={"Name": "Acme"},
        users=[{"Username": "int@acme.test", "FirstName": "Ivy", "LastName": "Integration"}],
        sample_data=False,
    )
    acme = s.create(ORG, "Account", {"Name": "Acme", "Industry": "Energy", "AnnualRevenue": 5e6})
    globex = s.create(ORG, "Account", {"Name": "Globex", "Industry": "Media", "Rating": "Hot"})
    s.create(ORG, "Account", {"Name": "Initech 100%", "NumberOfEmployees": 40})
    for first, last, account in [
        ("Ada", "Lovelace", acme),
        ("Alan", "Turing", acme),
        ("Grace", "O'Hopper", globex),
        (None, "Nobody", None),
    ]:
        s.create(ORG, "Contact", {"FirstName": first, "LastName": last, "AccountId": account})
    for name, close in [("past", "2024-03-14"), ("today", "2024-03-15"), ("later", "2024-05-01")]:
        s.create(ORG, "Opportunity", {"Name": name, "StageName": "Prospecting", "CloseDate": close})
    return s


def q(store: Store, soql: str, **kwargs: Any) -> dict[str, Any]:
    return store.query(ORG, soql, api_version=V, **kwargs)


def names(store: Store, soql: str) -> list[Any]:
    return [r.get("Name") for r in q(store, soql)["records"]]


def error(store: Store, soql: str) -> RestApiError:
    with pytest.raises(RestApiError) as caught:
        q(store, soql)
    return caught.value


# -- lexer and parser ----------------------------------------------------------------------


def test_lexer_positions_and_strings() -> None:
    tokens = Lexer("SELECT Id\nFROM Account WHERE Name = 'O\\'Brien \\%'").tokens()
    assert [(t.kind, t.row, t.col) for t in tokens[:4]] == [
        ("IDENT", 1, 1),
        ("IDENT", 1, 8),
        ("IDENT", 2, 1),
        ("IDENT", 2, 6),
    ]
    string = tokens[-2]
    assert string.value == "O'Brien \\%"
    assert string.like == "O'Brien \\%"
    assert tokens[-1].kind == "EOF"


def test_lexer_dates_numbers_and_bad_characters() -> None:
    kinds = [t.kind for t in Lexer("2024-01-31 2024-01-31T10:00:00Z -1.5 :").tokens()]
    assert kinds == ["DATE", "DATETIME", "NUMBER", "COLON", "EOF"]
    with pytest.raises(RestApiError) as caught:
        Lexer("SELECT $ FROM A").tokens()
    assert caught.value.error_code == "MALFORMED_QUERY"


def test_parser_builds_the_tree() -> None:
    query = parse(
        "select Id, Account.Name from Contact where (LastName like 'a%' or Id in ('x')) "
        "and CreatedDate > LAST_N_DAYS:3 order by Name desc nulls last limit 5 offset 2"
    )
    assert [s.parts for s in query.select] == [("Id",), ("Account", "Name")]  # type: ignore[union-attr]
    assert query.sobject.text == "Contact"
    assert (query.limit, query.offset) == (5, 2)
    assert query.order_by[0].descending and query.order_by[0].nulls_first is False


@pytest.mark.parametrize(
    ("soql", "row", "col", "token"),
    [
        ("SELECT Id FROM", 1, 15, "<EOF>"),
        ("SELECT FROM Account", 1, 8, "FROM"),
        ("SELECT Id FROM Account WHERE", 1, 29, "<EOF>"),
        ("SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'", 1, 56, "OR"),
        ("SELECT Id FROM Account LIMIT x", 1, 30, "x"),
        ("SELECT Id,\nName FROM Account ORDER Name", 2, 25, "Name"),
        ("SELECT Id FROM Account WHERE Name = 'x' extra", 1, 41, "extra"),
        ("SELECT COUNT(), Id FROM Account", 1, 17, "Id"),
    ],
)
def test_syntax_errors_point_at_the_token(soql: str, row: int, col: int, token: str) -> None:
    with pytest.raises(RestApiError) as caught:
        parse(soql)
    err = caught.value
    assert (err.status, err.error_code) == (400, "MALFORMED_QUERY")
    line = soql.split("\n")[row - 1]
    assert err.message == (
        f"\n{line}\n{' ' * (col - 1)}^\nERROR at Row:{row}:Column:{col}\n"
        f"unexpected token: '{token}'"
    )


def test_unterminated_string() -> None:
    with pytest.raises(RestApiError) as caught:
        parse("SELECT Id FROM Account WHERE Name = 'abc")
    assert caught.value.error_code == "MALFORMED_QUERY"


# -- names and shapes ----------------------------------------------------------------------


def test_unknown_object_is_invalid_type(store: Store) -> None:
    err = error(store, "SELECT Id FROM ScratchOrgInfo limit 1")
    assert (err.status, err.error_code) == (400, "INVALID_TYPE")
    assert err.message.startswith(
        "\nSELECT Id FROM ScratchOrgInfo limit 1\n               ^\nERROR at Row:1:Column:16\n"
        "sObject type 'ScratchOrgInfo' is not supported."
    )


def test_unknown_field_and_relationship(store: Store) -> None:
    err = error(store, "SELECT Id, Dispenser__c FROM Account")
    assert err.error_code == "INVALID_FIELD"
    assert err.message.startswith(
        "\nSELECT Id, Dispenser__c FROM Account\n           ^\nERROR at Row:1:Column:12\n"
        "No such column 'Dispenser__c' on entity 'Account'. If you are attempting"
    )
    rel = error(store, "SELECT Boss.Name FROM Contact")
    assert "Didn't understand relationship 'Boss' in field path." in rel.message
    parent_field = error(store, "SELECT Account.Nope FROM Contact")
    assert "No such column 'Nope' on entity 'Account'" in parent_field.message


def test_records_use_canonical_names_in_select_order(store: Store) -> None:
    body = q(store, "select name, ID, industry from ACCOUNT where name = 'acme'")
    assert body["totalSize"] == 1 and body["done"] is True and "nextRecordsUrl" not in body
    record = body["records"][0]
    assert list(record) == ["attributes", "Name", "Id", "Industry"]
    assert record["attributes"] == {
        "type": "Account",
        "url": f"/services/data/v61.0/sobjects/Account/{record['Id']}",
    }


def test_parent_fields_nest_and_null_parents_are_null(store: Store) -> None:
    rows = q(
        store,
        "SELECT LastName, Account.Name, Account.Industry, Account.Owner.Name FROM Contact "
        "ORDER BY LastName",
    )["records"]
    by_name = {r["LastName"]: r for r in rows}
    account = by_name["Lovelace"]["Account"]
    assert list(account) == ["attributes", "Name", "Industry", "Owner"]
    assert account["attributes"]["type"] == "Account"
    assert account["Owner"]["Name"] == "Ivy Integration"
    assert by_name["Nobody"]["Account"] is None


def test_object_name_prefix_and_alias(store: Store) -> None:
    assert names(store, "SELECT Account.Name FROM Account WHERE Account.Name = 'Acme'") == ["Acme"]
    assert names(store, "SELECT a.Name FROM Account a WHERE a.Name = 'Globex'") == ["Globex"]


# -- filters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Name = 'ACME'", ["Acme"]),
        ("Name != 'Acme'", ["Globex", "Initech 100%"]),
        ("Name <> 'Acme'", ["Globex", "Initech 100%"]),
        ("Industry != 'Energy'", ["Globex", "Initech 100%"]),
        ("Industry = null", ["Initech 100%"]),
        ("Industry != null", ["Acme", "Globex"]),
        ("Name LIKE 'g%'", ["Globex"]),
        ("Name LIKE '%100\\%'", ["Initech 100%"]),
        ("Name LIKE 'Acm_'", ["Acme"]),
        ("Name IN ('acme', 'globex')", ["Acme", "Globex"]),
        ("Name NOT IN ('acme')", ["Globex", "Initech 100%"]),
        ("Industry NOT IN ('Energy')", ["Globex", "Initech 100%"]),
        ("Industry IN ('Energy', null)", ["Acme", "Initech 100%"]),
        ("AnnualRevenue > 1000000", ["Acme"]),
        ("AnnualRevenue >= 5000000.0", ["Acme"]),
        ("NumberOfEmployees < 41", ["Initech 100%"]),
        ("NumberOfEmployees <= 39", []),
        ("NOT Name = 'Acme'", ["Globex", "Initech 100%"]),
        ("(Name = 'Acme' OR Name = 'Globex') AND Rating = 'Hot'", ["Globex"]),
        ("Name = 'Acme' OR (Rating = 'Hot' AND Industry = 'Media')", ["Acme", "Globex"]),
        ("IsDeleted = false", ["Acme", "Globex", "Initech 100%"]),
        ("IsDeleted = null", ["Acme", "Globex", "Initech 100%"]),
        ("IsDeleted != null", []),
    ],
)
def test_where_operators(store: Store, where: str, expected: list[str]) -> None:
    assert names(store, f"SELECT Name FROM Account WHERE {where} ORDER BY Name") == expected


def test_id_filters_accept_15_and_18_characters(store: Store) -> None:
    acme = q(store, "SELECT Id FROM Account WHERE Name = 'Acme'")["records"][0]["Id"]
    for literal in (acme, acme[:15]):
        assert names(store, f"SELECT Name FROM Account WHERE Id = '{literal}'") == ["Acme"]
    contacts = q(store, f"SELECT LastName FROM Contact WHERE AccountId IN ('{acme[:15]}')")
    assert contacts["totalSize"] == 2
    err = error(store, "SELECT Id FROM Account WHERE Id = '001bad'")
    assert err.error_code == "INVALID_QUERY_FILTER_OPERATOR"
    assert err.message.endswith("\ninvalid ID field: 001bad")


def test_filter_on_parent_field(store: Store) -> None:
    rows = q(
        store, "SELECT LastName FROM Contact WHERE Account.Industry = 'Energy' ORDER BY LastName"
    )
    assert [r["LastName"] for r in rows["records"]] == ["Lovelace", "Turing"]


def test_string_escape_in_filter(store: Store) -> None:
    rows = q(store, "SELECT LastName FROM Contact WHERE LastName = 'O\\'Hopper'")
    assert rows["totalSize"] == 1


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("Name = 1", "must be of type string and should be enclosed in quotes"),
        ("IsDeleted = 'true'", "must be of type boolean and should not be enclosed in quotes"),
        ("AnnualRevenue = '5'", "must be of type currency and should not be enclosed in quotes"),
        ("CreatedDate = 2024-01-01", "must be of type dateTime and should not be enclosed"),
    ],
)
def test_type_mismatches_are_invalid_field(store: Store, where: str, message: str) -> None:
    err = error(store, f"SELECT Id FROM Account WHERE {where}")
    assert err.error_code == "INVALID_FIELD"
    assert message in err.message


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("CloseDate = TODAY", ["today"]),
        ("CloseDate = YESTERDAY", ["past"]),
        ("CloseDate < TODAY", ["past"]),
        ("CloseDate > TODAY", ["later"]),
        ("CloseDate <= TODAY", ["past", "today"]),
        ("CloseDate >= TODAY", ["later", "today"]),
        ("CloseDate != TODAY", ["later", "past"]),
        ("CloseDate = THIS_MONTH", ["past", "today"]),
        ("CloseDate = NEXT_N_DAYS:60", ["later"]),
        ("CloseDate = LAST_N_DAYS:1", ["past", "today"]),
        ("CloseDate > 2024-03-14", ["later", "today"]),
        ("CreatedDate = TODAY", ["later", "past", "today"]),
        ("CreatedDate > 2024-03-15T09:59:59Z", ["later", "past", "today"]),
        ("CreatedDate > 2024-03-15T10:00:00+01:00", ["later", "past", "today"]),
        ("CreatedDate > 2024-03-15T10:00:00Z", []),
        ("CreatedDate < LAST_WEEK", []),
    ],
)
def test_date_filters(store: Store, where: str, expected: list[str]) -> None:
    soql = f"SELECT Name FROM Opportunity WHERE {where} ORDER BY Name"
    assert names(store, soql) == expected


def test_date_ranges() -> None:
    friday = dt.date(2024, 3, 15)
    assert date_range("THIS_WEEK", None, friday) == (dt.date(2024, 3, 10), dt.date(2024, 3, 17))
    assert date_range("LAST_MONTH", None, friday) == (dt.date(2024, 2, 1), dt.date(2024, 3, 1))
    assert date_range("NEXT_YEAR", None, friday) == (dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    assert date_range("N_DAYS_AGO", 3, friday) == (dt.date(2024, 3, 12), dt.date(2024, 3, 13))
    assert date_range("LAST_N_MONTHS", 2, friday) == (dt.date(2024, 1, 1), dt.date(2024, 3, 1))
    with pytest.raises(ValueError):
        date_range("SOMEDAY", None, friday)


# -- ordering, limits, counts --------------------------------------------------------------


def test_order_by_with_nulls(store: Store) -> None:
    soql = "SELECT Name FROM Account ORDER BY Industry {}, Name"
    assert names(store, soql.format("ASC")) == ["Initech 100%", "Acme", "Globex"]
    assert names(store, soql.format("DESC NULLS LAST")) == ["Globex", "Acme", "Initech 100%"]
    assert names(store, soql.format("ASC NULLS LAST")) == ["Acme", "Globex", "Initech 100%"]


def test_order_by_parent_field_and_limit_offset(store: Store) -> None:
    rows = q(store, "SELECT LastName FROM Contact ORDER BY Account.Name DESC, LastName LIMIT 2")
    assert [r["LastName"] for r in rows["records"]] == ["Nobody", "O'Hopper"]  # nulls first
    assert names(store, "SELECT Name FROM Account ORDER BY Name LIMIT 1 OFFSET 1") == ["Globex"]
    assert names(store, "SELECT Name FROM Account ORDER BY Name OFFSET 2") == ["Initech 100%"]
    err = error(store, "SELECT Name FROM Account OFFSET 2001")
    assert err.error_code == "NUMBER_OUTSIDE_VALID_RANGE"


def test_count_only(store: Store) -> None:
    assert q(store, "SELECT COUNT() FROM Contact") == {"totalSize": 4, "done": True, "records": []}
    assert q(store, "SELECT COUNT() FROM Contact WHERE AccountId = null")["totalSize"] == 1
    assert q(store, "SELECT COUNT() FROM Contact LIMIT 2")["totalSize"] == 2


def test_aggregates(store: Store) -> None:
    body = q(store, "SELECT COUNT(Id), MAX(LastName) latest FROM Contact")
    assert body["records"] == [
        {"attributes": {"type": "AggregateResult"}, "expr0": 4, "latest": "Turing"}
    ]
    grouped = q(store, "SELECT AccountId, COUNT(Id) n FROM Contact GROUP BY AccountId")
    assert sorted(r["n"] for r in grouped["records"]) == [1, 1, 2]
    err = error(store, "SELECT LastName, COUNT(Id) FROM Contact")
    assert err.error_code == "MALFORMED_QUERY"
    assert "Field must be grouped or aggregated: LastName" in err.message


def test_query_all_sees_deleted_records(store: Store) -> None:
    doomed = store.create(ORG, "Lead", {"LastName": "Gone", "Company": "X"})
    store.delete(ORG, "Lead", doomed)
    assert q(store, "SELECT Id FROM Lead WHERE LastName = 'Gone'")["totalSize"] == 0
    found = q(store, "SELECT Id, IsDeleted FROM Lead WHERE LastName = 'Gone'", include_deleted=True)
    assert found["records"][0]["IsDeleted"] is True


# -- paging --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big() -> Store:
    s = Store(clock=lambda: NOW)
    seed_org(s, ORG, organization={}, users=[{"Username": "a@big.test"}], sample_data=False)
    with s.transaction():
        for i in range(4500):
            s.insert(ORG, "Account", {"Name": f"Account {i:05d}", "NumberOfEmployees": i})
    return s


def test_paging_in_batches_of_2000(big: Store) -> None:
    first = big.query(ORG, "SELECT Name FROM Account", api_version="58.0")
    assert (first["totalSize"], first["done"], len(first["records"])) == (4500, False, 2000)
    url = first["nextRecordsUrl"]
    assert url.startswith("/services/data/v58.0/query/01g") and url.endswith("-2000")
    locator = url.rsplit("/", 1)[1]
    assert ids.is_valid_id(locator.split("-")[0])
    second = big.query_more(ORG, locator, api_version="58.0")
    assert (second["done"], len(second["records"]), second["totalSize"]) == (False, 2000, 4500)
    third = big.query_more(ORG, second["nextRecordsUrl"].rsplit("/", 1)[1], api_version="58.0")
    assert third["done"] is True and "nextRecordsUrl" not in third
    names_seen = [r["Name"] for r in first["records"] + second["records"] + third["records"]]
    assert names_seen == [f"Account {i:05d}" for i in range(4500)]


def test_batch_size_is_clamped_and_filters_run_in_sql(big: Store) -> None:
    body = big.query(
        ORG, "SELECT Id FROM Account WHERE NumberOfEmployees >= 4000", api_version=V, batch_size=50
    )
    assert (body["totalSize"], len(body["records"])) == (500, 200)
    assert body["nextRecordsUrl"].endswith("-200")


@pytest.mark.parametrize("locator", ["01gxx0000000001AAA-2000", "nonsense", "-5"])
def test_unknown_locator(big: Store, locator: str) -> None:
    with pytest.raises(RestApiError) as caught:
        big.query_more(ORG, locator, api_version=V)
    assert (caught.value.status, caught.value.error_code) == (400, "INVALID_QUERY_LOCATOR")


def test_locator_belongs_to_its_org(big: Store) -> None:
    first = big.query(ORG, "SELECT Id FROM Account", api_version=V)
    locator = first["nextRecordsUrl"].rsplit("/", 1)[1]
    other = ids.to_18("00Dxx0000009ZZZ")
    with pytest.raises(RestApiError):
        big.query_more(other, locator, api_version=V)


# -- sub-queries, FIELDS(), ignored clauses ------------------------------------------------


def test_child_subquery_nests_records_or_null(store: Store) -> None:
    rows = q(
        store,
        "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName DESC LIMIT 5), Industry "
        "FROM Account ORDER BY Name",
    )["records"]
    acme, globex, initech = rows
    assert list(acme) == ["attributes", "Name", "Contacts", "Industry"]
    contacts = acme["Contacts"]
    assert (contacts["totalSize"], contacts["done"]) == (2, True)
    assert [c["LastName"] for c in contacts["records"]] == ["Turing", "Lovelace"]
    assert contacts["records"][0]["attributes"]["type"] == "Contact"
    assert globex["Contacts"]["totalSize"] == 1
    assert initech["Contacts"] is None


def test_child_subquery_filters_and_limits_per_parent(store: Store) -> None:
    rows = q(
        store,
        "SELECT Name, (SELECT LastName FROM contacts WHERE FirstName LIKE 'A%' LIMIT 1) "
        "FROM Account WHERE Name = 'Acme'",
    )["records"]
    assert [c["LastName"] for c in rows[0]["Contacts"]["records"]] == ["Lovelace"]


def test_unknown_child_relationship(store: Store) -> None:
    err = error(store, "SELECT Id, (SELECT Id FROM Widgets) FROM Account")
    assert err.error_code == "INVALID_TYPE"
    assert "Didn't understand relationship 'Widgets' in FROM part of query call." in err.message
    field = error(store, "SELECT Id, (SELECT Nope FROM Contacts) FROM Account")
    assert "No such column 'Nope' on entity 'Contact'" in field.message


def test_fields_macro(store: Store) -> None:
    record = q(store, "SELECT FIELDS(STANDARD) FROM Account WHERE Name = 'Acme'")["records"][0]
    assert list(record)[:3] == ["attributes", "Id", "IsDeleted"]
    assert record["Name"] == "Acme" and "SystemModstamp" in record
    assert q(store, "SELECT FIELDS(ALL) FROM Account LIMIT 200")["totalSize"] == 3
    err = error(store, "SELECT FIELDS(ALL) FROM Account")
    assert err.error_code == "MALFORMED_QUERY"
    assert "must have a LIMIT of at most 200" in err.message


@pytest.mark.parametrize(
    "suffix", ["WITH SECURITY_ENFORCED", "WITH USER_MODE ORDER BY Name", "FOR VIEW", "FOR UPDATE"]
)
def test_clauses_without_effect_are_accepted(store: Store, suffix: str) -> None:
    assert q(store, f"SELECT Id FROM Account {suffix}")["totalSize"] == 3


def test_unknown_with_clause_is_rejected(store: Store) -> None:
    assert error(store, "SELECT Id FROM Account WITH DATA CATEGORY").error_code == (
        "MALFORMED_QUERY"
    )


def test_semi_join_and_anti_join(store: Store) -> None:
    with_contacts = (
        "SELECT Name FROM Account WHERE Id {} (SELECT AccountId FROM Contact) ORDER BY Name"
    )
    assert names(store, with_contacts.format("IN")) == ["Acme", "Globex"]
    assert names(store, with_contacts.format("NOT IN")) == ["Initech 100%"]
    filtered = (
        "SELECT LastName FROM Contact WHERE AccountId IN "
        "(SELECT Id FROM Account WHERE Industry = 'Media')"
    )
    assert [r["LastName"] for r in q(store, filtered)["records"]] == ["O'Hopper"]


def test_semi_join_needs_one_id_field(store: Store) -> None:
    err = error(store, "SELECT Id FROM Account WHERE Id IN (SELECT LastName FROM Contact)")
    assert err.error_code == "INVALID_FIELD"
    assert "should point to the same object type" in err.message
    bad_type = error(store, "SELECT Id FROM Account WHERE Id IN (SELECT Id FROM Widget)")
    assert bad_type.error_code == "INVALID_TYPE"


def test_huge_numbers(store: Store) -> None:
    huge = "99999999999999999999999"
    assert q(store, f"SELECT Id FROM Account WHERE NumberOfEmployees < {huge}")["totalSize"] == 1
    assert q(store, f"SELECT Id FROM Account WHERE AnnualRevenue > -{huge}")["totalSize"] == 1
    assert error(store, f"SELECT Id FROM Account LIMIT {huge}").error_code == "MALFORMED_QUERY"


@pytest.mark.parametrize("literal", ["LAST_N_DAYS:99999999999", "NEXT_N_YEARS:9000"])
def test_date_literal_beyond_the_calendar(store: Store, literal: str) -> None:
    err = error(store, f"SELECT Id FROM Opportunity WHERE CloseDate = {literal}")
    assert err.error_code == "MALFORMED_QUERY"


def test_group_by_with_having_and_order_by_aggregate(store: Store) -> None:
    rows = q(
        store,
        "SELECT AccountId, COUNT(Id) n FROM Contact WHERE AccountId != null GROUP BY AccountId "
        "HAVING COUNT(Id) > 0 ORDER BY COUNT(Id) DESC",
    )["records"]
    assert [r["n"] for r in rows] == [2, 1]
    only_big = q(store, "SELECT AccountId FROM Contact GROUP BY AccountId HAVING COUNT(Id) >= 2")[
        "records"
    ]
    assert len(only_big) == 1
    by_max = q(
        store,
        "SELECT Rating, MAX(Name) top FROM Account GROUP BY Rating HAVING MAX(Name) LIKE 'G%'",
    )["records"]
    assert by_max == [{"attributes": {"type": "AggregateResult"}, "Rating": "Hot", "top": "Globex"}]


def test_aggregates_only_where_they_belong(store: Store) -> None:
    assert error(store, "SELECT Id FROM Account WHERE COUNT(Id) > 1").error_code == (
        "MALFORMED_QUERY"
    )
    assert error(store, "SELECT Id FROM Account ORDER BY COUNT(Id)").error_code == (
        "MALFORMED_QUERY"
    )
    having_type = error(store, "SELECT Rating FROM Account GROUP BY Rating HAVING COUNT(Id) > 'x'")
    assert having_type.error_code == "INVALID_FIELD"

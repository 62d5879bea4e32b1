"""Records by external id (``/sobjects/T/Field/value``), collections upsert, any-case names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from runner.emulator import Emulator
from tests.unit.emulator.conftest import Client, V

OBJECTS = [
    {"name": "Account", "fields": [
        {"name": "Ext__c", "type": "text", "length": 20, "external_id": True, "unique": True},
        {"name": "Legacy__c", "type": "text", "external_id": True},
        {"name": "Score__c", "type": "number", "external_id": True},
    ]},
]  # fmt: skip


@pytest.fixture
def org(key_pair: tuple[str, str]) -> Iterator[Client]:
    emu = Emulator(port=9)
    options = {"certificate_pem": key_pair[1], "sample_data": False, "objects": OBJECTS,
               "records": {"Account": [{"Name": "Acme", "Ext__c": "A-1", "Score__c": 7},
                                       {"Name": "Twin 1", "Legacy__c": "L"},
                                       {"Name": "Twin 2", "Legacy__c": "L"}]}}  # fmt: skip
    client = Client(emu, emu.add_org(options), key_pair[0])
    yield client
    emu.close()


def names(client: Client) -> list[str]:
    _, _, found = client.call("GET", f"{V}/query", params={"q": "SELECT Name FROM Account"})
    return sorted(r["Name"] for r in found["records"])


def test_get_by_external_id(org: Client) -> None:
    url = f"{V}/sobjects/Account/ext__c/a-1"
    status, _, record = org.call("GET", url, params={"fields": "Name"})
    assert status == 200 and record["Name"] == "Acme"
    assert record["attributes"]["url"] == f"{V}/sobjects/Account/{record['Id']}"
    assert org.call("GET", f"{V}/sobjects/Account/Score__c/7.0")[2]["Name"] == "Acme"
    assert org.call("GET", f"{V}/sobjects/Account/Name/Acme")[2]["Ext__c"] == "A-1"  # idLookup
    status, _, error = org.call("GET", f"{V}/sobjects/Account/Ext__c/none")
    assert (status, error[0]["errorCode"]) == (404, "NOT_FOUND")
    status, _, error = org.call("GET", f"{V}/sobjects/Account/Phone/123")
    assert (status, error) == (404, [{
        "message": "Provided external ID field does not exist or is not accessible: Phone",
        "errorCode": "NOT_FOUND"}])  # fmt: skip
    status, _, urls = org.call("GET", f"{V}/sobjects/Account/Legacy__c/L")
    assert status == 300 and len(urls) == 2
    assert all(u.startswith(f"{V}/sobjects/Account/001") for u in urls)


def test_patch_upserts_with_the_status_of_the_version(org: Client) -> None:
    status, _, created = org.call("PATCH", f"{V}/sobjects/Account/Ext__c/B-2", {"Name": "Beta"})
    assert status == 201 and created == {"id": created["id"], "success": True, "errors": [],
                                         "created": True}  # fmt: skip
    status, _, updated = org.call("PATCH", f"{V}/sobjects/Account/Ext__c/b-2", {"Name": "Beta 2"})
    assert (status, updated["id"], updated["created"]) == (200, created["id"], False)
    old = "/services/data/v45.0/sobjects/Account/Ext__c"
    status, _, body = org.call("PATCH", f"{old}/B-2", {"Name": "Beta 3"})
    assert (status, body) == (204, None)
    status, _, body = org.call("PATCH", f"{old}/C-3", {"Name": "Gamma"})
    assert status == 201 and set(body) == {"id", "success", "errors"}
    assert names(org) == ["Acme", "Beta 3", "Gamma", "Twin 1", "Twin 2"]
    record = org.call("GET", f"{V}/sobjects/Account/Ext__c/C-3")[2]
    assert record["Ext__c"] == "C-3"


def test_upsert_refusals(org: Client) -> None:
    status, _, error = org.call(
        "PATCH", f"{V}/sobjects/Account/Ext__c/Z-9", {"Name": "Z"}, params={"updateOnly": "true"}
    )
    assert (status, error[0]["errorCode"]) == (404, "NOT_FOUND")
    status, _, error = org.call("PATCH", f"{V}/sobjects/Account/Ext__c/Z-9", {"Phone": "1"})
    assert (status, error[0]["errorCode"]) == (400, "REQUIRED_FIELD_MISSING")
    status, _, error = org.call("PATCH", f"{V}/sobjects/Account/Ext__c/A-1", {"Ext__c": "A-2"})
    assert (status, error[0]["errorCode"], error[0]["fields"]) == (400, "INVALID_FIELD", ["Ext__c"])
    status, _, body = org.call("PATCH", f"{V}/sobjects/Account/Ext__c/A-1", {"ext__c": "a-1"})
    assert (status, body["created"]) == (200, False)  # the same value in the body is accepted
    status, _, urls = org.call("PATCH", f"{V}/sobjects/Account/Legacy__c/L", {"Name": "Both"})
    assert status == 300 and len(urls) == 2
    assert names(org) == ["Acme", "Twin 1", "Twin 2"]  # nothing written
    status, _, error = org.call("PATCH", f"{V}/sobjects/Account/Ext__c/" + "X" * 21, {"Name": "x"})
    assert (status, error[0]["errorCode"]) == (400, "STRING_TOO_LONG")
    status, _, error = org.call("POST", f"{V}/sobjects/Account/Ext__c/A-1", {"Name": "x"})
    assert (status, error[0]["message"]) == (
        405, "HTTP Method 'POST' not allowed. Allowed are HEAD,GET,PATCH,DELETE",
    )  # fmt: skip


def test_delete_by_external_id_and_create_by_id(org: Client) -> None:
    status, _, _urls = org.call("DELETE", f"{V}/sobjects/Account/Legacy__c/L")
    assert status == 300
    assert org.call("DELETE", f"{V}/sobjects/Account/Ext__c/A-1")[0] == 204
    assert org.call("DELETE", f"{V}/sobjects/Account/Ext__c/A-1")[0] == 404
    status, _, created = org.call("POST", f"{V}/sobjects/Account/Id", {"Name": "By Id"})
    assert status == 201 and created["success"] is True
    record_id = created["id"]
    status, _, body = org.call("PATCH", f"{V}/sobjects/Account/Id/{record_id}", {"Phone": "5"})
    assert (status, body["created"]) == (200, False)
    assert org.call("GET", f"{V}/sobjects/Account/{record_id}")[2]["Phone"] == "5"
    missing = "001" + record_id[3:14] + "AAAA"
    assert org.call("PATCH", f"{V}/sobjects/Account/Id/{missing}", {"Phone": "5"})[0] == 404
    status, _, _error = org.call("POST", "/services/data/v36.0/sobjects/Account/Id", {"Name": "x"})
    assert status == 405


def upsert_items(client: Client, records: list[dict[str, Any]], **kw: Any) -> Any:
    body = {"allOrNone": kw.get("all_or_none", False),
            "records": [{"attributes": {"type": "Account"}, **r} for r in records]}  # fmt: skip
    return client.call("PATCH", f"{kw.get('base', V)}/composite/sobjects/Account/Ext__c", body)


def test_collection_upsert(org: Client) -> None:
    status, _, results = upsert_items(org, [
        {"Ext__c": "A-1", "Name": "Acme 2"},
        {"ext__c": "N-1", "Name": "New"},
        {"Name": "No key"},
        {"Ext__c": "D-1", "Name": "One"},
        {"Ext__c": "d-1", "Name": "Two"},
    ])  # fmt: skip
    assert status == 200
    assert [(r["success"], r.get("created")) for r in results] == [
        (True, False), (True, True), (False, None), (False, None), (False, None),
    ]  # fmt: skip
    assert results[2]["errors"] == [
        {"statusCode": "MISSING_ARGUMENT", "message": "Ext__c not specified", "fields": ["Ext__c"]}
    ]
    assert results[3]["errors"][0]["statusCode"] == "DUPLICATE_VALUE"
    assert names(org) == ["Acme 2", "New", "Twin 1", "Twin 2"]
    _, _, rolled = upsert_items(org, [{"Ext__c": "R-1", "Name": "R"}, {"Ext__c": "R-2"}],
                                all_or_none=True)  # fmt: skip
    assert rolled[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert rolled[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert names(org) == ["Acme 2", "New", "Twin 1", "Twin 2"]
    status, _, _ = upsert_items(org, [{"Ext__c": "A-1"}], base="/services/data/v45.0")
    assert status == 404
    twins = [{"attributes": {"type": "Account"}, "Legacy__c": "L", "Name": "x"}]
    _, _, multiple = org.call("PATCH", f"{V}/composite/sobjects/Account/Legacy__c",
                              {"records": twins})  # fmt: skip
    assert multiple[0]["errors"][0]["statusCode"] == "DUPLICATE_EXTERNAL_ID"
    status, _, _ = org.call("PATCH", f"{V}/composite/sobjects/Account/Phone", {"records": twins})
    assert status == 404


def test_field_names_are_case_insensitive_everywhere(org: Client) -> None:
    _, _, created = org.call("POST", f"{V}/sobjects/account", {"name": "lower", "EXT__C": "lc-1"})
    record_id = created["id"]
    url = f"{V}/sobjects/ACCOUNT/{record_id}"
    _, _, record = org.call("GET", url, params={"fields": "NAME,ext__c"})
    assert (record["Name"], record["Ext__c"]) == ("lower", "lc-1")
    items = [{"attributes": {"type": "Account"}, "id": record_id, "phone": "42"}]
    status, _, results = org.call("PATCH", f"{V}/composite/sobjects", {"records": items})
    assert status == 200 and results == [{"id": record_id, "success": True, "errors": []}]
    soql = "select name, phone from account where ext__c = 'LC-1'"
    _, _, found = org.call("GET", f"{V}/query", params={"q": soql})
    assert found["records"][0]["Phone"] == "42" and "Name" in found["records"][0]


def test_lookups_given_by_the_parents_external_id(key_pair: tuple[str, str]) -> None:
    emu = Emulator(port=9)
    contacts = [{"LastName": "Seeded", "Account": {"Ext__c": "A-1"}}]
    options = {"certificate_pem": key_pair[1], "sample_data": False, "objects": OBJECTS,
               "records": {"Account": [{"Name": "Acme", "Ext__c": "A-1"},
                                       {"Name": "Twin 1", "Legacy__c": "L"},
                                       {"Name": "Twin 2", "Legacy__c": "L"}],
                           "Contact": contacts}}  # fmt: skip
    try:
        org = Client(emu, emu.add_org(options), key_pair[0])
        acme = org.call("GET", f"{V}/sobjects/Account/Ext__c/A-1")[2]["Id"]
        soql = "SELECT LastName, Account.Name FROM Contact"
        _, _, seeded = org.call("GET", f"{V}/query", params={"q": soql})
        assert seeded["records"][0]["Account"]["Name"] == "Acme"
        body = {"LastName": "Posted", "account": {"ext__c": "a-1"}}
        status, _, created = org.call("POST", f"{V}/sobjects/Contact", body)
        assert status == 201
        assert org.call("GET", f"{V}/sobjects/Contact/{created['id']}")[2]["AccountId"] == acme
        refusals = [
            ({"Ext__c": "none"}, "Foreign key external ID: none not found for field Ext__c in "
                                 "entity Account"),
            ({"Legacy__c": "L"}, "Foreign key external ID: L matched more than one record for "
                                 "field Legacy__c in entity Account"),
            ({"Phone": "1"}, "Phone is not an External ID or indexed field for Account"),
        ]  # fmt: skip
        for reference, message in refusals:
            status, _, error = org.call("POST", f"{V}/sobjects/Contact",
                                        {"LastName": "x", "Account": reference})  # fmt: skip
            assert (status, error[0]["errorCode"], error[0]["message"]) == (
                400, "INVALID_FIELD", message,
            )  # fmt: skip
    finally:
        emu.close()

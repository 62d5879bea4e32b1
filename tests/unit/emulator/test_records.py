"""sObject routes: describe, one record's create/read/update/delete, relationships."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Client, V, create_account, error_code


def test_describe_global_and_describe(client: Client) -> None:
    status, _, body = client.call("GET", f"{V}/sobjects")
    names = {s["name"] for s in body["sobjects"]}
    assert status == 200 and {"Account", "Contact", "Opportunity", "Case", "User"} <= names
    status, _, account = client.call("GET", f"{V}/sobjects/account/describe")
    assert status == 200 and account["name"] == "Account"
    assert any(f["name"] == "AccountNumber" for f in account["fields"])
    status, _, info = client.call("GET", f"{V}/sobjects/Account")
    assert status == 200 and info["objectDescribe"]["keyPrefix"] == "001"
    assert error_code(client.call("GET", f"{V}/sobjects/Widget/describe")) == (404, "NOT_FOUND")


def test_record_lifecycle(client: Client) -> None:
    record_id = create_account(client, {"Name": "Lifecycle", "AccountNumber": "LC-1"})
    assert len(record_id) == 18 and record_id.startswith("001")
    status, _, record = client.call("GET", f"{V}/sobjects/Account/{record_id}")
    assert status == 200 and record["attributes"]["type"] == "Account"
    assert record["attributes"]["url"] == f"{V}/sobjects/Account/{record_id}"
    assert record["Name"] == "Lifecycle" and "CreatedDate" in record
    status, _, some = client.call(
        "GET", f"{V}/sobjects/Account/{record_id[:15]}", params={"fields": "Name,AccountNumber"}
    )
    assert status == 200 and some["Id"] == record_id and some["AccountNumber"] == "LC-1"
    assert client.call("PATCH", f"{V}/sobjects/Account/{record_id}", {"Name": "Renamed"})[0] == 204
    assert client.call("GET", f"{V}/sobjects/Account/{record_id}")[2]["Name"] == "Renamed"
    override = client.call(
        "POST", f"{V}/sobjects/Account/{record_id}", {"Name": "Again"}, {"_HttpMethod": "PATCH"}
    )
    assert override[0] == 204
    assert client.call("DELETE", f"{V}/sobjects/Account/{record_id}")[0] == 204
    assert error_code(client.call("GET", f"{V}/sobjects/Account/{record_id}")) == (404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"Id": "001000000000001AAA", "Name": "x"}, (400, "INVALID_FIELD")),
        ({"AccountNumber": "1"}, (400, "REQUIRED_FIELD_MISSING")),
        ({"Name": "x", "Bogus__c": 1}, (400, "INVALID_FIELD")),
        ([{"Name": "x"}], (400, "JSON_PARSER_ERROR")),
    ],
)
def test_create_errors(client: Client, body: Any, expected: tuple[int, str]) -> None:
    assert error_code(client.call("POST", f"{V}/sobjects/Account", body)) == expected


def test_malformed_json(client: Client) -> None:
    result = client.call("POST", f"{V}/sobjects/Account", raw=b"{'Name':")
    assert error_code(result) == (400, "JSON_PARSER_ERROR")


def test_record_errors(client: Client) -> None:
    status, _, body = client.call("GET", f"{V}/sobjects/Account/not-an-id")
    assert status == 404 and body[0]["message"].endswith("not accessible: not-an-id")
    missing = "001" + "0" * 11 + "9ZZ"
    assert error_code(client.call("GET", f"{V}/sobjects/Account/{missing}")) == (404, "NOT_FOUND")
    record_id = create_account(client, {"Name": "F"})
    bad_field = client.call("GET", f"{V}/sobjects/Account/{record_id}", params={"fields": "Nope"})
    assert error_code(bad_field) == (400, "INVALID_FIELD")
    assert error_code(client.call("PUT", f"{V}/sobjects/Account/{record_id}", {})) == (
        405,
        "METHOD_NOT_ALLOWED",
    )


def test_relationship_traversal(client: Client) -> None:
    account = create_account(client, {"Name": "Parent Co"})
    created = client.call(
        "POST", f"{V}/sobjects/Contact", {"LastName": "Kid", "AccountId": account}
    )
    contact = created[2]["id"]
    status, _, parent = client.call("GET", f"{V}/sobjects/Contact/{contact}/Account")
    assert status == 200 and parent["Id"] == account and parent["Name"] == "Parent Co"
    status, _, children = client.call(
        "GET", f"{V}/sobjects/Account/{account}/Contacts", params={"fields": "Id,LastName"}
    )
    assert status == 200 and children["totalSize"] == 1
    assert children["records"][0]["LastName"] == "Kid"
    assert error_code(client.call("GET", f"{V}/sobjects/Account/{account}/Nothing")) == (
        404,
        "NOT_FOUND",
    )

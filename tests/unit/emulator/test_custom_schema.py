"""Custom objects and fields declared in an org's options: describe, validation, SOQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runner.emulator import Emulator
from runner.emulator.config import EmulatorConfigError, load_config_file
from tests.unit.emulator.conftest import Client, V

INVOICE: dict[str, Any] = {
    "name": "Invoice__c",
    "label": "Invoice",
    "fields": [
        {"name": "Number__c", "type": "string", "length": 10, "external_id": True,
         "unique": True, "required": True},
        {"name": "Status__c", "type": "picklist", "restricted": True,
         "values": [{"value": "draft", "label": "Draft", "default": True}, "sent"]},
        {"name": "Account__c", "type": "lookup", "reference_to": "Account"},
        {"name": "Total__c", "type": "currency", "precision": 8},
        {"name": "Paid__c", "type": "checkbox"},
        {"name": "Due__c", "type": "date"},
        {"name": "Ref__c", "type": "auto_number", "format": "INV-{0000}"},
    ],
}  # fmt: skip
EXTRA_ON_ACCOUNT = {
    "name": "Account",
    "fields": [{"name": "Region__c", "type": "picklist", "values": ["EMEA", "AMER"]}],
}


@pytest.fixture
def org(key_pair: tuple[str, str]) -> Iterator[Client]:
    emu = Emulator(port=9)
    options = {"name": "acme", "certificate_pem": key_pair[1], "sample_data": False,
               "objects": [INVOICE, EXTRA_ON_ACCOUNT]}  # fmt: skip
    client = Client(emu, emu.add_org(options), key_pair[0])
    yield client
    emu.close()


def create(client: Client, sobject: str, body: dict[str, Any]) -> str:
    status, _, answer = client.call("POST", f"{V}/sobjects/{sobject}", body)
    assert status == 201, answer
    record_id: str = answer["id"]
    return record_id


def refusal(client: Client, sobject: str, body: dict[str, Any]) -> dict[str, Any]:
    status, _, answer = client.call("POST", f"{V}/sobjects/{sobject}", body)
    assert status == 400, answer
    error: dict[str, Any] = answer[0]
    return error


def test_describe_shows_the_declared_object(org: Client) -> None:
    _, _, body = org.call("GET", f"{V}/sobjects/Invoice__c/describe")
    assert (body["name"], body["label"], body["labelPlural"], body["custom"]) == (
        "Invoice__c", "Invoice", "Invoices", True,
    )  # fmt: skip
    assert body["keyPrefix"].startswith("a") and len(body["keyPrefix"]) == 3
    fields = {f["name"]: f for f in body["fields"]}
    assert {"Id", "Name", "OwnerId", "CreatedDate", "SystemModstamp"} <= set(fields)
    number = fields["Number__c"]
    assert (number["externalId"], number["unique"], number["idLookup"], number["nillable"]) == (
        True, True, True, False,
    )  # fmt: skip
    assert (number["length"], number["custom"]) == (10, True)
    status = fields["Status__c"]
    assert status["restrictedPicklist"] is True
    assert [(p["value"], p["label"], p["defaultValue"]) for p in status["picklistValues"]] == [
        ("draft", "Draft", True), ("sent", "sent", False),
    ]  # fmt: skip
    account = fields["Account__c"]
    assert (account["referenceTo"], account["relationshipName"]) == (["Account"], "Account__r")
    assert (fields["Total__c"]["precision"], fields["Total__c"]["scale"]) == (8, 2)
    assert fields["Ref__c"]["autoNumber"] is True and fields["Ref__c"]["createable"] is False
    _, _, parent = org.call("GET", f"{V}/sobjects/Account/describe")
    names = {(c["childSObject"], c["relationshipName"]) for c in parent["childRelationships"]}
    assert ("Invoice__c", "Invoices__r") in names
    assert any(f["name"] == "Region__c" for f in parent["fields"])
    _, _, listing = org.call("GET", f"{V}/sobjects")
    assert any(s["name"] == "Invoice__c" and s["custom"] for s in listing["sobjects"])


def test_validation_errors_follow_the_declared_fields(org: Client) -> None:
    assert refusal(org, "Invoice__c", {"Name": "A"}) == {
        "message": "Required fields are missing: [Number__c]",
        "errorCode": "REQUIRED_FIELD_MISSING", "fields": ["Number__c"],
    }  # fmt: skip
    too_long = refusal(org, "Invoice__c", {"Name": "A", "Number__c": "N" * 11})
    assert too_long["errorCode"] == "STRING_TOO_LONG" and too_long["fields"] == ["Number__c"]
    assert too_long["message"] == "Number: data value too large: NNNNNNNNNNN (max length=10)"
    bad_pick = refusal(org, "Invoice__c", {"Name": "A", "Number__c": "N1", "Status__c": "paid"})
    assert bad_pick == {
        "message": "Status: bad value for restricted picklist field: paid",
        "errorCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "fields": ["Status__c"],
    }  # fmt: skip
    first = create(org, "Invoice__c", {"Name": "A", "Number__c": "N1"})
    duplicate = refusal(org, "Invoice__c", {"Name": "B", "Number__c": "n1"})
    assert duplicate == {
        "message": f"duplicate value found: Number__c duplicates value on record with id: "
        f"{first[:15]}",
        "errorCode": "DUPLICATE_VALUE", "fields": [],
    }  # fmt: skip
    unknown = refusal(org, "Invoice__c", {"Name": "C", "Number__c": "N3", "Totl__c": 1})
    assert unknown["errorCode"] == "INVALID_FIELD"
    assert unknown["message"] == "No such column 'Totl__c' on sobject of type Invoice__c"
    status, _, answer = org.call("PATCH", f"{V}/sobjects/Invoice__c/{first}", {"Number__c": ""})
    assert (status, answer[0]["errorCode"]) == (400, "REQUIRED_FIELD_MISSING")


def test_defaults_auto_numbers_and_account_fields(org: Client) -> None:
    first = create(org, "Invoice__c", {"Name": "A", "Number__c": "N1"})
    second = create(org, "Invoice__c", {"Name": "B", "Number__c": "N2", "Paid__c": True})
    _, _, one = org.call("GET", f"{V}/sobjects/Invoice__c/{first}")
    _, _, two = org.call("GET", f"{V}/sobjects/Invoice__c/{second}")
    assert (one["Status__c"], one["Paid__c"], one["Ref__c"]) == ("draft", False, "INV-0001")
    assert (two["Paid__c"], two["Ref__c"]) == (True, "INV-0002")
    account = create(org, "Account", {"Name": "Acme", "Region__c": "Elsewhere"})
    _, _, read = org.call("GET", f"{V}/sobjects/Account/{account}", params={"fields": "region__c"})
    assert read["Region__c"] == "Elsewhere"  # an unrestricted picklist takes any value


def test_relationship_queries_use_the_declared_names(org: Client) -> None:
    account = create(org, "Account", {"Name": "Acme"})
    create(org, "Invoice__c", {"Name": "A", "Number__c": "N1", "Account__c": account,
                               "Total__c": 10})  # fmt: skip
    create(org, "Invoice__c", {"Name": "B", "Number__c": "N2", "Account__c": account,
                               "Total__c": 5.5})  # fmt: skip
    soql = ("SELECT Name, account__r.Name FROM Invoice__c WHERE Account__r.Name = 'Acme' "
            "ORDER BY Name")
    _, _, found = org.call("GET", f"{V}/query", params={"q": soql})
    assert [(r["Name"], r["Account__r"]["Name"]) for r in found["records"]] == [
        ("A", "Acme"), ("B", "Acme"),
    ]  # fmt: skip
    soql = "SELECT Name, (SELECT Number__c FROM Invoices__r ORDER BY Number__c) FROM Account"
    _, _, parents = org.call("GET", f"{V}/query", params={"q": soql})
    children = parents["records"][0]["Invoices__r"]
    assert [r["Number__c"] for r in children["records"]] == ["N1", "N2"]
    soql = "SELECT SUM(Total__c) total FROM Invoice__c GROUP BY Account__c"
    _, _, summed = org.call("GET", f"{V}/query", params={"q": soql})
    assert summed["records"][0]["total"] == 15.5
    status, _, error = org.call("GET", f"{V}/query", params={"q": "SELECT Totl__c FROM Invoice__c"})
    assert status == 400 and error[0]["errorCode"] == "INVALID_FIELD"
    assert "No such column 'Totl__c' on entity 'Invoice__c'" in error[0]["message"]
    _, _, related = org.call("GET", f"{V}/sobjects/Account/{account}/Invoices__r")
    assert related["totalSize"] == 2


def test_records_of_a_declared_object_seed_the_org(key_pair: tuple[str, str]) -> None:
    emu = Emulator(port=9)
    try:
        org = emu.add_org({"certificate_pem": key_pair[1], "sample_data": False,
                           "objects": [INVOICE],
                           "records": {"Invoice__c": [{"Name": "Seed", "Number__c": "S-1"}]}})
        client = Client(emu, org, key_pair[0])
        _, _, found = client.call("GET", f"{V}/sobjects/Invoice__c/Number__c/S-1")
        assert found["Name"] == "Seed"
    finally:
        emu.close()


@pytest.mark.parametrize(
    ("records", "where", "message"),
    [
        ({"Invoce__c": [{"Name": "x"}]}, ":8:7: orgs[0].records.Invoce__c",
         "no sObject type Invoce__c in this org"),
        ({"Invoice__c": [{"Name": "x", "Nmber__c": "1"}]}, ":9:25: orgs[0].records.Invoice__c[0]"
         ".Nmber__c", "No such column 'Nmber__c' on sobject of type Invoice__c"),
        ({"Invoice__c": [{"Name": "x"}]}, ":9:11: orgs[0].records.Invoice__c[0]",
         "REQUIRED_FIELD_MISSING: Required fields are missing: [Number__c]"),
        ({"Invoice__c": [{"Name": "x", "Number__c": "1"}, {"Name": "y", "Number__c": "1"}]},
         ":10:11: orgs[0].records.Invoice__c[1]", "DUPLICATE_VALUE: duplicate value found"),
    ],
)  # fmt: skip
def test_bad_seed_records_name_their_place(
    tmp_path: Path, records: dict[str, Any], where: str, message: str
) -> None:
    objects = [{"name": "Invoice__c", "fields": [INVOICE["fields"][0]]}]
    text = (
        "orgs:\n  - name: acme\n    objects:\n"
        f"      - {objects[0]}\n"
        "    sample_data: false\n"
        "    random_seed: 1\n"
        "    records:\n"
        + "".join(f"      {name}:\n        - " + "\n        - ".join(map(str, items)) + "\n"
                  for name, items in records.items())
    )  # fmt: skip
    path = tmp_path / "emu.yml"
    path.write_text(text)
    (entry, locate), = load_config_file(str(path))
    emu = Emulator(port=9)
    try:
        with pytest.raises(EmulatorConfigError) as raised:
            emu.add_org(entry, where=f"{path}: orgs[0]", locate=locate)
    finally:
        emu.close()
    assert str(raised.value).startswith(f"{path}{where}: {message}"), str(raised.value)


@pytest.mark.parametrize(
    ("objects", "where", "message"),
    [
        ([{"name": "A__c", "fields": [{"name": "B__c", "type": "lookup", "reference_to": "Nope"}]}],
         "objects[0].fields[0].reference_to", "no object named Nope in this org"),
        ([{"name": "A__c", "fields": [{"name": "B__c", "type": "lookup"}]}],
         "objects[0].fields[0]", "a lookup field needs reference_to"),
        ([{"name": "A__c", "fields": [{"name": "B__c", "type": "text", "values": ["x"]}]}],
         "objects[0].fields[0].values", "values are for picklist fields"),
        ([{"name": "A__c", "fields": [
            {"name": "B__c", "type": "lookup", "reference_to": "Account"},
            {"name": "C__c", "type": "lookup", "reference_to": "Account"}]}],
         "objects[0].fields[1]", "Account already has a child relationship named As__r"),
        ([{"name": "A__c", "fields": [{"name": "B__c", "type": "blob"}]}],
         "objects[0].fields[0].type", "'blob' is not one of"),
    ],
)  # fmt: skip
def test_bad_declarations_are_refused(objects: list[Any], where: str, message: str) -> None:
    emu = Emulator(port=9)
    try:
        with pytest.raises(EmulatorConfigError) as raised:
            emu.add_org({"objects": objects, "sample_data": False})
    finally:
        emu.close()
    assert str(raised.value).startswith(f"emulator: {where}: {message}"), str(raised.value)

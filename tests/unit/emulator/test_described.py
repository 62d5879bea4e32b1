"""Describe files captured from an org, loaded as the schema of their objects."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runner.emulator import Emulator
from runner.emulator.config import EmulatorConfigError
from tests.unit.emulator.conftest import Client, V

DESCRIBE = Path(__file__).resolve().parents[2] / "data" / "describe"


@pytest.fixture
def org(key_pair: tuple[str, str]) -> Iterator[Client]:
    emu = Emulator(port=9)
    options = {"certificate_pem": key_pair[1], "sample_data": False,
               "describe": ["Invoice__c.json", "Invoice_Line__c.json"],
               "objects": [{"name": "Invoice__c",
                            "fields": [{"name": "Memo__c", "type": "text", "length": 40}]}]}
    client = Client(emu, emu.add_org(options, base_dir=DESCRIBE), key_pair[0])  # fmt: skip
    yield client
    emu.close()


def create(client: Client, sobject: str, body: dict[str, Any]) -> str:
    status, _, answer = client.call("POST", f"{V}/sobjects/{sobject}", body)
    assert status == 201, answer
    record_id: str = answer["id"]
    return record_id


def test_describe_answers_the_captured_body(org: Client) -> None:
    captured = json.loads((DESCRIBE / "Invoice__c.json").read_text())["result"]
    status, _, body = org.call("GET", "/services/data/v58.0/sobjects/Invoice__c/describe")
    assert status == 200
    assert body["urls"]["sobject"] == "/services/data/v58.0/sobjects/Invoice__c"
    assert body["urls"]["uiDetailTemplate"] == captured["urls"]["uiDetailTemplate"]
    assert body["fields"][: len(captured["fields"])] == captured["fields"]
    assert body["fields"][-1]["name"] == "Memo__c" and body["fields"][-1]["length"] == 40
    assert body["keyPrefix"] == "a0B" and body["supportedScopes"] == captured["supportedScopes"]
    _, _, line = org.call("GET", f"{V}/sobjects/invoice_line__c/describe")
    assert line["name"] == "Invoice_Line__c" and line["keyPrefix"] == "a0C"


def test_captured_fields_rule_creates_and_updates(org: Client) -> None:
    account = create(org, "Account", {"Name": "Acme"})
    status, _, error = org.call("POST", f"{V}/sobjects/Invoice__c", {"Amount__c": 3})
    assert (status, error[0]["errorCode"], error[0]["fields"]) == (
        400, "REQUIRED_FIELD_MISSING", ["Account__c"],
    )  # fmt: skip
    status, _, error = org.call(
        "POST", f"{V}/sobjects/Invoice__c", {"Account__c": account, "Name": "INV-9"}
    )
    assert (status, error[0]["errorCode"]) == (400, "INVALID_FIELD_FOR_INSERT_UPDATE")
    body = {"Account__c": account, "Stage__c": "sent", "External_Key__c": "K-1"}
    invoice = create(org, "Invoice__c", body)
    _, _, read = org.call("GET", f"{V}/sobjects/Invoice__c/{invoice}")
    assert (read["Name"], read["Stage__c"], read["Paid__c"]) == ("00000001", "sent", False)
    status, _, error = org.call("POST", f"{V}/sobjects/Invoice__c", {**body, "Stage__c": "Sent"})
    assert error[0] == {
        "message": "Stage: bad value for restricted picklist field: Sent",
        "errorCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "fields": ["Stage__c"],
    }  # fmt: skip
    status, _, error = org.call("POST", f"{V}/sobjects/Invoice__c", {**body, "Stage__c": "paid"})
    assert (status, error[0]["errorCode"]) == (400, "DUPLICATE_VALUE")
    change = {"Account__c": account}
    status, _, error = org.call("PATCH", f"{V}/sobjects/Invoice__c/{invoice}", change)
    assert (status, error[0]["errorCode"]) == (400, "INVALID_FIELD_FOR_INSERT_UPDATE")


def test_relationships_follow_the_captured_names(org: Client) -> None:
    account = create(org, "Account", {"Name": "Acme"})
    invoice = create(org, "Invoice__c", {"Account__c": account, "Amount__c": 12.5})
    _status, _, error = org.call("POST", f"{V}/sobjects/Invoice_Line__c", {"Invoice__c": invoice})
    assert error[0]["fields"] == ["Product_Code__c"]
    for code in ("P-1", "P-2"):
        create(org, "Invoice_Line__c", {"Invoice__c": invoice, "Product_Code__c": code})
    soql = ("SELECT Name, Amount__c, Account__r.Name, (SELECT Product_Code__c FROM Lines__r "
            "ORDER BY Product_Code__c) FROM Invoice__c")  # fmt: skip
    _, _, found = org.call("GET", f"{V}/query", params={"q": soql})
    record = found["records"][0]
    assert record["Account__r"]["Name"] == "Acme" and record["Amount__c"] == 12.5
    assert [r["Product_Code__c"] for r in record["Lines__r"]["records"]] == ["P-1", "P-2"]
    soql = "SELECT Name, (SELECT Name FROM Invoices__r) FROM Account"
    _, _, parents = org.call("GET", f"{V}/query", params={"q": soql})
    assert parents["records"][0]["Invoices__r"]["totalSize"] == 1
    soql = "SELECT Product_Code__c, Invoice__r.Account__r.Name FROM Invoice_Line__c LIMIT 1"
    _, _, lines = org.call("GET", f"{V}/query", params={"q": soql})
    assert lines["records"][0]["Invoice__r"]["Account__r"]["Name"] == "Acme"
    assert org.call("DELETE", f"{V}/sobjects/Account/{account}")[0] == 204
    _, _, left = org.call("GET", f"{V}/query", params={"q": "SELECT COUNT() FROM Invoice_Line__c"})
    assert left["totalSize"] == 0  # master-detail: the account took its invoices and their lines


def test_raw_describe_bodies_load_too(tmp_path: Path, key_pair: tuple[str, str]) -> None:
    raw = json.loads((DESCRIBE / "Invoice__c.json").read_text())["result"]
    raw["name"], raw["keyPrefix"] = "Bill__c", None
    (tmp_path / "bill.json").write_text(json.dumps(raw))
    emu = Emulator(port=9)
    try:
        options = {"certificate_pem": key_pair[1], "describe": [str(tmp_path / "bill.json")]}
        org = emu.add_org(options)
        client = Client(emu, org, key_pair[0])
        _, _, body = client.call("GET", f"{V}/sobjects/Bill__c/describe")
    finally:
        emu.close()
    assert body["name"] == "Bill__c" and body["keyPrefix"].startswith("a")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{\n  \"name\": \"X__c\",\n  \"fields\": [\n}", "bad.json:4:1: emulator: describe[0]: "
         "not valid JSON"),
        ('{"status": 1, "message": "no such object"}', "bad.json is not a describe body"),
        ('{"name": "X__c"}', "bad.json is not a describe body (no 'fields' list)"),
        ('{"name": "X__c", "fields": [{"name": "A"}]}', "a field is not as describe gives it"),
    ],
)  # fmt: skip
def test_broken_describe_files_are_refused(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "bad.json").write_text(content)
    emu = Emulator(port=9)
    try:
        with pytest.raises(EmulatorConfigError) as raised:
            emu.add_org({"describe": ["bad.json"]}, base_dir=tmp_path)
    finally:
        emu.close()
    assert message in str(raised.value)
    with pytest.raises(EmulatorConfigError, match=r"describe\[0\]: cannot read"):
        Emulator(port=9).add_org({"describe": ["none.json"]}, base_dir=tmp_path)

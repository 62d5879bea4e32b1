"""/composite/batch and /composite/tree."""

from __future__ import annotations

from .conftest import Client, V, create_account


def test_composite_batch_runs_each_and_can_halt(client: Client) -> None:
    record_id = create_account(client, {"Name": "Batch Co"})
    requests_ = [
        {"method": "PATCH", "url": f"v60.0/sobjects/Account/{record_id}",
         "richInput": {"Name": "Batch Renamed"}},
        {"method": "GET", "url": f"v60.0/sobjects/Account/{record_id}?fields=Name"},
        {"method": "GET", "url": "v60.0/sobjects/Account/001000000000000AAA"},
        {"method": "GET", "url": "/services/data/v60.0/limits"},
    ]  # fmt: skip
    status, _, body = client.call("POST", f"{V}/composite/batch", {"batchRequests": requests_})
    assert status == 200 and body["hasErrors"] is True
    assert [r["statusCode"] for r in body["results"]] == [204, 200, 404, 200]
    assert body["results"][1]["result"]["Name"] == "Batch Renamed"
    halted = client.call(
        "POST", f"{V}/composite/batch", {"batchRequests": requests_[2:], "haltOnError": True}
    )[2]
    assert [r["statusCode"] for r in halted["results"]] == [404, 412]
    assert halted["results"][1]["result"][0]["errorCode"] == "BATCH_PROCESSING_HALTED"


def test_composite_tree_creates_parents_and_children(client: Client) -> None:
    tree = {
        "records": [
            {"attributes": {"type": "Account", "referenceId": "acme"}, "Name": "Tree Co",
             "Contacts": {"records": [
                 {"attributes": {"type": "Contact", "referenceId": "c1"}, "LastName": "Leaf"},
             ]}},
        ]
    }  # fmt: skip
    status, _, body = client.call("POST", f"{V}/composite/tree/Account", tree)
    assert status == 201 and body["hasErrors"] is False
    refs = {r["referenceId"]: r["id"] for r in body["results"]}
    contact = client.call("GET", f"{V}/sobjects/Contact/{refs['c1']}")[2]
    assert contact["AccountId"] == refs["acme"]


def test_composite_tree_is_all_or_nothing(client: Client) -> None:
    tree = {
        "records": [
            {"attributes": {"type": "Account", "referenceId": "ok"}, "Name": "Tree Rollback"},
            {"attributes": {"type": "Account", "referenceId": "bad"}, "AccountNumber": "x"},
        ]
    }
    status, _, body = client.call("POST", f"{V}/composite/tree/Account", tree)
    assert status == 400 and body["hasErrors"] is True
    assert [r["referenceId"] for r in body["results"]] == ["bad"]
    assert body["results"][0]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    soql = "SELECT Id FROM Account WHERE Name = 'Tree Rollback'"
    assert client.call("GET", f"{V}/query", params={"q": soql})[2]["totalSize"] == 0

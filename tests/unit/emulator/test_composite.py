"""/composite with references and allOrNone, and sObject collections."""

from __future__ import annotations

from .conftest import Client, V, create_account


def test_composite_chains_references(client: Client) -> None:
    body = {
        "compositeRequest": [
            {"method": "POST", "url": f"{V}/sobjects/Account", "referenceId": "acct",
             "body": {"Name": "Composite Co"}},
            {"method": "POST", "url": f"{V}/sobjects/Contact", "referenceId": "contact",
             "body": {"LastName": "Wong", "AccountId": "@{acct.id}"}},
            {"method": "GET", "url": f"{V}/sobjects/Contact/@{{contact.id}}?fields=AccountId",
             "referenceId": "read"},
        ]
    }  # fmt: skip
    status, _, result = client.call("POST", f"{V}/composite", body)
    subs = result["compositeResponse"]
    assert status == 200 and [s["httpStatusCode"] for s in subs] == [201, 201, 200]
    assert subs[0]["httpHeaders"]["Location"] == f"{V}/sobjects/Account/{subs[0]['body']['id']}"
    assert subs[2]["body"]["AccountId"] == subs[0]["body"]["id"]


def test_composite_all_or_none_rolls_back(client: Client) -> None:
    body = {
        "allOrNone": True,
        "compositeRequest": [
            {"method": "POST", "url": f"{V}/sobjects/Account", "referenceId": "ok",
             "body": {"Name": "Rolled Back Co"}},
            {"method": "POST", "url": f"{V}/sobjects/Account", "referenceId": "bad",
             "body": {"AccountNumber": "no name"}},
            {"method": "GET", "url": f"{V}/limits", "referenceId": "after"},
        ],
    }  # fmt: skip
    status, _, result = client.call("POST", f"{V}/composite", body)
    subs = result["compositeResponse"]
    assert status == 200 and [s["httpStatusCode"] for s in subs] == [400, 400, 400]
    codes = [s["body"][0]["errorCode"] for s in subs]
    assert codes == ["PROCESSING_HALTED", "REQUIRED_FIELD_MISSING", "PROCESSING_HALTED"]
    soql = "SELECT Id FROM Account WHERE Name = 'Rolled Back Co'"
    assert client.call("GET", f"{V}/query", params={"q": soql})[2]["totalSize"] == 0


def test_composite_bad_reference(client: Client) -> None:
    body = {
        "compositeRequest": [
            {"method": "GET", "url": f"{V}/sobjects/Account/@{{nope.id}}", "referenceId": "r1"}
        ]
    }
    sub = client.call("POST", f"{V}/composite", body)[2]["compositeResponse"][0]
    assert sub["httpStatusCode"] == 400 and sub["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert sub["body"][0]["message"].startswith(
        "Invalid reference specified. No value for nope.id found in nope."
    )


def test_collections_all_or_none(client: Client) -> None:
    records = [
        {"attributes": {"type": "Account"}, "Name": "Coll A"},
        {"attributes": {"type": "Account"}},
    ]
    status, _, results = client.call(
        "POST", f"{V}/composite/sobjects", {"allOrNone": True, "records": records}
    )
    assert status == 200 and [r["success"] for r in results] == [False, False]
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    status, _, partial = client.call("POST", f"{V}/composite/sobjects", {"records": records})
    assert [r["success"] for r in partial] == [True, False] and "id" in partial[0]


def test_collections_update_retrieve_delete(client: Client) -> None:
    a, b = create_account(client, {"Name": "U1"}), create_account(client, {"Name": "U2"})
    updates = [{"attributes": {"type": "Account"}, "Id": i, "Name": f"{i}-new"} for i in (a, b)]
    results = client.call("PATCH", f"{V}/composite/sobjects", {"records": updates})[2]
    assert [r["id"] for r in results] == [a, b] and all(r["success"] for r in results)
    fetched = client.call(
        "POST", f"{V}/composite/sobjects/Account", {"ids": [a, b], "fields": ["Name"]}
    )[2]
    assert [r["Name"] for r in fetched] == [f"{a}-new", f"{b}-new"]
    deleted = client.call("DELETE", f"{V}/composite/sobjects", params={"ids": f"{a},{b}"})[2]
    assert deleted == [
        {"id": a, "success": True, "errors": []},
        {"id": b, "success": True, "errors": []},
    ]


def test_reference_to_a_failed_subrequest(client: Client) -> None:
    body = {
        "compositeRequest": [
            {"method": "POST", "url": f"{V}/sobjects/Account", "referenceId": "bad",
             "body": {"AccountNumber": "no name"}},
            {"method": "POST", "url": f"{V}/sobjects/Contact", "referenceId": "kid",
             "body": {"LastName": "Orphan", "AccountId": "@{bad.id}"}},
        ]
    }  # fmt: skip
    subs = client.call("POST", f"{V}/composite", body)[2]["compositeResponse"]
    assert [s["httpStatusCode"] for s in subs] == [400, 400]
    assert subs[1]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert "No value for bad.id found in bad." in subs[1]["body"][0]["message"]

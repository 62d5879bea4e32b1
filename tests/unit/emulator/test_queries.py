"""Query routes: query, queryAll, paging by locator, the tooling query, SOQL errors."""

from __future__ import annotations

from .conftest import Client, V, create_account, error_code


def test_query_and_query_all(client: Client) -> None:
    record_id = create_account(client, {"Name": "Gone Soon", "AccountNumber": "GS-1"})
    soql = "SELECT Id, Name FROM Account WHERE Name = 'Gone Soon'"
    status, _, body = client.call("GET", f"{V}/query", params={"q": soql})
    assert status == 200 and body["totalSize"] == 1 and body["done"] is True
    assert body["records"][0]["Id"] == record_id
    client.call("DELETE", f"{V}/sobjects/Account/{record_id}")
    assert client.call("GET", f"{V}/query", params={"q": soql})[2]["totalSize"] == 0
    assert client.call("GET", f"{V}/queryAll", params={"q": soql})[2]["totalSize"] == 1


def test_sample_accounts_have_numbers(client: Client) -> None:
    soql = "SELECT Id, Name, AccountNumber FROM Account WHERE AccountNumber != null LIMIT 1"
    status, _, body = client.call("GET", f"{V}/query", params={"q": soql})
    assert status == 200 and body["totalSize"] == 1


def test_what_the_salesforce_cli_asks_at_login(client: Client) -> None:
    scratch = client.call(
        "GET", "/services/data/v51.0/query", params={"q": "SELECT Id FROM ScratchOrgInfo limit 1"}
    )
    assert error_code(scratch) == (400, "INVALID_TYPE")
    soql = (
        "SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix, "
        "OrganizationType FROM Organization"
    )
    status, _, body = client.call("GET", f"{V}/query", params={"q": soql})
    assert status == 200 and body["totalSize"] == 1
    assert body["records"][0]["Name"] == "acme" and body["records"][0]["IsSandbox"] is False
    tooling = "SELECT Id FROM SandboxProcess WHERE SandboxOrganization = '00D000000000001'"
    status, _, body = client.call("GET", f"{V}/tooling/query", params={"q": tooling})
    assert (status, body["totalSize"], body["records"]) == (200, 0, [])


def test_query_errors(client: Client) -> None:
    assert error_code(client.call("GET", f"{V}/query", params={"q": "SELECT FROM"})) == (
        400,
        "MALFORMED_QUERY",
    )
    assert error_code(client.call("GET", f"{V}/query")) == (400, "MALFORMED_QUERY")
    assert error_code(
        client.call("GET", f"{V}/query", params={"q": "SELECT Nope FROM Account"})
    ) == (
        400,
        "INVALID_FIELD",
    )


def test_paging_with_locators(client: Client) -> None:
    records = [{"attributes": {"type": "Contact"}, "LastName": f"Pager{i:03d}"} for i in range(200)]
    for _ in range(2):
        status, _, results = client.call("POST", f"{V}/composite/sobjects", {"records": records})
        assert status == 200 and all(r["success"] for r in results)
    soql = "SELECT Id FROM Contact WHERE LastName LIKE 'Pager%'"
    headers = {"Sforce-Query-Options": "batchSize=300"}
    status, _, first = client.call("GET", f"{V}/query", params={"q": soql}, headers=headers)
    assert status == 200 and first["totalSize"] == 400 and first["done"] is False
    assert len(first["records"]) == 300
    status, _, rest = client.call("GET", first["nextRecordsUrl"])
    assert status == 200 and rest["done"] is True and len(rest["records"]) == 100
    locator = first["nextRecordsUrl"].rsplit("/", 1)[1]
    assert client.call("GET", f"{V}/queryAll/{locator}")[0] == 200

"""REST routes through Emulator.handle (no sockets): statuses, bodies, error arrays, usage."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest

from runner.emulator import EmulatedOrg, Emulator
from runner.emulator.messages import Request
from runner.emulator.rest import version_label

from .conftest import claims, token_request

V = "/services/data/v60.0"


class Client:
    """Calls Emulator.handle as one logged-in user."""

    def __init__(self, emu: Emulator, org: EmulatedOrg, key: str) -> None:
        self.emu = emu
        assertion = jwt.encode(claims(org.client_id, org.username), key, algorithm="RS256")
        response = emu.handle(token_request(assertion))
        assert response.status == 200, response.body
        self.token: str = json.loads(response.body)["access_token"]

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        sent = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        response = self.emu.handle(Request(method, path, urlencode(params or {}), sent, data))
        payload = json.loads(response.body) if response.body else None
        return response.status, response.headers, payload


@pytest.fixture
def emu(key_pair: tuple[str, str]) -> Iterator[Emulator]:
    emulator = Emulator(port=9)
    emulator.add_org({"name": "acme", "certificate_pem": key_pair[1], "random_seed": 1})
    yield emulator
    emulator.close()


@pytest.fixture
def client(emu: Emulator, key_pair: tuple[str, str]) -> Client:
    return Client(emu, emu.orgs[0], key_pair[0])


def _error(status_body: tuple[int, dict[str, str], Any]) -> tuple[int, str]:
    status, _, body = status_body
    assert isinstance(body, list) and set(body[0]) >= {"message", "errorCode"}
    return status, body[0]["errorCode"]


def test_versions_are_public_ascending_and_two_digit(emu: Emulator) -> None:
    for path in ("/services/data", "/services/data/"):
        response = emu.handle(Request("GET", path))
        versions = json.loads(response.body)
        assert response.status == 200
        numbers = [float(v["version"]) for v in versions]
        assert numbers == sorted(numbers)
        assert all(len(v["version"]) == 4 and v["version"].endswith(".0") for v in versions)
        assert {"label": "Spring '24", "url": "/services/data/v60.0", "version": "60.0"} in versions


@pytest.mark.parametrize(
    ("major", "label"),
    [
        (31, "Summer '14"),
        (59, "Winter '24"),
        (60, "Spring '24"),
        (62, "Winter '25"),
        (67, "Summer '26"),
    ],
)
def test_version_labels(major: int, label: str) -> None:
    assert version_label(major) == label


def test_resources_with_and_without_slash(client: Client) -> None:
    for path in (V, V + "/"):
        status, _, body = client.call("GET", path)
        assert status == 200
        assert body["query"] == f"{V}/query" and body["sobjects"] == f"{V}/sobjects"
        assert body["identity"].startswith("http://127.0.0.1:9/id/00D")


def test_latest_is_the_newest_version(client: Client) -> None:
    status, _, body = client.call("GET", "/services/data/latest/sobjects/Account")
    assert status == 200
    assert body["objectDescribe"]["urls"]["sobject"] == "/services/data/v68.0/sobjects/Account"


@pytest.mark.parametrize("path", ["/services/data/v38/", "/services/data/v99.0/", f"{V}/nothing"])
def test_unknown_version_or_resource(client: Client, path: str) -> None:
    assert _error(client.call("GET", path)) == (404, "NOT_FOUND")


def test_no_or_bad_token_is_401_invalid_session(emu: Emulator) -> None:
    response = emu.handle(Request("GET", f"{V}/limits"))
    assert response.status == 401
    assert json.loads(response.body) == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]
    bad = emu.handle(Request("GET", f"{V}/limits", "", {"Authorization": "Bearer 00Dx!y"}))
    assert json.loads(bad.body)[0]["errorCode"] == "INVALID_SESSION_ID"
    basic = emu.handle(Request("GET", f"{V}/limits", "", {"Authorization": "Basic abc"}))
    assert (basic.status, json.loads(basic.body)[0]["errorCode"]) == (401, "INVALID_AUTH_HEADER")


def test_oauth_scheme_is_accepted(client: Client) -> None:
    status, _, _ = client.call(
        "GET", f"{V}/limits", headers={"Authorization": f"OAuth {client.token}"}
    )
    assert status == 200


def test_session_times_out_after_inactivity(client: Client, emu: Emulator) -> None:
    session = emu.sessions.lookup(client.token)
    assert session is not None
    session.last_used -= 7201
    assert _error(client.call("GET", f"{V}/limits")) == (401, "INVALID_SESSION_ID")


def test_limit_info_on_every_response_and_limits_fall(client: Client) -> None:
    _, first_headers, first = client.call("GET", f"{V}/limits")
    _, headers, second = client.call("GET", f"{V}/limits")
    assert first_headers["Sforce-Limit-Info"] == "api-usage=1/15000"
    assert headers["Sforce-Limit-Info"] == "api-usage=2/15000"
    assert second["DailyApiRequests"]["Remaining"] == first["DailyApiRequests"]["Remaining"] - 1
    assert second["DailyApiRequests"]["Max"] == 15000
    _, error_headers, _ = client.call("GET", f"{V}/sobjects/Nope/describe")
    assert error_headers["Sforce-Limit-Info"] == "api-usage=3/15000"


def test_daily_limit_exceeded(emu: Emulator, key_pair: tuple[str, str]) -> None:
    org = emu.add_org({"name": "tiny", "certificate_pem": key_pair[1], "daily_api_limit": 2})
    client = Client(emu, org, key_pair[0])
    assert client.call("GET", f"{V}/limits")[0] == 200
    assert client.call("GET", f"{V}/limits")[0] == 200
    status, headers, body = client.call("GET", f"{V}/limits")
    assert (status, body[0]["errorCode"]) == (403, "REQUEST_LIMIT_EXCEEDED")
    assert body[0]["message"] == "TotalRequests Limit exceeded."
    assert headers["Sforce-Limit-Info"] == "api-usage=2/2"


def test_describe_global_and_describe(client: Client) -> None:
    status, _, body = client.call("GET", f"{V}/sobjects")
    names = {s["name"] for s in body["sobjects"]}
    assert status == 200 and {"Account", "Contact", "Opportunity", "Case", "User"} <= names
    status, _, account = client.call("GET", f"{V}/sobjects/account/describe")
    assert status == 200 and account["name"] == "Account"
    assert any(f["name"] == "AccountNumber" for f in account["fields"])
    status, _, info = client.call("GET", f"{V}/sobjects/Account")
    assert status == 200 and info["objectDescribe"]["keyPrefix"] == "001"
    assert _error(client.call("GET", f"{V}/sobjects/Widget/describe")) == (404, "NOT_FOUND")


def _create(client: Client, fields: dict[str, Any]) -> str:
    status, _, body = client.call("POST", f"{V}/sobjects/Account", fields)
    assert status == 201 and body["success"] is True and body["errors"] == []
    record_id: str = body["id"]
    return record_id


def test_record_lifecycle(client: Client) -> None:
    record_id = _create(client, {"Name": "Lifecycle", "AccountNumber": "LC-1"})
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
    assert _error(client.call("GET", f"{V}/sobjects/Account/{record_id}")) == (404, "NOT_FOUND")


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
    assert _error(client.call("POST", f"{V}/sobjects/Account", body)) == expected


def test_malformed_json(client: Client) -> None:
    result = client.call("POST", f"{V}/sobjects/Account", raw=b"{'Name':")
    assert _error(result) == (400, "JSON_PARSER_ERROR")


def test_record_errors(client: Client) -> None:
    status, _, body = client.call("GET", f"{V}/sobjects/Account/not-an-id")
    assert status == 404 and body[0]["message"].endswith("not accessible: not-an-id")
    missing = "001" + "0" * 11 + "9ZZ"
    assert _error(client.call("GET", f"{V}/sobjects/Account/{missing}")) == (404, "NOT_FOUND")
    record_id = _create(client, {"Name": "F"})
    bad_field = client.call("GET", f"{V}/sobjects/Account/{record_id}", params={"fields": "Nope"})
    assert _error(bad_field) == (400, "INVALID_FIELD")
    assert _error(client.call("PUT", f"{V}/sobjects/Account/{record_id}", {})) == (
        405,
        "METHOD_NOT_ALLOWED",
    )


def test_query_and_query_all(client: Client) -> None:
    record_id = _create(client, {"Name": "Gone Soon", "AccountNumber": "GS-1"})
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
    assert _error(scratch) == (400, "INVALID_TYPE")
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
    assert _error(client.call("GET", f"{V}/query", params={"q": "SELECT FROM"})) == (
        400,
        "MALFORMED_QUERY",
    )
    assert _error(client.call("GET", f"{V}/query")) == (400, "MALFORMED_QUERY")
    assert _error(client.call("GET", f"{V}/query", params={"q": "SELECT Nope FROM Account"})) == (
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
    a, b = _create(client, {"Name": "U1"}), _create(client, {"Name": "U2"})
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


def test_orgs_are_isolated(emu: Emulator, client: Client, key_pair: tuple[str, str]) -> None:
    other = Client(
        emu, emu.add_org({"name": "globex", "certificate_pem": key_pair[1]}), key_pair[0]
    )
    assert other.token[:15] != client.token[:15]
    record_id = _create(client, {"Name": "Only In Acme"})
    assert _error(other.call("GET", f"{V}/sobjects/Account/{record_id}")) == (404, "NOT_FOUND")


def test_faults_from_org_options(emu: Emulator, key_pair: tuple[str, str]) -> None:
    rule = {"method": "GET", "path": "/services/data/*/limits", "status": 503, "times": 1,
            "retry_after": 3}  # fmt: skip
    org = emu.add_org({"name": "flaky", "certificate_pem": key_pair[1], "faults": [rule]})
    client = Client(emu, org, key_pair[0])
    status, headers, body = client.call("GET", f"{V}/limits")
    assert (status, headers["Retry-After"], body[0]["errorCode"]) == (
        503,
        "3",
        "SERVER_UNAVAILABLE",
    )
    assert client.call("GET", f"{V}/limits")[0] == 200


def test_composite_batch_runs_each_and_can_halt(client: Client) -> None:
    record_id = _create(client, {"Name": "Batch Co"})
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


def test_relationship_traversal(client: Client) -> None:
    account = _create(client, {"Name": "Parent Co"})
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
    assert _error(client.call("GET", f"{V}/sobjects/Account/{account}/Nothing")) == (
        404,
        "NOT_FOUND",
    )

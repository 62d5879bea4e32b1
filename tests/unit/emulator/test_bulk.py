"""Bulk API 2.0 ingest and query jobs: states, result files, paging, and Salesforce's refusals."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from runner.emulator import Emulator
from runner.emulator.bulk_jobs import jobs_for
from runner.emulator.messages import Request

from .conftest import Client, V, create_account, error_code


class Bulk:
    """A logged-in client that also reads CSV answers."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def call(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        return self.client.call(method, f"{V}/{path}", body, **kw)

    def text(self, path: str, params: dict[str, str] | None = None) -> tuple[int, dict, str]:
        headers = {"Authorization": f"Bearer {self.client.token}"}
        request = Request("GET", f"{V}/{path}", urlencode(params or {}), headers)
        response = self.client.emu.handle(request)
        return response.status, response.headers, response.body.decode()

    def ingest(self, body: dict[str, Any], data: str, close: bool = True) -> str:
        status, _, job = self.call("POST", "jobs/ingest", body)
        assert status == 200 and job["state"] == "Open", job
        assert self.call("PUT", f"jobs/ingest/{job['id']}/batches", raw=data.encode())[0] == 201
        if close:
            status, _, closed = self.call(
                "PATCH", f"jobs/ingest/{job['id']}", {"state": "UploadComplete"}
            )
            assert status == 200 and closed["state"] == "UploadComplete"
        job_id: str = job["id"]
        return job_id

    def info(self, kind: str, job_id: str) -> dict[str, Any]:
        status, _, info = self.call("GET", f"jobs/{kind}/{job_id}")
        assert status == 200
        return dict(info)

    def rows(self, path: str) -> list[dict[str, str]]:
        status, headers, text = self.text(path)
        assert status == 200 and headers["Content-Type"].startswith("text/csv")
        return list(csv.DictReader(io.StringIO(text)))

    def query(self, soql: str) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = self.call("GET", "query", params={"q": soql})[2]["records"]
        return records


@pytest.fixture
def emu(key_pair: tuple[str, str]) -> Iterator[Emulator]:
    emulator = Emulator(port=9)
    emulator.add_org(
        {"name": "acme", "certificate_pem": key_pair[1], "random_seed": 1,
         "bulk_processing_ms": 0}
    )  # fmt: skip
    yield emulator
    emulator.close()


@pytest.fixture
def bulk(client: Client) -> Bulk:
    return Bulk(client)


def test_insert_job_writes_records_and_reports_each_row(bulk: Bulk) -> None:
    data = 'Name,AccountNumber,Description\nBulk One,B-1,"says ""hi"", twice"\n,B-2,\n'
    job_id = bulk.ingest({"object": "Account", "operation": "insert"}, data)
    info = bulk.info("ingest", job_id)
    assert info["state"] == "JobComplete" and info["jobType"] == "V2Ingest"
    assert (info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (2, 1)
    ok = bulk.rows(f"jobs/ingest/{job_id}/successfulResults")
    assert [(r["sf__Created"], r["Name"], r["Description"]) for r in ok] == [
        ("true", "Bulk One", 'says "hi", twice')
    ]
    stored = bulk.query("SELECT Id, Description FROM Account WHERE AccountNumber = 'B-1'")
    assert stored == [{**stored[0], "Id": ok[0]["sf__Id"], "Description": 'says "hi", twice'}]
    failed = bulk.rows(f"jobs/ingest/{job_id}/failedResults")
    assert failed == [
        {"sf__Id": "", "sf__Error": "REQUIRED_FIELD_MISSING:Required fields are missing: "
         "[Name]:Name --", "Name": "", "AccountNumber": "B-2", "Description": ""}
    ]  # fmt: skip
    status, _, text = bulk.text(f"jobs/ingest/{job_id}/unprocessedrecords")
    assert (status, text) == (200, "Name,AccountNumber,Description\n")


def test_result_files_quote_values_and_echo_the_header(bulk: Bulk) -> None:
    job_id = bulk.ingest({"object": "Account", "operation": "insert"}, "Name\nQuoted Co\n")
    text = bulk.text(f"jobs/ingest/{job_id}/successfulResults")[2]
    header, row = text.splitlines()
    assert header == '"sf__Id","sf__Created",Name'
    assert row.endswith(',"true","Quoted Co"') and row.startswith('"001')


def test_update_upsert_and_delete_jobs(bulk: Bulk) -> None:
    first = create_account(bulk.client, {"Name": "Before", "AccountNumber": "U-1"})
    second = create_account(bulk.client, {"Name": "Doomed"})
    update = bulk.ingest(
        {"object": "Account", "operation": "update"},
        f"Id,Name,AccountNumber\n{first},After,#N/A\n001000000000000AAA,Ghost,\n",
    )
    assert (bulk.info("ingest", update)["numberRecordsFailed"]) == 1
    errors = [r["sf__Error"] for r in bulk.rows(f"jobs/ingest/{update}/failedResults")]
    assert errors == ["INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--"]
    after = bulk.query(f"SELECT Name, AccountNumber FROM Account WHERE Id = '{first}'")[0]
    assert (after["Name"], after["AccountNumber"]) == ("After", None)
    upsert = bulk.ingest(
        {"object": "Account", "operation": "upsert", "externalIdFieldName": "id"},
        f"Id,Name\n{first},Upserted\n,Brand New\n",
    )
    created = {
        r["Name"]: r["sf__Created"] for r in bulk.rows(f"jobs/ingest/{upsert}/successfulResults")
    }
    assert created == {"Upserted": "false", "Brand New": "true"}
    assert bulk.info("ingest", upsert)["externalIdFieldName"] == "Id"
    delete = bulk.ingest({"object": "Account", "operation": "delete"}, f"Id\n{second}\n")
    assert bulk.info("ingest", delete)["numberRecordsProcessed"] == 1
    assert bulk.query(f"SELECT Id FROM Account WHERE Id = '{second}'") == []


def test_upsert_on_an_external_id_field(bulk: Bulk) -> None:
    profile = bulk.query("SELECT Id FROM Profile WHERE Name = 'Standard User'")[0]["Id"]
    job_id = bulk.ingest(
        {"object": "User", "operation": "upsert", "externalIdFieldName": "Username"},
        "Username,LastName,Email,Alias,ProfileId\n"
        f"new.person@acme.test,Person,np@acme.test,nperson,{profile}\n"
        "no.profile@acme.test,Nobody,nb@acme.test,nobody,\n",
    )
    assert bulk.info("ingest", job_id)["numberRecordsFailed"] == 1
    errors = [r["sf__Error"] for r in bulk.rows(f"jobs/ingest/{job_id}/failedResults")]
    missing = "REQUIRED_FIELD_MISSING:Required fields are missing: [ProfileId]:ProfileId --"
    assert errors == [missing]
    again = bulk.ingest(
        {"object": "User", "operation": "upsert", "externalIdFieldName": "Username"},
        "Username,Title\nNEW.PERSON@acme.test,Buyer\n",
    )
    created = [r["sf__Created"] for r in bulk.rows(f"jobs/ingest/{again}/successfulResults")]
    assert created == ["false"]
    found = bulk.query("SELECT LastName, Title FROM User WHERE Username = 'new.person@acme.test'")
    assert [(r["LastName"], r["Title"]) for r in found] == [("Person", "Buyer")]


def test_an_upsert_as_the_orgs_first_use_matches_its_seeded_user(bulk: Bulk) -> None:
    """An org's users are stored at its first use, which an upsert job by Username may be."""
    username = bulk.client.emu.orgs[0].username
    job_id = bulk.ingest({"object": "User", "operation": "upsert",
                          "externalIdFieldName": "Username"}, f"Username,Title\n{username},Buyer\n")
    created = [r["sf__Created"] for r in bulk.rows(f"jobs/ingest/{job_id}/successfulResults")]
    assert created == ["false"]
    found = bulk.query(f"SELECT Title, Profile.Name FROM User WHERE Username = '{username}'")
    assert [(r["Title"], r["Profile"]["Name"]) for r in found] == [
        ("Buyer", "System Administrator")]


def test_relationship_column_resolves_the_parent(bulk: Bulk) -> None:
    parent = create_account(bulk.client, {"Name": "Parent Co"})
    job_id = bulk.ingest(
        {"object": "Contact", "operation": "insert"},
        f"LastName,Account.Id\nChild,{parent}\n",
    )
    assert bulk.info("ingest", job_id)["numberRecordsFailed"] == 0
    found = bulk.query("SELECT AccountId FROM Contact WHERE LastName = 'Child'")
    assert [r["AccountId"] for r in found] == [parent]


@pytest.mark.parametrize(
    ("data", "body", "message"),
    [
        ("Name,Industryy\nA,B\n", {}, "InvalidBatch : Field name not found : Industryy"),
        ("Name,Nope.Id\nA,B\n", {}, "InvalidBatch : Unable to find relationship: Nope"),
        ("Name\r\nA\r\n", {}, "ClientInputError : LineEnding is invalid on user data. "
         "Current LineEnding setting is LF"),
        ("Name|AccountNumber\nA|1\n", {"columnDelimiter": "PIPE", "lineEnding": "CRLF"},
         "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is "
         "CRLF"),
    ],
)  # fmt: skip
def test_a_bad_file_fails_the_job(bulk: Bulk, data: str, body: dict, message: str) -> None:
    job_id = bulk.ingest({"object": "Account", "operation": "insert", **body}, data)
    info = bulk.info("ingest", job_id)
    assert (info["state"], info["errorMessage"]) == ("Failed", message)


def test_pipe_delimiter_and_crlf(bulk: Bulk) -> None:
    body = {"object": "Account", "operation": "insert", "columnDelimiter": "PIPE",
            "lineEnding": "CRLF"}  # fmt: skip
    job_id = bulk.ingest(body, "Name|AccountNumber\r\nPiped|P-1\r\n")
    text = bulk.text(f"jobs/ingest/{job_id}/successfulResults")[2]
    assert text.endswith('|"true"|"Piped"|"P-1"\r\n')
    assert bulk.query("SELECT Name FROM Account WHERE AccountNumber = 'P-1'")[0]["Name"] == "Piped"


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ({"object": "Foo__c", "operation": "insert"}, "INVALIDJOB",
         "InvalidJob : Unable to find object: Foo__c"),
        ({"object": "Account", "operation": ""}, "API_ERROR",
         "Invalid value: '' supplied for property: 'operation'"),
        ({"object": "Account", "operation": "insert", "contentType": "JSON"}, "API_ERROR",
         "Invalid value: 'JSON' supplied for property: 'contentType'"),
        ({"object": "Account", "operation": "upsert"}, "INVALIDJOB",
         "InvalidJob : External ID was blank for Account. An External ID must be specified "
         "for upsert."),
        ({"object": "Account", "operation": "upsert", "externalIdFieldName": "Website"},
         "INVALIDJOB", "InvalidJob : Field name provided, Website does not match an External "
         "ID, Salesforce Id, or indexed field for Account"),
    ],
)  # fmt: skip
def test_create_refusals(bulk: Bulk, body: dict, code: str, message: str) -> None:
    status, _, errors = bulk.call("POST", "jobs/ingest", body)
    assert (status, errors) == (400, [{"message": message, "errorCode": code}])


def test_job_states_refuse_what_salesforce_refuses(bulk: Bulk) -> None:
    job_id = bulk.ingest({"object": "Account", "operation": "insert"}, "Name\nX\n", close=False)
    again = bulk.call("PUT", f"jobs/ingest/{job_id}/batches", raw=b"Name\nY\n")
    assert again[0] == 400 and again[2][0]["errorCode"] == "BULK_API_ERROR"
    assert f"<{job_id[:15]}>" in again[2][0]["message"]
    assert error_code(bulk.call("DELETE", f"jobs/ingest/{job_id}")) == (400, "INVALIDJOBSTATE")
    early = bulk.call("GET", f"jobs/ingest/{job_id}/successfulResults")
    assert error_code(early) == (400, "INVALIDJOBSTATE")
    aborted = bulk.call("PATCH", f"jobs/ingest/{job_id}", {"state": "Aborted"})[2]
    assert aborted["state"] == "Aborted" and "numberRecordsProcessed" not in aborted
    status, _, text = bulk.text(f"jobs/ingest/{job_id}/unprocessedRecords")
    assert (status, text) == (200, 'Name\n"X"\n')
    closing = bulk.call("PATCH", f"jobs/ingest/{job_id}", {"state": "UploadComplete"})
    assert error_code(closing) == (400, "INVALIDJOBSTATE")
    assert bulk.call("DELETE", f"jobs/ingest/{job_id}")[0] == 204
    missing = bulk.call("GET", f"jobs/ingest/{job_id}")
    assert missing[:1] == (404,) and missing[2][0]["message"] == (
        "The requested resource does not exist"
    )


def test_counters_appear_once_data_is_uploaded(bulk: Bulk) -> None:
    job = bulk.call("POST", "jobs/ingest/", {"object": "Lead", "operation": "insert"})[2]
    assert job["contentUrl"] == f"services/data/v60.0/jobs/ingest/{job['id']}/batches"
    assert job["apiVersion"] == 60.0 and job["id"].startswith("750")
    assert "numberRecordsProcessed" not in bulk.info("ingest", job["id"])
    bulk.call("PUT", f"jobs/ingest/{job['id']}/batches", raw=b"LastName,Company\nL,C\n")
    info = bulk.info("ingest", job["id"])
    assert (info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (0, 0)
    listed = bulk.call("GET", "jobs/ingest")[2]
    assert listed["done"] is True and listed["nextRecordsUrl"] is None
    assert [j["id"] for j in listed["records"]] == [job["id"]]


def test_query_job_pages_csv_with_locators(bulk: Bulk) -> None:
    for i in range(5):
        create_account(bulk.client, {"Name": f'Page "{i}"', "AccountNumber": f"PG-{i}"})
    soql = (
        "SELECT Id, Name, Owner.Name, NumberOfEmployees FROM Account "
        "WHERE AccountNumber LIKE 'PG-%' ORDER BY Name"
    )
    status, _, job = bulk.call("POST", "jobs/query", {"operation": "query", "query": soql})
    assert status == 200 and job["state"] == "UploadComplete" and job["object"] == "Account"
    info = bulk.info("query", job["id"])
    assert (info["state"], info["numberRecordsProcessed"], info["jobType"]) == (
        "JobComplete",
        5,
        "V2Query",
    )
    pages, locator = [], None
    while locator != "null":
        params = {"maxRecords": "2", **({"locator": locator} if locator else {})}
        status, headers, text = bulk.text(f"jobs/query/{job['id']}/results", params)
        assert status == 200 and text.startswith('"Id","Name","Owner.Name","NumberOfEmployees"\n')
        pages.append(list(csv.DictReader(io.StringIO(text))))
        assert int(headers["Sforce-NumberOfRecords"]) == len(pages[-1])
        locator = headers["Sforce-Locator"]
    assert [len(p) for p in pages] == [2, 2, 1]
    names = [r["Name"] for p in pages for r in p]
    assert names == [f'Page "{i}"' for i in range(5)]
    assert pages[0][0]["Owner.Name"] and pages[0][0]["NumberOfEmployees"] == ""


def test_query_job_refusals(bulk: Bulk) -> None:
    bad_field = bulk.call(
        "POST", "jobs/query", {"operation": "query", "query": "SELECT Nope FROM Account"}
    )
    assert error_code(bad_field) == (400, "INVALID_FIELD")
    sub = "SELECT Id, (SELECT Id FROM Contacts) FROM Account"
    refused = bulk.call("POST", "jobs/query", {"operation": "query", "query": sub})
    assert refused[0] == 400 and refused[2][0]["message"] == (
        "Aggregate Relationships not supported in Bulk V2 Query with CSV content type."
    )
    count = bulk.call(
        "POST", "jobs/query", {"operation": "query", "query": "SELECT COUNT() FROM Account"}
    )
    assert error_code(count) == (400, "API_ERROR")


def test_jobs_stay_in_progress_for_the_configured_while(key_pair: tuple[str, str]) -> None:
    moments = [0.0]
    emulator = Emulator(port=9)
    try:
        org = emulator.add_org(
            {"name": "slow", "certificate_pem": key_pair[1], "bulk_processing_ms": 600000}
        )
        jobs_for(emulator.store).clock = lambda: moments[0]
        bulk = Bulk(Client(emulator, org, key_pair[0]))
        job_id = bulk.ingest({"object": "Account", "operation": "insert"}, "Name\nSlow Co\n")
        states = []
        for moment in (1.0, 400.0, 600.0):
            moments[0] = moment
            states.append(bulk.info("ingest", job_id)["state"])
        assert states == ["UploadComplete", "InProgress", "JobComplete"]
        assert bulk.query("SELECT Name FROM Account WHERE Name = 'Slow Co'") != []
    finally:
        emulator.close()


CUSTOM = [
    {"name": "Account", "fields": [
        {"name": "Erp_Id__c", "type": "text", "length": 12, "external_id": True, "unique": True}]},
    {"name": "Shipment__c", "label": "Shipment", "fields": [
        {"name": "Tracking__c", "type": "string", "length": 30, "external_id": True,
         "unique": True},
        {"name": "Account__c", "type": "lookup", "reference_to": "Account"},
        {"name": "Weight__c", "type": "number", "precision": 8, "scale": 2}]},
]  # fmt: skip


@pytest.fixture
def custom(key_pair: tuple[str, str]) -> Iterator[Bulk]:
    emulator = Emulator(port=9)
    org = emulator.add_org(
        {"name": "custom", "certificate_pem": key_pair[1], "bulk_processing_ms": 0,
         "sample_data": False, "objects": CUSTOM,
         "records": {"Account": [{"Name": "Acme", "Erp_Id__c": "ERP-1"}]}}
    )  # fmt: skip
    yield Bulk(Client(emulator, org, key_pair[0]))
    emulator.close()


def test_upsert_custom_object_by_external_id_with_a_parent_by_external_id(custom: Bulk) -> None:
    body = {"object": "Shipment__c", "operation": "upsert", "externalIdFieldName": "Tracking__c"}
    first = custom.ingest(body, "Tracking__c,Name,Account__r.Erp_Id__c,Weight__c\n"
                                "TRK-1,First,ERP-1,1.5\nTRK-2,Second,ERP-9,2\n")  # fmt: skip
    errors = [r["sf__Error"] for r in custom.rows(f"jobs/ingest/{first}/failedResults")]
    assert errors == [
        "INVALID_FIELD:Foreign key external ID: ERP-9 not found for field Erp_Id__c in entity "
        "Account:--"
    ]
    again = custom.ingest(body, "Tracking__c,Name,Weight__c\ntrk-1,,3.25\nTRK-3,Third,4\n")
    created = {r["Tracking__c"]: r["sf__Created"]
               for r in custom.rows(f"jobs/ingest/{again}/successfulResults")}  # fmt: skip
    assert created == {"trk-1": "false", "TRK-3": "true"}
    found = custom.query(
        "SELECT Tracking__c, Weight__c, Account__r.Name FROM Shipment__c ORDER BY Tracking__c"
    )
    assert [(r["Tracking__c"], r["Weight__c"], (r["Account__r"] or {}).get("Name"))
            for r in found] == [("trk-1", 3.25, "Acme"), ("TRK-3", 4.0, None)]  # fmt: skip
    query = custom.call("POST", "jobs/query", {"operation": "query", "query":
                        "SELECT Tracking__c, Account__r.Erp_Id__c FROM Shipment__c "
                        "ORDER BY Tracking__c"})[2]  # fmt: skip
    text = custom.text(f"jobs/query/{query['id']}/results")[2]
    assert text == '"Tracking__c","Account__r.Erp_Id__c"\n"trk-1","ERP-1"\n"TRK-3",""\n'

"""Bulk API 2.0 through simple-salesforce's ``bulk2`` client, unmodified, against the emulator.

The server runs as users run it (``--https``, jobs taking 300 ms), so the
client has to poll; the assertions read back what reached the org.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_emulator_cli import EmulatorProcess, login
from tests.unit.emulator.conftest import make_key_and_cert

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EmulatorProcess, str, Path]]:
    """An ``--https`` emulator whose Bulk API jobs take 300 ms, and a token for its org."""
    folder = tmp_path_factory.mktemp("bulk")
    key, cert = make_key_and_cert()
    (folder / "server.crt").write_text(cert)
    tls = folder / "tls.pem"
    config = {"orgs": [{"name": "bulk", "certificate": "server.crt", "bulk_processing_ms": 300}]}
    (folder / "emu.json").write_text(json.dumps(config))
    process = EmulatorProcess(
        "--https", "--tls-cert-out", str(tls), "--config", "emu.json", cwd=folder
    )
    response = login(process.base_url, process.orgs[0], key, verify=str(tls))
    assert response.status_code == 200, response.text
    yield process, response.json()["access_token"], tls
    process.stop()


@pytest.fixture
def sf(server: tuple[EmulatorProcess, str, Path], monkeypatch: pytest.MonkeyPatch) -> Any:
    from simple_salesforce import Salesforce

    process, token, tls = server
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls))
    return Salesforce(instance_url=process.base_url, session_id=token, version="60.0")


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_simple_salesforce_bulk2_insert_polls_until_complete(
    sf: Any, server: tuple[EmulatorProcess, str, Path]
) -> None:
    records = [{"Name": f"Bulk2 Co {i}", "AccountNumber": f"B2-{i}"} for i in range(250)]
    records.append({"Name": "", "AccountNumber": "B2-missing-name"})
    [result] = sf.bulk2.Account.insert(records=records, wait=0.1)
    assert result["numberRecordsProcessed"] == 251 and result["numberRecordsFailed"] == 1
    found = sf.query("SELECT COUNT() FROM Account WHERE AccountNumber LIKE 'B2-%'")
    assert found["totalSize"] == 250
    job_id = result["job_id"]
    failed = _csv(sf.bulk2.Account.get_failed_records(job_id))
    assert [(r["AccountNumber"], r["sf__Error"]) for r in failed] == [
        ("B2-missing-name", "REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --")
    ]
    ok = _csv(sf.bulk2.Account.get_successful_records(job_id))
    assert len(ok) == 250 and {r["sf__Created"] for r in ok} == {"true"}
    unprocessed = sf.bulk2.Account.get_unprocessed_records(job_id)  # header only (in its order)
    assert unprocessed.count("\n") == 1 and unprocessed.endswith("\n")
    assert sorted(unprocessed.strip().split(",")) == ["AccountNumber", "Name"]
    polls = server[0].stderr().count(f"GET /services/data/v60.0/jobs/ingest/{job_id} 200")
    assert polls >= 2, "the job was complete at the first poll: the client never had to wait"


def test_simple_salesforce_bulk2_update_upsert_delete(sf: Any) -> None:
    made = sf.bulk2.Contact.insert(
        records=[{"LastName": f"Bulk2 Person {i}"} for i in range(3)], wait=0.1
    )
    ids = [r["sf__Id"] for r in _csv(sf.bulk2.Contact.get_successful_records(made[0]["job_id"]))]
    updated = sf.bulk2.Contact.update(
        records=[{"Id": ids[0], "Title": "Updated by bulk"}], wait=0.1
    )
    assert updated[0]["numberRecordsFailed"] == 0
    assert sf.Contact.get(ids[0])["Title"] == "Updated by bulk"
    upserted = sf.bulk2.Contact.upsert(
        records=[{"Id": ids[1], "LastName": "Renamed"}, {"Id": "", "LastName": "Fresh Person"}],
        external_id_field="Id",
        wait=0.1,
    )
    outcome = _csv(sf.bulk2.Contact.get_successful_records(upserted[0]["job_id"]))
    assert {r["LastName"]: r["sf__Created"] for r in outcome} == {
        "Renamed": "false",
        "Fresh Person": "true",
    }
    deleted = sf.bulk2.Contact.delete(records=[{"Id": ids[2]}], wait=0.1)
    assert deleted[0]["numberRecordsProcessed"] == 1
    remaining = sf.query("SELECT LastName FROM Contact WHERE LastName LIKE 'Bulk2 Person%'")
    assert [r["LastName"] for r in remaining["records"]] == ["Bulk2 Person 0"]


def test_simple_salesforce_bulk2_query_pages(sf: Any) -> None:
    sf.bulk2.Lead.insert(
        records=[{"LastName": f"Paged {i:03d}", "Company": "Bulk Inc"} for i in range(120)],
        wait=0.1,
    )
    soql = "SELECT Id, LastName, Company FROM Lead WHERE Company = 'Bulk Inc' ORDER BY LastName"
    pages = list(sf.bulk2.Lead.query(soql, max_records=50, wait=0.1))
    rows = [row for page in pages for row in _csv(page)]
    assert len(pages) == 3 and len(rows) == 120
    assert [r["LastName"] for r in rows] == [f"Paged {i:03d}" for i in range(120)]


def test_simple_salesforce_bulk_v1_and_soap_login_fail_cleanly(
    sf: Any, server: tuple[EmulatorProcess, str, Path]
) -> None:
    from simple_salesforce.exceptions import (
        SalesforceAuthenticationFailed,
        SalesforceMalformedRequest,
    )
    from simple_salesforce.login import soap_login

    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.bulk.Account.insert([{"Name": "Bulk 1.0 Co"}])
    assert refused.value.content == {
        "exceptionCode": "FeatureNotEnabled",
        "exceptionMessage": "Bulk API is not enabled for this Organization",
    }
    body = (
        '<?xml version="1.0" encoding="utf-8" ?><env:Envelope '
        'xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:urn="urn:partner.soap.sforce.com"><env:Body><urn:login><urn:username>'
        "u@x.test</urn:username><urn:password>pw</urn:password></urn:login></env:Body>"
        "</env:Envelope>"
    )
    headers = {"content-type": "text/xml", "charset": "UTF-8", "SOAPAction": "login"}
    with pytest.raises(SalesforceAuthenticationFailed) as failed:
        soap_login(f"{server[0].base_url}/services/Soap/u/60.0", body, headers, None)
    assert failed.value.code == "INVALID_LOGIN"
    assert "Invalid username, password" in str(failed.value)

"""simple-salesforce, unmodified, on custom objects, upsert by external id and SOQL forms.

The standalone ``sfjwt-emulator`` serves an org whose ``Invoice__c`` and
``Invoice_Line__c`` come from describe files captured from an org (named in a
``--config`` file), plus a declared non-unique external id on Account.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.test_emulator_cli import EmulatorProcess, login
from tests.unit.emulator.conftest import make_key_and_cert

pytestmark = pytest.mark.slow
DESCRIBE = Path(__file__).resolve().parents[1] / "data" / "describe"
CONFIG = """\
orgs:
  - name: invoices
    certificate: server.crt
    sample_data: false
    fiscal_year_start_month: 4
    describe: [describe/Invoice__c.json, describe/Invoice_Line__c.json]
    objects:
      - name: Account
        fields:
          - {name: Legacy__c, type: text, length: 10, external_id: true}
    records:
      Account:
        - {Name: Twin A, Legacy__c: L-1}
        - {Name: Twin B, Legacy__c: L-1}
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EmulatorProcess, str]]:
    folder = tmp_path_factory.mktemp("schema")
    key, cert = make_key_and_cert()
    (folder / "server.crt").write_text(cert)
    shutil.copytree(DESCRIBE, folder / "describe")
    (folder / "emu.yml").write_text(CONFIG)
    process = EmulatorProcess("--https", "--tls-cert-out", "tls.pem", "--config", "emu.yml",
                              cwd=folder)  # fmt: skip
    response = login(process.base_url, process.orgs[0], key, verify=str(folder / "tls.pem"))
    assert response.status_code == 200, response.text
    yield process, response.json()["access_token"]
    process.stop()


@pytest.fixture
def sf(served: tuple[EmulatorProcess, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    from simple_salesforce import Salesforce

    process, token = served
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(process.log_path.parent / "tls.pem"))
    return Salesforce(instance_url=process.base_url, session_id=token, version="61.0")


def test_describe_and_validation_of_a_captured_object(sf: Any) -> None:
    from simple_salesforce.exceptions import SalesforceMalformedRequest

    described = sf.Invoice__c.describe()
    fields = {f["name"]: f for f in described["fields"]}
    assert fields["External_Key__c"]["externalId"] is True
    assert [p["label"] for p in fields["Stage__c"]["picklistValues"]] == [
        "Draft", "Sent to customer", "Paid",
    ]  # fmt: skip
    account = sf.Account.create({"Name": "Acme"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.Invoice__c.create({"Account__c": account, "Stage__c": "lost"})
    assert refused.value.content[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.Invoice__c.create({"Amount__c": 1})
    assert refused.value.content[0]["fields"] == ["Account__c"]
    created = sf.Invoice__c.create({"Account__c": account, "Amount__c": 10, "Notes__c": "n"})
    assert created["success"] is True
    assert sf.Invoice__c.get(created["id"])["Name"].isdigit()  # an auto number


def test_upsert_by_external_id(sf: Any) -> None:
    from simple_salesforce.exceptions import SalesforceMoreThanOneRecord

    account = sf.Account.create({"Name": "Upsert Co"})["id"]
    body = {"Account__c": account, "Amount__c": 99.5}
    assert sf.Invoice__c.upsert("External_Key__c/K-1", body) == 201
    assert sf.Invoice__c.upsert("External_Key__c/K-1", {"Amount__c": 120}) == 200
    found = sf.Invoice__c.get_by_custom_id("External_Key__c", "K-1")
    assert (found["Amount__c"], found["Account__c"]) == (120.0, account)
    with pytest.raises(SalesforceMoreThanOneRecord) as several:
        sf.Account.get_by_custom_id("Legacy__c", "L-1")
    assert len(several.value.content) == 2
    records = [
        {"attributes": {"type": "Invoice__c"}, "External_Key__c": "K-1", "Amount__c": 1},
        {"attributes": {"type": "Invoice__c"}, "External_Key__c": "K-2", "Amount__c": 2,
         "Account__c": account},  # a master-detail is set on create only
    ]  # fmt: skip
    results = sf.restful("composite/sobjects/Invoice__c/External_Key__c", method="PATCH",
                         json={"allOrNone": True, "records": records})  # fmt: skip
    assert [(r["success"], r["created"]) for r in results] == [(True, False), (True, True)]
    second = sf.Invoice__c.get_by_custom_id("External_Key__c", "K-2")["Id"]
    updated = sf.restful("composite/sobjects", method="PATCH", json={"records": [
        {"attributes": {"type": "Invoice__c"}, "id": second, "amount__c": 22}]})  # fmt: skip
    assert updated == [{"id": second, "success": True, "errors": []}]
    assert sf.Invoice__c.get(second)["Amount__c"] == 22.0


def test_relationship_queries_and_soql_forms(sf: Any) -> None:
    account = sf.Account.create({"Name": "Query Co", "Industry": "Energy"})["id"]
    invoice = sf.Invoice__c.create({"Account__c": account, "Stage__c": "paid",
                                    "Due_Date__c": dt.date.today().isoformat()})["id"]  # fmt: skip
    for code in ("P-1", "P-2"):
        sf.Invoice_Line__c.create({"Invoice__c": invoice, "Product_Code__c": code})
    found = sf.query_all(
        "SELECT toLabel(Stage__c), Account__r.Name, (SELECT Product_Code__c FROM Lines__r "
        f"ORDER BY Product_Code__c) FROM Invoice__c WHERE Id = '{invoice}'"
    )["records"][0]
    assert (found["Stage__c"], found["Account__r"]["Name"]) == ("Paid", "Query Co")
    assert [r["Product_Code__c"] for r in found["Lines__r"]["records"]] == ["P-1", "P-2"]
    soql = ("SELECT COUNT(Id) n FROM Invoice__c WHERE Due_Date__c = THIS_QUARTER "
            "AND Due_Date__c = THIS_FISCAL_YEAR AND CALENDAR_YEAR(Due_Date__c) = "
            f"{dt.date.today().year}")  # fmt: skip
    assert sf.query(soql)["records"][0]["n"] == 1
    rollup = sf.query("SELECT Industry, GROUPING(Industry) total, COUNT(Id) n FROM Account "
                      "WHERE Name = 'Query Co' GROUP BY ROLLUP(Industry)")["records"]  # fmt: skip
    assert [(r["Industry"], r["total"], r["n"]) for r in rollup] == [("Energy", 0, 1), (None, 1, 1)]
    columns = sf.restful("query", params={"q": "SELECT Name, (SELECT Name FROM Lines__r) "
                                                "FROM Invoice__c", "columns": "true"})  # fmt: skip
    child = columns["columnMetadata"][1]
    assert (child["columnName"], child["aggregate"], child["joinColumns"][0]["columnName"]) == (
        "Lines__r", True, "Name",
    )  # fmt: skip


def test_describe_flag_and_bad_records(tmp_path: Path) -> None:
    key, cert = make_key_and_cert()
    (tmp_path / "server.crt").write_text(cert)
    shutil.copy(DESCRIBE / "Invoice__c.json", tmp_path / "Invoice__c.json")
    process = EmulatorProcess("--cert", "server.crt", "--describe", "Invoice__c.json",
                              cwd=tmp_path)  # fmt: skip
    try:
        token = login(process.base_url, process.orgs[0], key).json()["access_token"]
        described = requests.get(
            f"{process.base_url}/services/data/v61.0/sobjects/Invoice__c/describe",
            headers={"Authorization": f"Bearer {token}"}, timeout=10,
        ).json()  # fmt: skip
    finally:
        process.stop()
    assert described["name"] == "Invoice__c" and described["keyPrefix"] == "a0B"
    (tmp_path / "bad.yml").write_text(
        "orgs:\n  - name: a\n    describe: [Invoice__c.json]\n    records:\n"
        "      Invoice__c:\n        - {Amount__c: 1, Amout__c: 2}\n"
    )
    completed = subprocess.run(
        [sys.executable, "-m", "runner.emulator.cli", "--config", "bad.yml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert completed.returncode == 4, completed.stderr
    assert completed.stderr == (
        "sfjwt-emulator: error: bad.yml:6:26: orgs[0].records.Invoice__c[0].Amout__c: "
        "No such column 'Amout__c' on sobject of type Invoice__c\n"
    )

"""A Salesforce engineer's recipe for a custom object, run by the real ``sfjwt-run``.

The embedded org gets ``Invoice__c`` from a describe file captured from an org
plus a field declared in the playbook; the steps upsert by external id, read
back through relationships, and check that a bad picklist value is refused.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli, single_run

pytestmark = pytest.mark.slow
DESCRIBE = Path(__file__).resolve().parents[1] / "data" / "describe"

RECIPE = """\
name: Invoices sync
keys:
  main: {private_key: certs/server.key, certificate: certs/server.crt, generate: if_missing}
orgs:
  acme:
    key: main
    emulator:
      sample_data: false
      describe: [describe/Invoice__c.json, describe/Invoice_Line__c.json]
      objects:
        - name: Account
          fields:
            - {name: Erp_Id__c, type: text, length: 12, external_id: true, unique: true}
      records:
        Account: [{Name: Acme Corp, Erp_Id__c: ERP-1}]
vars:
  api: /services/data/v61.0
steps:
  - name: Find the customer by its ERP id
    request: {path: "{{ api }}/sobjects/Account/Erp_Id__c/ERP-1", params: {fields: Name}}
    expect:
      status: 200
      json: {Name: {equals: Acme Corp}}
    register: customer
  - name: Upsert invoice K-100 (created)
    request:
      method: PATCH
      path: "{{ api }}/sobjects/Invoice__c/External_Key__c/K-100"
      json: {Account__c: "{{ customer.json.Id }}", Amount__c: 250.5, Stage__c: sent}
    expect:
      status: 201
      json: {created: {equals: true}}
  - name: Upsert invoice K-100 again (updated)
    request:
      method: PATCH
      path: "{{ api }}/sobjects/Invoice__c/External_Key__c/K-100"
      json: {Amount__c: 300}
    expect:
      status: 200
      json: {created: {equals: false}}
  - name: Read invoices with their account
    query: >-
      SELECT External_Key__c, Amount__c, toLabel(Stage__c), Account__r.Name
      FROM Invoice__c WHERE Account__r.Erp_Id__c = 'ERP-1'
    expect:
      json:
        totalSize: {equals: 1}
        "records[0].Amount__c": {equals: 300}
        "records[0].Stage__c": {equals: Sent to customer}
        "records[0].Account__r.Name": {equals: Acme Corp}
  - name: A stage that does not exist is refused
    request:
      method: PATCH
      path: "{{ api }}/sobjects/Invoice__c/External_Key__c/K-100"
      json: {Stage__c: lost}
    expect:
      status: 400
      json: {"[0].errorCode": {equals: INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST}}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copytree(DESCRIBE, tmp_path / "describe")
    return tmp_path


def test_invoice_recipe_passes_against_the_embedded_org(folder: Path) -> None:
    (folder / "invoices.yml").write_text(RECIPE)
    # run from the repository: the describe files resolve against the playbook's folder
    run = run_cli(str(folder / "invoices.yml"), "--json", str(folder / "report.json"))
    assert run.status == 0, run.output
    for name in ("Find the customer by its ERP id", "Read invoices with their account",
                 "A stage that does not exist is refused"):  # fmt: skip
        assert f"ok        {name}" in run.stdout
    for name in ("Upsert invoice K-100 (created)", "Upsert invoice K-100 again (updated)"):
        assert f"changed   {name}" in run.stdout
    steps = single_run(folder / "report.json")["orgs"][0]["steps"]
    assert [s["outcome"] for s in steps] == ["ok", "changed", "changed", "ok", "ok"], steps


def test_a_seed_record_with_an_unknown_field_stops_the_run(folder: Path) -> None:
    broken = RECIPE.replace("Erp_Id__c: ERP-1}]", "Erp_Id__c: ERP-1, Regoin__c: EMEA}]")
    (folder / "invoices.yml").write_text(broken)
    run = run_cli(str(folder / "invoices.yml"), cwd=folder)
    assert run.status == 4, run.output
    assert (
        f"{folder / 'invoices.yml'}:5:3: orgs.acme.emulator: records.Account[0].Regoin__c: "
        "No such column 'Regoin__c' on sobject of type Account"
    ) in run.stderr
    assert "Traceback" not in run.output

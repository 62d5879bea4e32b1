"""jsforce and the Salesforce CLI, unmodified, on custom objects, upsert and SOQL forms.

These tests run where the clients are installed (``scripts/install-node-clients.sh``;
where the tests look: ``tests.node_clients``); elsewhere they are skipped.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests import node_clients
from tests.e2e.test_emulator_cli import EmulatorProcess, login
from tests.e2e.test_emulator_clients import _sf_command
from tests.unit.emulator.conftest import make_key_and_cert

pytestmark = pytest.mark.slow
DESCRIBE = Path(__file__).resolve().parents[1] / "data" / "describe"
CONFIG = """\
orgs:
  - name: nodes
    certificate: server.crt
    sample_data: false
    describe: [describe/Invoice__c.json, describe/Invoice_Line__c.json]
    records:
      Account: [{Name: Node Co, Industry: Energy, Rating: Hot}]
"""
JSFORCE_SCRIPT = r"""
const jsforce = require('jsforce');
(async () => {
  const conn = new jsforce.Connection({
    instanceUrl: process.env.INSTANCE_URL, accessToken: process.env.ACCESS_TOKEN,
    version: '61.0' });
  const out = {};
  const described = await conn.sobject('Invoice__c').describe();
  out.externalIds = described.fields.filter(f => f.externalId).map(f => f.name);
  const [account] = (await conn.query("SELECT Id FROM Account WHERE Name = 'Node Co'")).records;
  out.single = await conn.sobject('Invoice__c').upsert(
    { External_Key__c: 'J-1', Account__c: account.Id, Amount__c: 5 }, 'External_Key__c');
  out.again = await conn.sobject('Invoice__c').upsert(
    { External_Key__c: 'J-1', Amount__c: 6 }, 'External_Key__c');
  out.many = await conn.sobject('Invoice__c').upsert([
    { External_Key__c: 'J-1', Amount__c: 7 },
    { External_Key__c: 'J-2', Account__c: account.Id, Amount__c: 8 },
  ], 'External_Key__c');
  const ids = out.many.map(r => r.id);
  out.updated = await conn.sobject('Invoice__c').update(
    ids.map((id, i) => ({ Id: id, Amount__c: 100 + i })));
  out.rows = (await conn.query(
    "SELECT External_Key__c, Amount__c, toLabel(Stage__c), Account__r.Name FROM Invoice__c " +
    "WHERE CreatedDate = THIS_QUARTER ORDER BY External_Key__c")).records;
  out.typeof = (await conn.query(
    "SELECT TYPEOF What WHEN Account THEN Rating ELSE Name END FROM Task")).records;
  try {
    await conn.sobject('Invoice__c').create({ Account__c: account.Id, Stage__c: 'lost' });
  } catch (e) { out.refused = e.errorCode; }
  console.log(JSON.stringify(out));
})().catch(e => { console.error(e); process.exit(1); });
"""


@pytest.fixture
def jsforce() -> tuple[str, dict[str, str]]:
    """``node`` and the environment in which it finds jsforce; skips when either is missing."""
    node = node_clients.node()
    if node is None:
        pytest.skip("node is not installed (set NODE or put node on the PATH)")
    env = node_clients.jsforce_env()
    found = subprocess.run([node, "-e", "require('jsforce')"], env=env, capture_output=True,
                           timeout=60)  # fmt: skip
    if found.returncode != 0:
        pytest.skip("jsforce is not installed (run scripts/install-node-clients.sh or set "
                    "JSFORCE_DIR to a node_modules that has it)")
    return node, env


@pytest.fixture
def sf_command() -> list[str]:
    return _sf_command()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[EmulatorProcess, str, Path]]:
    key, cert = make_key_and_cert()
    (tmp_path / "server.crt").write_text(cert)
    (tmp_path / "server.key").write_text(key)
    shutil.copytree(DESCRIBE, tmp_path / "describe")
    (tmp_path / "emu.yml").write_text(CONFIG)
    process = EmulatorProcess("--config", "emu.yml", cwd=tmp_path)
    response = login(process.base_url, process.orgs[0], key)
    assert response.status_code == 200, response.text
    yield process, response.json()["access_token"], tmp_path
    process.stop()


def test_jsforce_upserts_updates_and_queries(
    jsforce: tuple[str, dict[str, str]], served: tuple[EmulatorProcess, str, Path]
) -> None:
    node, env = jsforce
    process, token, folder = served
    (folder / "client.js").write_text(JSFORCE_SCRIPT)
    done = subprocess.run(
        [node, "client.js"], cwd=folder, capture_output=True, text=True, timeout=120,
        env={**env, "INSTANCE_URL": process.base_url, "ACCESS_TOKEN": token},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout)
    assert out["externalIds"] == ["External_Key__c"]
    assert (out["single"]["success"], out["single"]["created"]) == (True, True)
    assert out["again"]["created"] is False
    assert [(r["success"], r["created"]) for r in out["many"]] == [(True, False), (True, True)]
    assert [r["success"] for r in out["updated"]] == [True, True]
    assert [(r["External_Key__c"], r["Amount__c"], r["Stage__c"], r["Account__r"]["Name"])
            for r in out["rows"]] == [("J-1", 100, "Draft", "Node Co"),
                                      ("J-2", 101, "Draft", "Node Co")]  # fmt: skip
    assert out["typeof"] == []
    assert out["refused"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"


def test_salesforce_cli_describes_and_queries_custom_objects(
    sf_command: list[str], served: tuple[EmulatorProcess, str, Path]
) -> None:
    command = sf_command
    process, token, folder = served
    org = process.orgs[0]
    env = node_clients.sf_env(str(folder))

    def sf(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*command, *args], cwd=folder, env=env, capture_output=True,
                              text=True, timeout=120)  # fmt: skip

    logged = sf("org", "login", "jwt", "--client-id", org["client_id"], "--jwt-key-file",
                "server.key", "--username", org["username"], "--instance-url", process.base_url)
    assert logged.returncode == 0, logged.stderr
    target = ("--target-org", org["username"])
    described = sf("sobject", "describe", "--sobject", "Invoice__c", "--json", *target)
    assert described.returncode == 0, described.stderr
    result = json.loads(described.stdout)["result"]
    captured = json.loads((DESCRIBE / "Invoice__c.json").read_text())["result"]
    assert result["fields"] == captured["fields"]
    created = sf("data", "create", "record", "--sobject", "Invoice__c", "--values",
                 f"External_Key__c=C-1 Account__c={_account_id(process, token)}", *target)
    assert created.returncode == 0, created.stderr
    sf("data", "create", "record", "--sobject", "Invoice_Line__c", "--values",
       f"Invoice__c={_id_of(created.stdout)} Product_Code__c=P-9", *target)
    queried = sf("data", "query", "--query", "SELECT External_Key__c, (SELECT Product_Code__c "
                 "FROM Lines__r) FROM Invoice__c", *target)  # fmt: skip
    assert queried.returncode == 0, queried.stderr
    assert "LINES__R.PRODUCT_CODE__C" in queried.stdout and "P-9" in queried.stdout
    assert "Total number of records retrieved: 1." in queried.stdout


def _account_id(process: EmulatorProcess, token: str) -> str:
    found = requests.get(
        f"{process.base_url}/services/data/v61.0/query",
        params={"q": "SELECT Id FROM Account WHERE Name = 'Node Co'"},
        headers={"Authorization": f"Bearer {token}"}, timeout=10,
    ).json()  # fmt: skip
    record_id: str = found["records"][0]["Id"]
    return record_id


def _id_of(output: str) -> str:
    """The record id ``sf data create record`` prints."""
    return next(word.strip(".") for word in output.split() if word.startswith("a0B"))

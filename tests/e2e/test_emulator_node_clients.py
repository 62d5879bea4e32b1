"""The Node clients users run, unmodified, against ``sfjwt-emulator``: jsforce and the sf CLI.

Bulk API 2.0 (jsforce ``bulk2``, ``sf data import/upsert/export bulk``), SOSL
(``sf data search``), users and profiles (``sf org list users``, ``sf org
display user``) and the front door (``sf org open --url-only``). These tests run
where the clients are installed (``scripts/install-node-clients.sh``; where the tests
look: ``tests.node_clients``); elsewhere they are skipped.
"""

from __future__ import annotations

import csv
import io
import json
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
JSFORCE_SCRIPT = r"""
const jsforce = require('jsforce');
(async () => {
  const [instanceUrl, accessToken] = process.argv.slice(1);
  const conn = new jsforce.Connection({ instanceUrl, accessToken, version: '60.0' });
  const input = [
    { Name: 'JsForce One', AccountNumber: 'JSF-1' },
    { Name: 'JsForce Two', AccountNumber: 'JSF-2' },
    { AccountNumber: 'JSF-3' },
  ];
  const loaded = await conn.bulk2.loadAndWaitForResults({
    object: 'Account', operation: 'insert', input, pollInterval: 200, pollTimeout: 30000,
  });
  const stream = await conn.bulk2.query(
    "SELECT Name, AccountNumber FROM Account WHERE AccountNumber LIKE 'JSF-%' ORDER BY Name",
    { pollInterval: 200, pollTimeout: 30000 });
  const rows = await stream.toArray();
  const found = await conn.search(
    'FIND {JsForce*} IN NAME FIELDS RETURNING Account(Name ORDER BY Name)');
  console.log(JSON.stringify({
    created: loaded.successfulResults.map((r) => r.sf__Created),
    errors: loaded.failedResults.map((r) => r.sf__Error),
    unprocessed: loaded.unprocessedRecords.length,
    rows,
    found: found.searchRecords.map((r) => r.Name),
  }));
})().catch((e) => { console.error(e.name + ': ' + e.message); process.exit(1); });
"""


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A standalone emulator whose bulk jobs take 400 ms, its key and a token."""
    folder = tmp_path_factory.mktemp("node")
    key, cert = make_key_and_cert()
    (folder / "server.crt").write_text(cert)
    (folder / "server.key").write_text(key)
    process = EmulatorProcess("--cert", "server.crt", "--bulk-processing-ms", "400", cwd=folder)
    answer = login(process.base_url, process.orgs[0], key)
    assert answer.status_code == 200, answer.text
    yield {**process.orgs[0], "url": process.base_url, "token": answer.json()["access_token"],
           "folder": folder, "process": process}  # fmt: skip
    process.stop()


def _query(org: dict[str, Any], soql: str) -> list[dict[str, Any]]:
    answer = requests.get(
        f"{org['url']}/services/data/v60.0/query", params={"q": soql},
        headers={"Authorization": f"Bearer {org['token']}"}, timeout=10,
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    records: list[dict[str, Any]] = answer.json()["records"]
    return records


def test_jsforce_bulk2_load_query_and_search(org: dict[str, Any]) -> None:
    node, env = node_clients.node(), node_clients.jsforce_env()
    if node is None:
        pytest.skip("Node is not installed")
    found = subprocess.run([node, "-e", "require.resolve('jsforce')"], env=env,
                           capture_output=True)
    if found.returncode != 0:
        pytest.skip("jsforce is not installed where node finds it (run "
                    "scripts/install-node-clients.sh or set NODE_PATH)")
    run = subprocess.run([node, "-e", JSFORCE_SCRIPT, org["url"], org["token"]], env=env,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["created"] == ["true", "true"] and result["unprocessed"] == 0
    missing = "REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --"
    assert result["errors"] == [missing]
    assert result["rows"] == [{"Name": "JsForce One", "AccountNumber": "JSF-1"},
                              {"Name": "JsForce Two", "AccountNumber": "JSF-2"}]  # fmt: skip
    assert result["found"] == ["JsForce One", "JsForce Two"]
    stored = _query(org, "SELECT AccountNumber FROM Account WHERE AccountNumber LIKE 'JSF-%'")
    assert sorted(r["AccountNumber"] for r in stored) == ["JSF-1", "JSF-2"]


def _sf(org: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    env = node_clients.sf_env(str(org["folder"]), SF_USE_PROGRESS_BAR="false")
    return subprocess.run([*_sf_command(), *args], cwd=org["folder"], env=env,
                          capture_output=True, text=True, timeout=180)  # fmt: skip


@pytest.fixture(scope="module")
def sf_org(org: dict[str, Any]) -> dict[str, Any]:
    """The org, logged into by the Salesforce CLI with ``sf org login jwt``."""
    _sf_command()  # skips when the CLI is not installed or cannot run here
    logged = _sf(org, "org", "login", "jwt", "--client-id", org["client_id"],
                 "--jwt-key-file", "server.key", "--username", org["username"],
                 "--instance-url", org["url"])  # fmt: skip
    assert logged.returncode == 0, logged.stderr
    return org


def _json(run: subprocess.CompletedProcess[str]) -> Any:
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout)["result"]


def test_sf_data_import_upsert_and_export_bulk(sf_org: dict[str, Any]) -> None:
    folder: Path = sf_org["folder"]
    (folder / "accounts.csv").write_text("Name,AccountNumber\nCli One,CLI-1\nCli Two,CLI-2\n")
    imported = _json(_sf(sf_org, "data", "import", "bulk", "--sobject", "Account", "--file",
                         "accounts.csv", "--wait", "2", "--target-org", sf_org["username"],
                         "--json"))  # fmt: skip
    assert imported["processedRecords"] == 2 and imported["failedRecords"] == 0
    ids = {r["AccountNumber"]: r["Id"] for r in
           _query(sf_org, "SELECT Id, AccountNumber FROM Account WHERE AccountNumber LIKE 'CLI-%'")}
    (folder / "upsert.csv").write_text(f"Id,Name\n{ids['CLI-1']},Cli One Renamed\n,Cli Three\n")
    upserted = _json(_sf(sf_org, "data", "upsert", "bulk", "--sobject", "Account", "--file",
                         "upsert.csv", "--external-id", "Id", "--wait", "2", "--target-org",
                         sf_org["username"], "--json"))  # fmt: skip
    job = upserted["jobInfo"]
    assert (job["state"], job["numberRecordsProcessed"], job["numberRecordsFailed"]) == (
        "JobComplete", 2, 0
    )
    created = {r["Name"]: r["sf__Created"] for r in upserted["records"]["successfulResults"]}
    assert created == {"Cli One Renamed": "false", "Cli Three": "true"}
    exported = _sf(sf_org, "data", "export", "bulk", "--query",
                   "SELECT Name FROM Account WHERE Name LIKE 'Cli %' ORDER BY Name",
                   "--output-file", "out.csv", "--wait", "2",
                   "--target-org", sf_org["username"])  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.reader(io.StringIO((folder / "out.csv").read_text())))
    assert rows == [["Name"], ["Cli One Renamed"], ["Cli Three"], ["Cli Two"]]


def test_sf_users_search_and_open(sf_org: dict[str, Any]) -> None:
    users = _json(_sf(sf_org, "org", "list", "users", "--target-org", sf_org["username"], "--json"))
    assert [(u["username"], u["profileName"]) for u in users] == [
        (sf_org["username"], "System Administrator")
    ]
    shown = _json(_sf(sf_org, "org", "display", "user", "--target-org", sf_org["username"],
                      "--json"))  # fmt: skip
    assert shown["profileName"] == "System Administrator" and shown["id"].startswith("005")
    opened = _json(_sf(sf_org, "org", "open", "--url-only", "--target-org", sf_org["username"],
                       "--json"))  # fmt: skip
    assert opened["url"].startswith(f"{sf_org['url']}/secur/frontdoor.jsp?otp=")
    assert requests.get(opened["url"], timeout=10).status_code == 200
    searched = _json(_sf(sf_org, "data", "search", "--query",
                         "FIND {Cli*} IN NAME FIELDS RETURNING Account(Name)",
                         "--target-org", sf_org["username"], "--json"))  # fmt: skip
    names = [r["Name"] for r in searched["searchRecords"]]
    assert names and all(n.startswith("Cli") for n in names)

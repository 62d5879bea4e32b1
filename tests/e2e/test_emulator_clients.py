"""Clients nobody here wrote, unmodified, against the emulator.

(a) the seed tutorial's own ``auth.py`` and ``app.py``, extracted from the
tutorial at test time; (b) simple-salesforce's REST client over HTTPS;
(c) an assertion signed by joserfc instead of PyJWT.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from runner.emulator import Emulator
from tests import node_clients
from tests.e2e.test_emulator_cli import EmulatorProcess, login
from tests.unit.emulator.conftest import JWT_GRANT, make_key_and_cert

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
SEED = REPO.parent / "shared" / "seed" / "sf-jwt-app.md"
TUTORIAL_ACCOUNT_ID = "001Dn00000Gi7HJIAZ"


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    key, cert = make_key_and_cert()
    path = tmp_path_factory.mktemp("certs") / "server.crt"
    path.write_text(cert)
    return key, path


def _tutorial_files() -> dict[str, str]:
    """``auth.py`` and ``app.py`` as the tutorial prints them."""
    if not SEED.is_file():
        pytest.skip(f"the seed tutorial is not here ({SEED}); it lives outside the repository")
    blocks = re.findall(r"```python\n(.*?)```", SEED.read_text(encoding="utf-8"), re.DOTALL)
    files = {}
    for block in (textwrap.dedent(b) for b in blocks):
        if "def doAuth" in block:
            files["auth.py"] = block
        elif "import auth" in block:
            files["app.py"] = block
    assert set(files) == {"auth.py", "app.py"}, "the tutorial's code blocks were not found"
    return files


def _token(base_url: str, org: dict[str, Any], key: str, **kw: Any) -> str:
    response = login(base_url, org, key, **kw)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def test_seed_tutorial_app_prints_the_account(tmp_path: Path, keys: tuple[str, Path]) -> None:
    files = _tutorial_files()
    process = EmulatorProcess("--cert", str(keys[1]), "--seed", "7", cwd=tmp_path)
    try:
        org = process.orgs[0]
        token = _token(process.base_url, org, keys[0])
        soql = "SELECT Id, Name, AccountNumber FROM Account WHERE AccountNumber != null LIMIT 1"
        found = requests.get(
            f"{process.base_url}/services/data/v58.0/query",
            params={"q": soql},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ).json()["records"][0]
        assert TUTORIAL_ACCOUNT_ID in files["app.py"]
        (tmp_path / "auth.py").write_text(files["auth.py"])
        (tmp_path / "app.py").write_text(files["app.py"].replace(TUTORIAL_ACCOUNT_ID, found["Id"]))
        (tmp_path / "certs").mkdir()
        (tmp_path / "certs" / "server.key").write_text(keys[0])
        (tmp_path / ".env").write_text(
            "KeyFile = 'certs/server.key'\n\n"
            f"ClientId = '{org['client_id']}'\n\n"
            f"UserName = '{org['username']}'\n\n"
            f"Domain = '{process.base_url}'\n"
        )
        env = {k: v for k, v in os.environ.items() if k not in ("ClientId", "UserName", "Domain")}
        completed = subprocess.run(
            [sys.executable, "app.py"], cwd=tmp_path, capture_output=True, text=True,
            timeout=60, env=env,
        )  # fmt: skip
    finally:
        process.stop()
    assert completed.returncode == 0, completed.stderr
    assert "Status 200" in completed.stdout
    assert f"Account Id = {found['Id']}" in completed.stdout
    assert f"Account Number = {found['AccountNumber']}" in completed.stdout
    assert f"Account Name = {found['Name']}" in completed.stdout


@pytest.fixture(scope="module")
def https_org(
    tmp_path_factory: pytest.TempPathFactory, keys: tuple[str, Path]
) -> Iterator[tuple[EmulatorProcess, str, Path]]:
    """An ``--https`` emulator with 2,100 extra Contacts, and a token from a JWT login."""
    folder = tmp_path_factory.mktemp("https")
    tls = folder / "tls.pem"
    contacts = [{"LastName": f"Bulk{i:04d}", "Email": f"bulk{i}@x.test"} for i in range(2100)]
    config = {
        "orgs": [{"name": "ssf", "certificate": str(keys[1]), "records": {"Contact": contacts}}]
    }
    (folder / "emu.json").write_text(json.dumps(config))
    process = EmulatorProcess(
        "--https", "--tls-cert-out", str(tls), "--config", "emu.json", cwd=folder
    )
    token = _token(process.base_url, process.orgs[0], keys[0], verify=str(tls))
    yield process, token, tls
    process.stop()


@pytest.fixture
def sf(https_org: tuple[EmulatorProcess, str, Path], monkeypatch: pytest.MonkeyPatch) -> Any:
    from simple_salesforce import Salesforce

    process, token, tls = https_org
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls))
    return Salesforce(instance_url=process.base_url, session_id=token, version="60.0")


def test_simple_salesforce_record_crud(sf: Any) -> None:
    created = sf.Account.create({"Name": "Simple Co", "AccountNumber": "SS-1"})
    assert created["success"] is True
    record = sf.Account.get(created["id"])
    assert record["Name"] == "Simple Co" and record["attributes"]["type"] == "Account"
    assert sf.Account.update(created["id"], {"Name": "Simpler Co"}) == 204
    assert sf.Account.get(created["id"])["Name"] == "Simpler Co"
    assert sf.Account.delete(created["id"]) == 204
    from simple_salesforce.exceptions import SalesforceResourceNotFound

    with pytest.raises(SalesforceResourceNotFound):
        sf.Account.get(created["id"])


def test_simple_salesforce_query_and_query_all(sf: Any) -> None:
    result = sf.query("SELECT Id, Name, Account.Name FROM Contact WHERE LastName LIKE 'Bulk%'")
    assert result["totalSize"] == 2100 and result["done"] is False
    assert len(result["records"]) == 2000
    everything = sf.query_all("SELECT Id FROM Contact WHERE LastName LIKE 'Bulk%'")
    assert everything["totalSize"] == 2100 and len(everything["records"]) == 2100
    assert len({r["Id"] for r in everything["records"]}) == 2100


def test_simple_salesforce_collections_describe_limits(sf: Any) -> None:
    records = [{"attributes": {"type": "Account"}, "Name": f"Coll {i}"} for i in range(3)]
    results = sf.restful("composite/sobjects", method="POST", json={"records": records})
    assert [r["success"] for r in results] == [True, True, True]
    ids = ",".join(r["id"] for r in results)
    deleted = sf.restful("composite/sobjects", method="DELETE", params={"ids": ids})
    assert all(r["success"] for r in deleted)
    assert any(f["name"] == "AccountNumber" for f in sf.Account.describe()["fields"])
    assert any(s["name"] == "Contact" for s in sf.describe()["sobjects"])
    limits = sf.limits()
    assert limits["DailyApiRequests"]["Max"] == 15000
    assert sf.api_usage["api-usage"].total == 15000


def test_joserfc_assertion_is_accepted(keys: tuple[str, Path]) -> None:
    from joserfc import jwt as jose_jwt
    from joserfc.jwk import RSAKey

    key = RSAKey.import_key(keys[0])
    with Emulator() as emulator:
        org = emulator.add_org({"name": "jose", "certificate_pem": keys[1].read_text()})
        claims = {
            "iss": org.client_id,
            "sub": org.username,
            "aud": "https://login.salesforce.com",
            "exp": int(time.time()) + 180,
        }
        assertion = jose_jwt.encode({"alg": "RS256"}, claims, key)
        response = requests.post(
            f"{org.login_url}/services/oauth2/token",
            data={"grant_type": JWT_GRANT, "assertion": assertion},
            timeout=10,
        )
    assert response.status_code == 200, response.text
    assert response.json()["access_token"].startswith(org.org_id[:15] + "!")


def _sf_command() -> list[str]:
    """The Salesforce CLI (``tests.node_clients``); skips where it is not installed or cannot
    run (it needs Node 22)."""
    command = node_clients.sf_command()
    if command is None:
        pytest.skip("the Salesforce CLI is not installed (run scripts/install-node-clients.sh, "
                    "set SF_CLI or put sf on the PATH)")
    if not node_clients.sf_runs_here(command):
        pytest.skip("the Salesforce CLI needs Node 22 (run scripts/install-node-clients.sh "
                    "or set SF_CLI)")
    return command


def test_salesforce_cli_logs_in_and_queries(tmp_path: Path, keys: tuple[str, Path]) -> None:
    command = _sf_command()
    key_file = tmp_path / "server.key"
    key_file.write_text(keys[0])
    process = EmulatorProcess("--cert", str(keys[1]), "--seed", "3", cwd=tmp_path)
    org = process.orgs[0]
    env = node_clients.sf_env(str(tmp_path))
    try:
        login_run = subprocess.run(
            [*command, "org", "login", "jwt", "--client-id", org["client_id"], "--jwt-key-file",
             str(key_file), "--username", org["username"], "--instance-url", process.base_url],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        query_run = subprocess.run(
            [*command, "data", "query", "--target-org", org["username"], "--query",
             "SELECT Id, Name, Owner.Name FROM Account ORDER BY Name LIMIT 2"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        process.stop()
    assert login_run.returncode == 0, login_run.stderr
    assert f"with org ID {org['org_id']}" in login_run.stdout
    assert process.stderr().count("POST /services/oauth2/token") == 1
    assert query_run.returncode == 0, query_run.stderr
    assert "Total number of records retrieved: 2." in query_run.stdout

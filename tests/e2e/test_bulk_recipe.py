"""The Bulk API 2.0 recipe (``playbooks/bulk_ingest.yml``) run by the real ``sfjwt-run``.

Once against the embedded org as shipped, once against a standalone emulator
whose jobs take a second, to see the run poll and to read back what the org
holds afterwards.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import requests

from runner.salesforce import keys
from tests.conftest import PLAYBOOKS, run_cli
from tests.e2e.test_emulator_cli import EmulatorProcess, login

pytestmark = pytest.mark.slow
STEPS = (
    "Create an ingest job", "Upload the CSV", "Close the job so Salesforce starts on it",
    "Wait until the job is complete", "Read the successful rows", "Read the failed rows",
    "The results name every row", "The org holds the two new Accounts",
)  # fmt: skip


def _recipe(folder: Path) -> Path:
    target = folder / "bulk_ingest.yml"
    shutil.copy(PLAYBOOKS / "bulk_ingest.yml", target)
    return target


def test_recipe_passes_against_the_embedded_org(tmp_path: Path) -> None:
    run = run_cli(str(_recipe(tmp_path)))
    assert run.status == 0, run.output
    lines = run.stdout.splitlines()
    for step in STEPS:
        assert any(step in line and line.split()[0] in ("ok", "changed") for line in lines), step
    assert "PASSED" in run.stdout


def test_recipe_polls_a_standalone_org_and_the_records_are_there(tmp_path: Path) -> None:
    recipe = _recipe(tmp_path)
    (tmp_path / "certs").mkdir()
    keys.ensure_key_pair(private_key=tmp_path / "certs" / "server.key",
                         certificate=tmp_path / "certs" / "server.crt")  # fmt: skip
    process = EmulatorProcess(
        "--cert", "certs/server.crt", "--client-id", "BULK.RECIPE", "--username",
        "bulk@recipe.test", "--bulk-processing-ms", "1500", "--no-sample-data", cwd=tmp_path,
    )  # fmt: skip
    try:
        (tmp_path / "inventory.yml").write_text(
            "orgs:\n  recipe:\n"
            f"    login_url: {process.base_url}\n"
            "    insecure_http: true\n"
            "    client_id: BULK.RECIPE\n    username: bulk@recipe.test\n    key: main\n"
        )
        run = run_cli(str(recipe), "-i", str(tmp_path / "inventory.yml"), cwd=tmp_path)
        assert run.status == 0, run.output
        polls = [line for line in process.stderr().splitlines()
                 if "GET /services/data/v60.0/jobs/ingest/750" in line and line.endswith("ms")
                 and "Results" not in line]  # fmt: skip
        key = (tmp_path / "certs" / "server.key").read_text()
        token = login(process.base_url, process.orgs[0], key).json()["access_token"]
        found = requests.get(
            f"{process.base_url}/services/data/v60.0/query",
            params={"q": "SELECT Name, AccountNumber, Industry FROM Account ORDER BY Name"},
            headers={"Authorization": f"Bearer {token}"}, timeout=10,
        ).json()["records"]  # fmt: skip
    finally:
        process.stop()
    assert len(polls) >= 3, "the job was done at the first poll: the recipe never had to wait"
    assert [(r["Name"], r["AccountNumber"], r["Industry"]) for r in found] == [
        ("Bulk Recipe One", "BRC-1", "Energy"),
        ("Bulk Recipe Two, Ltd.", "BRC-2", "Banking"),
    ]

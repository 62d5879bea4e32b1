"""The shipped recipes (playbooks/recipes/) run green, as one folder, against an org we read back.

A role shared by two playbooks, a CSV-driven loop with a JSON body file, a CSV
sent as a body file untouched, and a lifecycle that cleans up in ``always``.
The folder is copied (``save:`` writes into it) and run against a standalone
embedded org through an inventory; the records the org holds afterwards are
read from its own SQLite file. Every file of the folder validates offline
against the schema its first line names, as an editor would check it.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import PLAYBOOKS, REPO, run_cli
from tests.e2e.org_records import CLIENT_ID, USERNAME, standalone_org
from tests.e2e.test_schema_offline import check_jsonschema, declared_schema
from tests.junit_check import check_junit

RECIPES = PLAYBOOKS / "recipes"
PLAYBOOK_FILES = ("accounts_from_csv.yml", "bulk_contacts.yml", "health.yml", "lifecycle.yml")

pytestmark = pytest.mark.slow


def test_the_recipes_folder_runs_green_and_its_values_reach_the_org(tmp_path: Path) -> None:
    recipes = tmp_path / "recipes"
    shutil.copytree(RECIPES, recipes, ignore=shutil.ignore_patterns("out"))
    with standalone_org(tmp_path) as org:
        inventory = tmp_path / "orgs.yml"
        inventory.write_text(f"orgs:\n  acme-uat:\n    login_url: {org.url}\n"
                             f"    client_id: {CLIENT_ID}\n    username: {USERNAME}\n"
                             "    private_key: certs/server.key\n")
        run = run_cli(str(recipes), "-i", str(inventory), "--junit", str(tmp_path / "j.xml"))
        accounts = org.records("Account", "Name", "AccountNumber", "Industry",
                               "NumberOfEmployees", "Description", "IsDeleted")
        contacts = org.records("Contact", "LastName", "Description")
    assert run.status == 0, run.output
    assert run.stdout.splitlines()[0] == f"RUN 4 playbooks from {recipes}"
    assert run.stdout.splitlines()[-1].startswith("PASSED: 4 playbooks in ")
    assert [line.split("  ")[0] for line in run.stdout.splitlines()
            if line.startswith("PLAY ")] == [
        "PLAY Accounts from a CSV — create and check one account per row",
        "PLAY Bulk API 2.0 — Contacts from a CSV file, sent as it is",
        "PLAY Health — identity, versions and API headroom",
        "PLAY Account lifecycle — create, read, update, and always clean up"]
    # the CSV rows, through files/account.json (NumberOfEmployees a number, not text)
    assert accounts == [
        ("Acme, Inc", "CSV-001", "Energy", 120, "Loaded by sfjwt-run recipes", 0),
        ("Globex", "CSV-002", "Banking", 45, "Loaded by sfjwt-run recipes", 0),
        ("Initech", "CSV-003", "Technology", 250, "Loaded by sfjwt-run recipes", 0),
        ("sfjwt-lifecycle-acme-uat", None, "Banking", None, None, 1),  # deleted in always
    ]
    assert "changed   Delete it" in run.stdout
    assert contacts == [("Lovelace", "Writes {{ notes }} in braces"), ("Turing", "Sent as it is")]
    saved = json.loads((recipes / "out" / "acme-uat-limits.json").read_text())
    assert saved["DailyApiRequests"]["Max"] > 0
    suites = check_junit(tmp_path / "j.xml")
    assert [suite.name for suite in suites] == [f"acme-uat ({recipes / name})"
                                                for name in PLAYBOOK_FILES]


def test_a_role_default_ranks_below_extra_vars(tmp_path: Path) -> None:
    shutil.copytree(RECIPES, tmp_path / "recipes", ignore=shutil.ignore_patterns("out"))
    run = run_cli(str(tmp_path / "recipes" / "health.yml"), "-e", "{min_remaining_pct: 101}")
    assert run.status == 2, run.output
    assert re.search(r"✗ only \d+ of 15000 daily API requests left", run.stdout), run.stdout
    assert "skipped   Identity (userinfo)" in run.stdout  # a failure ends the org's run


@pytest.mark.parametrize("path", sorted(p for p in RECIPES.rglob("*.yml")
                                        if "defaults" not in p.parts and "vars" not in p.parts),
                         ids=lambda path: str(path.relative_to(RECIPES)))
def test_every_recipe_file_validates_offline_against_its_modeline_schema(path: Path) -> None:
    schema = declared_schema(path)
    assert schema.parent == REPO / "schemas"
    done = check_jsonschema(schema, path)
    assert done.returncode == 0, done.stdout + done.stderr

"""A folder of recipes run as one command: one header, one recap, one report of each kind.

The folder holds what a team keeps beside its playbooks: a step file, an
inventory, data; only the playbooks run, sorted, and ``-k`` and ``--glob``
choose among them. What the org holds afterwards is read back from its file.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli, single_run
from tests.e2e.org_records import CLIENT_ID, USERNAME, StandaloneOrg, standalone_org
from tests.junit_check import check_junit


def folder_of_recipes(root: Path, org: StandaloneOrg) -> Path:
    recipes = root / "recipes"
    (recipes / "steps").mkdir(parents=True)
    (recipes / "inventory.yml").write_text(
        "orgs:\n  acme-uat:\n"
        f"    login_url: {org.url}\n    client_id: {CLIENT_ID}\n    username: {USERNAME}\n"
        "    private_key: ../certs/server.key\n")
    (recipes / "steps" / "create.yml").write_text(
        "- name: \"Create {{ account }}\"\n"
        "  request:\n    method: POST\n    path: /services/data/v60.0/sobjects/Account\n"
        "    json: {Name: \"{{ account }}\"}\n")
    for name, account in (("b_globex.yml", "Globex"), ("a_acme.yml", "Acme")):
        (recipes / name).write_text(
            f"name: Create {account}\nvars: {{account: {account}}}\n"
            "steps:\n  - import_steps: steps/create.yml\n")
    (recipes / "c_limits.yml").write_text(
        "name: Generous limits\nsteps:\n"
        "  - name: API headroom\n    request: {path: /services/data/v60.0/limits}\n"
        "    expect: {json: {DailyApiRequests.Max: {gte: 99999999}}}\n")
    (recipes / "notes.txt").write_text("not a playbook\n")
    return recipes


def test_a_folder_runs_every_playbook_with_one_recap_and_one_report_each(tmp_path: Path) -> None:
    with standalone_org(tmp_path) as org:
        recipes = folder_of_recipes(tmp_path, org)
        run = run_cli(str(recipes), "-i", str(recipes / "inventory.yml"), "--junit",
                      str(tmp_path / "j.xml"), "--json", str(tmp_path / "r.json"))
        records = org.records("Account", "Name")
    assert run.status == 2, run.output
    assert records == [("Acme",), ("Globex",)]  # sorted by file name: a_acme first
    lines = run.stdout.splitlines()
    assert lines[:4] == [f"RUN 3 playbooks from {recipes}",
                         f"  {recipes / 'a_acme.yml'}  Create Acme",
                         f"  {recipes / 'b_globex.yml'}  Create Globex",
                         f"  {recipes / 'c_limits.yml'}  Generous limits"]
    assert [line for line in lines if line.startswith("PLAY ")] == [
        f"PLAY Create Acme  ({recipes / 'a_acme.yml'})",
        f"PLAY Create Globex  ({recipes / 'b_globex.yml'})",
        f"PLAY Generous limits  ({recipes / 'c_limits.yml'})"]
    assert run.stdout.count("RECAP") == 1
    recap = lines[lines.index("RECAP") + 2:]
    assert [row.split()[:6] for row in recap[:3]] == [
        ["a_acme.yml", "acme-uat", "0", "1", "0", "0"],
        ["b_globex.yml", "acme-uat", "0", "1", "0", "0"],
        ["c_limits.yml", "acme-uat", "0", "0", "1", "0"]]
    assert lines[-1].startswith("FAILED: 3 playbooks, 1 did not pass (c_limits.yml) in ")
    suites = check_junit(tmp_path / "j.xml")
    assert [suite.name for suite in suites] == [
        f"acme-uat ({recipes / name})" for name in ("a_acme.yml", "b_globex.yml", "c_limits.yml")]
    report = json.loads((tmp_path / "r.json").read_text())
    assert [playbook["verdict"] for playbook in report["playbooks"]] == [
        "passed", "passed", "failed"]


def test_k_and_glob_choose_among_the_playbooks(tmp_path: Path) -> None:
    with standalone_org(tmp_path) as org:
        recipes = folder_of_recipes(tmp_path, org)
        inventory = str(recipes / "inventory.yml")
        chosen = run_cli(str(recipes), "-i", inventory, "-k", "globex", "--json",
                         str(tmp_path / "k.json"))
        globbed = run_cli(str(recipes), "-i", inventory, "--glob", "a_*.yml", "--list-steps")
        nothing = run_cli(str(recipes), "-i", inventory, "-k", "nobody")
        records = org.records("Account", "Name")
    assert chosen.status == 0, chosen.output
    assert records == [("Globex",)]
    assert single_run(tmp_path / "k.json")["name"] == "Create Globex"
    assert "RUN " not in chosen.stdout  # one playbook: its own recap, as always
    assert globbed.stdout.splitlines() == [
        f"playbook: {recipes / 'a_acme.yml'} (Create Acme)", "  steps:",
        "    1. Create {{ account }}"]
    assert nothing.status == 5
    assert nothing.stderr.splitlines()[0] == ("sfjwt-run: error: -k nobody: no playbook's file "
                                              "name or name matches")

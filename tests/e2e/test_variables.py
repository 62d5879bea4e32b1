"""Variables that use variables reach the org rendered, and a cycle stops the run before it starts.

Recipes as a Salesforce engineer writes them: names built from other names
across the playbook, an inventory's org and group vars, ``-e`` and ``org.*``;
the values are read back from the org's own records after the run.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli
from tests.e2e.org_records import CLIENT_ID, StandaloneOrg, standalone_org

RECIPE = """\
name: Account lifecycle
vars:
  derived: "{{ base }}-x"
  record_name: "sfjwt-lifecycle-{{ org.name }}-{{ run_label }}"
steps:
  - name: Create the account
    request:
      method: POST
      path: /services/data/v60.0/sobjects/Account
      json: {Name: "{{ derived }}", Description: "{{ note }}"}
  - name: Create the lifecycle record
    request:
      method: POST
      path: /services/data/v60.0/sobjects/Account
      json: {Name: "{{ record_name }}"}
  - name: Find it by name
    query: "SELECT Name FROM Account WHERE Name = '{{ record_name }}'"
    expect:
      json: {totalSize: 1, "records[0].Name": "{{ vars.record_name }}"}
"""


def inventory(folder: Path, org: StandaloneOrg, *, username: str = "{{ vars.who }}") -> Path:
    path = folder / "inventory" / "orgs.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "vars:\n"
        "  run_label: \"{{ stage }}\"\n"
        "orgs:\n"
        "  acme-uat:\n"
        f"    login_url: {org.url}\n"
        "    client_id: \"{{ env.RECIPE_CLIENT_ID }}\"\n"
        f"    username: \"{username}\"\n"
        "    private_key: ../certs/server.key\n"
        "    vars: {who: api.user@example.com, base: acme}\n"
        "groups:\n"
        "  sandboxes:\n"
        "    orgs: [acme-uat]\n"
        "    vars: {stage: uat}\n"
    )
    return path


def test_values_built_from_other_values_reach_the_org_rendered(tmp_path: Path) -> None:
    playbook = tmp_path / "recipes" / "lifecycle.yml"
    playbook.parent.mkdir()
    playbook.write_text(RECIPE)
    with standalone_org(tmp_path) as org:
        run = run_cli("-i", str(inventory(tmp_path, org)), str(playbook),
                      "-e", 'note="made by {{ derived }} for {{ stage }}"',
                      env={"RECIPE_CLIENT_ID": CLIENT_ID})
    assert run.status == 0, run.output
    assert "ok        log in" in run.stdout  # username: "{{ vars.who }}" (an org var) logs in
    assert "ok        Find it by name" in run.stdout
    assert org.records("Account", "Name", "Description") == [
        ("acme-x", "made by acme-x for uat"),
        ("sfjwt-lifecycle-acme-uat-uat", None),
    ]


def test_a_cycle_across_files_is_refused_before_anything_runs(tmp_path: Path) -> None:
    playbook = tmp_path / "recipes" / "lifecycle.yml"
    playbook.parent.mkdir()
    playbook.write_text(RECIPE.replace('derived: "{{ base }}-x"', 'derived: "{{ run_label }}-x"'))
    with standalone_org(tmp_path) as org:
        orgs = inventory(tmp_path, org)
        orgs.write_text(orgs.read_text().replace("stage: uat", 'stage: "{{ derived }}"'))
        run = run_cli("-i", str(orgs), str(playbook), "-e", "note=n",
                      env={"RECIPE_CLIENT_ID": CLIENT_ID})
        assert org.records("Account", "Name") == []
    assert run.status == 4, run.output
    first = run.stderr.splitlines()[0]
    assert first == (
        f"{orgs}:2:3: variables form a cycle: run_label ({orgs}:2:3) → "
        f"stage ({orgs}:13:12) → derived ({playbook}:3:3) → run_label"), first
    assert "hint: one of these values must not use the others" in run.stderr


def test_syntax_check_notices_an_org_setting_that_reads_an_undefined_variable(
    tmp_path: Path,
) -> None:
    playbook = tmp_path / "recipes" / "lifecycle.yml"
    playbook.parent.mkdir()
    playbook.write_text(RECIPE)
    with standalone_org(tmp_path) as org:
        orgs = inventory(tmp_path, org, username="{{ vars.whoo }}")
        run = run_cli("-i", str(orgs), str(playbook), "-e", "note=n", "--syntax-check",
                      env={"RECIPE_CLIENT_ID": CLIENT_ID})
    assert run.status == 4, run.output
    assert run.stderr.splitlines()[0] == (
        f"{orgs}:4:3: orgs['acme-uat'].username: undefined variable 'vars.whoo'"
        "; did you mean 'who'?")


def test_a_playbook_var_hides_an_org_var_as_in_ansible_and_says_so(tmp_path: Path) -> None:
    inventory = tmp_path / "orgs.yml"
    inventory.write_text("orgs:\n  gold: {emulator: true, vars: {tier: gold}}\n")
    playbook = tmp_path / "tier.yml"
    playbook.write_text(
        "name: Tier\nvars:\n  tier: standard\nsteps:\n"
        "  - name: The playbook's value wins\n    assert: tier == 'standard'\n")
    warning = (f"{inventory}:2:33: warning: tier of org gold is hidden by the playbook's "
               f"vars.tier ({playbook}:3:3), which wins as in Ansible; to let orgs differ, "
               "give the default in the inventory's vars instead")
    check = run_cli("-i", str(inventory), str(playbook), "--syntax-check")
    assert check.status == 0, check.output
    assert check.stderr.splitlines() == [warning]
    run = run_cli("-i", str(inventory), str(playbook), "-v")
    assert run.status == 0, run.output
    assert run.stderr.splitlines() == [warning]
    assert "ok        The playbook's value wins" in run.stdout
    quiet = run_cli("-i", str(inventory), str(playbook))
    assert quiet.stderr == ""

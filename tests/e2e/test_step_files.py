"""Step files and roles as a team keeps them in git: import_steps, include_steps, roles.

A recipes folder with a role shared by two playbooks, a step file imported with
tags, an include looped over a CSV; what the org holds afterwards is read back
from its SQLite file. Errors inside a shared file point at that file's line and
name the chain of files that led there.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli
from tests.e2e.org_records import CLIENT_ID, USERNAME, StandaloneOrg, standalone_org

FILES = {
    "roles/accounts/defaults/main.yml": "prefix: role-default\nindustry: Energy\n",
    "roles/accounts/files/account.json": (
        '{"Name": "{{ prefix }}-{{ label }}", "Industry": "{{ industry }}"}\n'),
    "roles/accounts/steps/main.yml": (
        "- name: Create the account\n"
        "  request:\n"
        "    method: POST\n"
        "    path: /services/data/v60.0/sobjects/Account\n"
        "    json_file: account.json\n"
        "  register: made\n"
        "- import_steps: check.yml\n"
        "  tags: [read]\n"),
    "roles/accounts/steps/check.yml": (
        "- name: Read it back\n"
        "  request: {path: \"/services/data/v60.0/sobjects/Account/{{ made.json.id }}\"}\n"
        "  expect:\n"
        "    json: {Name: \"{{ prefix }}-{{ label }}\"}\n"),
    "common/versions.yml": (
        "- name: API versions are listed\n"
        "  request: {path: /services/data/}\n"
        "  tags: [versions]\n"),
    "per_row.yml": (
        "- name: \"Create {{ item.Name }}\"\n"
        "  request:\n"
        "    method: POST\n"
        "    path: /services/data/v60.0/sobjects/Account\n"
        "    json: {Name: \"{{ item.Name }}\", Description: \"{{ note }}\"}\n"),
    "data/rows.csv": "Name\nRow One\nRow Two\n",
}


def recipes(folder: Path, org: StandaloneOrg, playbooks: dict[str, str]) -> Path:
    root = folder / "recipes"
    orgs = ("orgs:\n  acme-uat:\n"
            f"    login_url: {org.url}\n    client_id: {CLIENT_ID}\n    username: {USERNAME}\n"
            "    private_key: ../certs/server.key\n"
            "    vars: {industry: Retail}\n")
    for name, text in {**FILES, **playbooks}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("ORGS\n", orgs))
    return root


ROLE_PLAYBOOK = """\
name: Accounts role
vars: {label: pb}
roles:
  - {role: accounts, tags: [crud]}
ORGS
steps:
  - import_steps: common/versions.yml
    tags: [smoke]
  - include_steps: per_row.yml
    loop: "{{ lookup('file', 'data/rows.csv') | from_csv }}"
    vars: {note: "from the include"}
  - include_role: accounts
    vars: {label: again, prefix: param}
    when: org.name == 'acme-uat'
  - include_role: {name: accounts, steps_from: check.yml}
    vars: {label: again, prefix: param}
"""


def test_roles_imports_and_includes_reach_the_org(tmp_path: Path) -> None:
    with standalone_org(tmp_path) as org:
        root = recipes(tmp_path, org, {"accounts.yml": ROLE_PLAYBOOK})
        run = run_cli(str(root / "accounts.yml"))
        records = org.records("Account", "Name", "Industry", "Description")
    assert run.status == 0, run.output
    # role defaults < org vars (industry) < playbook vars; include vars above them all
    assert records == [
        ("role-default-pb", "Retail", None),
        ("Row One", None, "from the include"),
        ("Row Two", None, "from the include"),
        ("param-again", "Retail", None),
    ]
    lines = [line.split("  acme-uat")[0].strip() for line in run.stdout.splitlines()
             if line.startswith("  ") and "acme-uat " in line and "log in" not in line]
    assert lines == [
        "changed   Create the account", "ok        Read it back",
        "ok        API versions are listed", "ok        include_steps per_row.yml",
        "changed   Create Row One", "changed   Create Row Two",
        "ok        include_role accounts", "changed   Create the account",
        "ok        Read it back", "ok        include_role accounts", "ok        Read it back",
    ]


def test_imported_steps_are_listed_and_selected_by_their_tags(tmp_path: Path) -> None:
    with standalone_org(tmp_path) as org:
        root = recipes(tmp_path, org, {"accounts.yml": ROLE_PLAYBOOK})
        listing = run_cli(str(root / "accounts.yml"), "--list-steps", "--list-tags")
        tagged = run_cli(str(root / "accounts.yml"), "-t", "versions")
        records = org.records("Account", "Name")
    assert listing.status == 0, listing.output
    assert listing.stdout.splitlines()[1:] == [
        "  steps:",
        "    1. Create the account  tags: crud",
        "    2. Read it back  tags: crud, read",
        "    3. API versions are listed  tags: smoke, versions",
        "    4. include_steps per_row.yml",
        "       5. Create {{ item.Name }}",
        "    6. include_role accounts",
        "       7. Create the account",
        "       8. Read it back  tags: read",
        "    9. include_role accounts",
        "       10. Read it back",
        "  tags: crud, read, smoke, versions",
    ]
    assert tagged.status == 0, tagged.output
    assert "ok        API versions are listed" in tagged.stdout
    assert "Create" not in tagged.stdout
    assert records == []


def test_an_error_in_a_role_points_at_its_file_and_the_chain(tmp_path: Path) -> None:
    with standalone_org(tmp_path) as org:
        root = recipes(tmp_path, org, {"accounts.yml": ROLE_PLAYBOOK})
        check = root / "roles" / "accounts" / "steps" / "check.yml"
        check.write_text(check.read_text().replace("request:", "requets:"))
        run = run_cli(str(root / "accounts.yml"), "--syntax-check")
    assert run.status == 4, run.output
    assert run.stderr.splitlines()[0] == (
        f"{check}:2:3: [0]: unknown key 'requets'; did you mean 'request'? "
        f"(from roles accounts at {root / 'accounts.yml'}:4:5 → import_steps check.yml at "
        f"{root / 'roles' / 'accounts' / 'steps' / 'main.yml'}:7:3)")
    assert run.stderr.splitlines()[1] == '    2 |   requets: {path: "/services/data/v60.0/' \
                                         'sobjects/Account/{{ made.json.id }}"}'


def test_an_undefined_name_in_a_role_is_found_before_the_run(tmp_path: Path) -> None:
    with standalone_org(tmp_path) as org:
        typo = ROLE_PLAYBOOK.replace("label: pb", "lbl: pb")
        root = recipes(tmp_path, org, {"accounts.yml": typo})
        run = run_cli(str(root / "accounts.yml"))
        records = org.records("Account", "Name")
    assert run.status == 4, run.output
    assert records == []
    first = run.stderr.splitlines()[0]
    assert first.startswith(f"{root / 'roles' / 'accounts' / 'steps' / 'check.yml'}:4:"), first
    assert "undefined variable 'label'" in first


def test_cycles_and_loops_on_imports_are_refused_with_the_chain(tmp_path: Path) -> None:
    with standalone_org(tmp_path) as org:
        root = recipes(tmp_path, org, {
            "cycle.yml": "name: Cycle\nORGS\nsteps:\n  - import_steps: steps/a.yml\n",
            "steps/a.yml": "- import_steps: b.yml\n",
            "steps/b.yml": "- name: fine\n  assert: 'true'\n- include_steps: a.yml\n",
            "loop.yml": "name: Loop\nORGS\nsteps:\n  - import_steps: common/versions.yml\n"
                        "    loop: [1, 2]\n",
        })
        cycle = run_cli(str(root / "cycle.yml"))
        loop = run_cli(str(root / "loop.yml"))
    assert cycle.status == 4, cycle.output
    steps = root / "steps"
    assert cycle.stderr.splitlines()[0] == (
        f"{steps / 'b.yml'}:3:18: include_steps: 'a.yml' includes itself: "
        f"import_steps steps/a.yml at {root / 'cycle.yml'}:10:5 → "
        f"import_steps b.yml at {steps / 'a.yml'}:1:3 → include_steps a.yml at "
        f"{steps / 'b.yml'}:3:3")
    assert loop.status == 4, loop.output
    assert loop.stderr.splitlines()[0] == (
        f"{root / 'loop.yml'}:11:5: steps[0].loop: 'loop' cannot be used here: an import is "
        "expanded when the playbook loads, so it cannot loop; use include_steps")


def test_an_include_chosen_by_a_template_is_read_when_it_runs(tmp_path: Path) -> None:
    with standalone_org(tmp_path) as org:
        root = recipes(tmp_path, org, {
            "by_org.yml": ("name: Per org\nORGS\nsteps:\n"
                           "  - include_steps: \"checks/{{ org.name }}.yml\"\n"
                           "  - include_steps: \"checks/{{ org.name }}-extra.yml\"\n"),
            "checks/acme-uat.yml": ("- name: Made for acme-uat\n  request:\n    method: POST\n"
                                    "    path: /services/data/v60.0/sobjects/Account\n"
                                    "    json: {Name: \"only {{ org.name }}\"}\n"),
        })
        run = run_cli(str(root / "by_org.yml"))
        records = org.records("Account", "Name")
    assert records == [("only acme-uat",)]
    assert run.status == 2, run.output
    assert "changed   Made for acme-uat" in run.stdout
    assert ("failed    include_steps checks/acme-uat-extra.yml "
            in run.stdout)
    assert (f"✗ {root / 'by_org.yml'}:11:20: include_steps: 'checks/acme-uat-extra.yml': no "
            f"such file (looked in {root})" in run.stdout)

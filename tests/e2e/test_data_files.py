"""Data kept in files reaches the org: vars_files, a CSV-driven loop, body files, saved responses.

Recipes as a Salesforce engineer keeps them in git: a CSV of accounts, a JSON
body template, shared variables in ``vars/``. What the org holds after the run
is read back from its own SQLite file. Every file read stays inside the
project: a name that escapes it is refused before the run (exit 4, at its
line and column), or fails its step when a template builds it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.conftest import run_cli
from tests.e2e.org_records import CLIENT_ID, USERNAME, StandaloneOrg, standalone_org

ACCOUNTS_CSV = 'Name,Number,Employees\n"Acme, Inc",A-001,12\nGlobex,G-002,7\n'
ACCOUNT_JSON = """\
{
  "Name": "{{ item.Name }}",
  "AccountNumber": "{{ item.Number }}",
  "Industry": "{{ industry }}",
  "NumberOfEmployees": "{{ item.Employees | int * employee_scale }}"
}
"""


def orgs_block(org: StandaloneOrg) -> str:
    return ("orgs:\n"
            "  acme-uat:\n"
            f"    login_url: {org.url}\n"
            f"    client_id: {CLIENT_ID}\n"
            f"    username: {USERNAME}\n"
            "    private_key: ../certs/server.key\n")


def project(folder: Path, files: dict[str, str]) -> Path:
    """A recipes folder holding ``files`` (relative name → text)."""
    recipes = folder / "recipes"
    for name, text in files.items():
        path = recipes / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return recipes


def test_a_csv_drives_a_loop_whose_bodies_come_from_a_json_template(tmp_path: Path) -> None:
    with standalone_org(tmp_path) as org:
        recipes = project(tmp_path, {
            "data/accounts.csv": ACCOUNTS_CSV,
            "files/account.json": ACCOUNT_JSON,
            "vars/common.yml": "industry: Banking\nemployee_scale: 10\n",
            "accounts.yml": (
                "name: Accounts from a CSV\n"
                "vars: {industry: Retail}\n"
                "vars_files: [vars/common.yml]\n"
                + orgs_block(org) +
                "steps:\n"
                "  - name: Create the accounts of accounts.csv\n"
                "    loop: \"{{ lookup('file', 'data/accounts.csv') | from_csv }}\"\n"
                "    request:\n"
                "      method: POST\n"
                "      path: /services/data/v60.0/sobjects/Account\n"
                "      json_file: account.json\n"
                "    expect: {status: 201}\n"),
        })
        run = run_cli(str(recipes / "accounts.yml"))
        records = org.records("Account", "Name", "AccountNumber", "Industry",
                              "NumberOfEmployees")
    assert run.status == 0, run.output
    assert "changed   Create the accounts of accounts.csv" in run.stdout
    # vars_files beat vars: (Banking, not Retail); a lone expression keeps its type (120)
    assert records == [("Acme, Inc", "A-001", "Banking", 120), ("Globex", "G-002", "Banking", 70)]


def test_vars_files_rank_above_vars_and_below_extra_vars(tmp_path: Path) -> None:
    with standalone_org(tmp_path) as org:
        recipes = project(tmp_path, {
            "vars/one.yml": "name_prefix: from-one\nsite: one\n",
            "vars/two.json": '{"site": "two", "note": "{{ name_prefix }} and {{ site }}"}',
            "p.yml": (
                "name: Precedence\n"
                "vars: {name_prefix: from-vars, site: vars, note: plain}\n"
                "vars_files: [vars/one.yml, vars/two.json]\n"
                + orgs_block(org) +
                "steps:\n"
                "  - name: Create one account\n"
                "    request:\n"
                "      method: POST\n"
                "      path: /services/data/v60.0/sobjects/Account\n"
                "      json:\n"
                "        Name: \"{{ name_prefix }}-{{ site }}\"\n"
                "        Description: \"{{ note }}\"\n"),
        })
        run = run_cli(str(recipes / "p.yml"), "-e", "site=cli")
        records = org.records("Account", "Name", "Description")
    assert run.status == 0, run.output
    assert records == [("from-one-cli", "from-one and cli")]


def test_a_body_file_is_a_template_unless_told_otherwise_and_a_response_is_saved(
    tmp_path: Path,
) -> None:
    with standalone_org(tmp_path) as org:
        recipes = project(tmp_path, {
            "files/rendered.json": '{"Name": "Rendered {{ org.name }}"}\n',
            "files/literal.json": '{"Name": "Literal", "Description": "{{ kept as text }}"}\n',
            "body.yml": (
                "name: Body files\n"
                + orgs_block(org) +
                "steps:\n"
                "  - name: Rendered body\n"
                "    request:\n"
                "      method: POST\n"
                "      path: /services/data/v60.0/sobjects/Account\n"
                "      headers: {Content-Type: application/json}\n"
                "      body_file: rendered.json\n"
                "  - name: Body sent as it is\n"
                "    request:\n"
                "      method: POST\n"
                "      path: /services/data/v60.0/sobjects/Account\n"
                "      json_file: literal.json\n"
                "      template: false\n"
                "  - name: Save what the org holds\n"
                "    query: SELECT Name, Description FROM Account ORDER BY Name\n"
                "    save: \"out/{{ org.name }}-accounts.json\"\n"),
        })
        run = run_cli(str(recipes / "body.yml"))
        records = org.records("Account", "Name", "Description")
    assert run.status == 0, run.output
    assert records == [("Rendered acme-uat", None), ("Literal", "{{ kept as text }}")]
    saved = json.loads((recipes / "out" / "acme-uat-accounts.json").read_text())
    assert [(r["Name"], r["Description"]) for r in saved["records"]] == [
        ("Literal", "{{ kept as text }}"), ("Rendered acme-uat", None)]


def test_files_outside_the_project_are_refused_before_the_run(tmp_path: Path) -> None:
    (tmp_path / "outside.json").write_text('{"Name": "stolen"}')
    create = ("    request:\n      method: POST\n"
              "      path: /services/data/v60.0/sobjects/Account\n")
    cases = {  # name: (what is written around the orgs, where the error is, what it says)
        "vars_files.yml": ("vars_files:\n  - ../../etc/passwd\n", create + '      json: {}\n',
                           "3:5",
                           "vars_files[0]: '../../etc/passwd' is outside the project"),
        "absolute.yml": ("", "    loop: \"{{ lookup('file', '/etc/passwd') }}\"\n" + create
                         + '      json: {Name: "{{ item }}"}\n', "10:11",
                         "lookup('file'): '/etc/passwd' is an absolute path"),
        "symlink.yml": ("", create + "      json_file: out.json\n", "13:18",
                        "json_file: 'out.json' leads outside the project through a symbolic link"),
        "save.yml": ("", create + '      json: {Name: "x"}\n    save: ../../stolen.json\n',
                     "14:11", "save: '../../stolen.json' is outside the project"),
    }
    with standalone_org(tmp_path) as org:
        recipes = project(tmp_path, {"files/placeholder.txt": ""})
        os.symlink(tmp_path / "outside.json", recipes / "files" / "out.json")
        runs = {}
        for name, (head, step, _, _) in cases.items():
            (recipes / name).write_text(f"name: {name}\n" + head + orgs_block(org)
                                        + "steps:\n  - name: Create\n" + step)
            runs[name] = run_cli(str(recipes / name))
        assert org.records("Account", "Name") == []
    for name, (_, _, place, words) in cases.items():
        run = runs[name]
        assert run.status == 4, (name, run.output)
        first = run.stderr.splitlines()[0]
        assert first.startswith(f"{recipes / name}:{place}: {words}"), (name, first)
        assert run.stderr.splitlines()[2].strip().endswith("^"), run.stderr
    assert not (tmp_path.parent / "stolen.json").exists()


def test_a_file_name_built_by_a_template_is_checked_when_the_step_runs(tmp_path: Path) -> None:
    with standalone_org(tmp_path) as org:
        recipes = project(tmp_path, {
            "files/ok.json": '{"Name": "Allowed {{ item }}"}',
            "p.yml": (
                "name: Built names\n" + orgs_block(org) +
                "steps:\n"
                "  - name: Create from files\n"
                "    loop: [ok, ../../../../etc/passwd]\n"
                "    request:\n"
                "      method: POST\n"
                "      path: /services/data/v60.0/sobjects/Account\n"
                "      json_file: \"{{ item if item.startswith('..') else item ~ '.json' }}\"\n"),
        })
        run = run_cli(str(recipes / "p.yml"))
        records = org.records("Account", "Name")
    assert run.status == 2, run.output
    assert records == [("Allowed ok",)]
    assert (f"{recipes / 'p.yml'}:14:18 (request.json_file): '../../../../etc/passwd' is outside "
            "the project") in run.stdout


def test_root_widens_the_project_to_a_shared_folder(tmp_path: Path) -> None:
    with standalone_org(tmp_path) as org:
        (tmp_path / "shared").mkdir()
        (tmp_path / "shared" / "names.csv").write_text("Name\nShared One\n")
        recipes = project(tmp_path, {
            "p.yml": (
                "name: Shared data\n" + orgs_block(org) +
                "steps:\n"
                "  - name: Create the shared names\n"
                "    loop: \"{{ lookup('file', '../shared/names.csv') | from_csv }}\"\n"
                "    request:\n"
                "      method: POST\n"
                "      path: /services/data/v60.0/sobjects/Account\n"
                "      json: {Name: \"{{ item.Name }}\"}\n"),
        })
        refused = run_cli(str(recipes / "p.yml"))
        allowed = run_cli(str(recipes / "p.yml"), "--root", str(tmp_path))
        records = org.records("Account", "Name")
    assert refused.status == 4, refused.output
    assert "'../shared/names.csv' is outside the project" in refused.stderr
    assert allowed.status == 0, allowed.output
    assert records == [("Shared One",)]


def test_misspelled_keywords_get_a_did_you_mean_and_check_mode_shows_the_body(
    tmp_path: Path,
) -> None:
    recipes = project(tmp_path, {
        "files/account.json": '{"Name": "Planned {{ org.name }}", "Site": "{{ site }}"}',
        "vars/site.yml": "site: Paris\n",
        "p.yml": ("name: Typos\nvars_files: [vars/site.yml]\nsteps:\n  - name: Create\n"
                  "    request:\n      method: POST\n"
                  "      path: /services/data/v60.0/sobjects/Account\n"
                  "      json_file: account.json\n"),
    })
    typos = {"vars_files:": ("vars_file:", "2:1", "unknown key 'vars_file'; did you mean "
                                                  "'vars_files'?"),
             "json_file:": ("json_fiel:", "8:7", "steps[0].request: unknown key 'json_fiel'; "
                                                 "did you mean 'json_file'?")}
    source = (recipes / "p.yml").read_text()
    for right, (wrong, place, words) in typos.items():
        (recipes / "typo.yml").write_text(source.replace(right, wrong))
        run = run_cli(str(recipes / "typo.yml"))
        assert run.status == 4, run.output
        assert run.stderr.splitlines()[0] == f"{recipes / 'typo.yml'}:{place}: {words}"
    plan = run_cli(str(recipes / "p.yml"), "--check")
    assert plan.status == 0, plan.output
    assert 'json: {"Name": "Planned embedded", "Site": "Paris"}' in plan.stdout


def test_json_and_yaml_files_become_data_for_loops(tmp_path: Path) -> None:
    with standalone_org(tmp_path) as org:
        recipes = project(tmp_path, {
            "data/sites.json": '[{"Name": "Json Site", "Site": "{{ not rendered }}"}]',
            "data/more.yml": "- {Name: Yaml Site, Site: Lyon}\n",
            "p.yml": (
                "name: JSON and YAML data\n" + orgs_block(org) +
                "steps:\n"
                "  - name: Create the sites\n"
                "    loop: \"{{ (lookup('file', 'data/sites.json') | from_json)"
                " + (lookup('file', 'data/more.yml') | from_yaml) }}\"\n"
                "    request:\n"
                "      method: POST\n"
                "      path: /services/data/v60.0/sobjects/Account\n"
                "      json: {Name: \"{{ item.Name }}\", Site: \"{{ item.Site }}\"}\n"),
        })
        run = run_cli(str(recipes / "p.yml"))
        records = org.records("Account", "Name", "Site")
    assert run.status == 0, run.output
    assert records == [("Json Site", "{{ not rendered }}"), ("Yaml Site", "Lyon")]

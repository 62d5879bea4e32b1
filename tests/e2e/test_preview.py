"""``--check`` and ``--list-orgs`` are previews a team can trust: what they show is what a run
would send, rendered the same way, and they never fail on what only a run needs."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli

INVENTORY = """\
vars:
  api: v60.0
orgs:
  acme-prod:
    login_url: "{{ env.EMU_LOGIN_URL }}"
    client_id: "{{ env.ACME_CLIENT_ID }}"
    username: "{{ integration_user }}"
    private_key: certs/server.key
    production: true
    vars: {integration_user: api@acme.com, account_type: Customer - Direct}
  acme-uat:
    emulator: {type: sandbox}
groups:
  production: {orgs: [acme-prod]}
  acme: {orgs: [acme-uat], children: [production]}
"""

PLAYBOOK = """\
name: Onboard a customer
vars:
  account_name: "Acme {{ account_type }} ({{ org.name }})"
steps:
  - name: Create the account
    request:
      method: POST
      path: /services/data/{{ api }}/sobjects/Account
      json: {Name: "{{ account_name }}", Type: "{{ account_type }}", NumberOfEmployees: 250}
    register: created
  - name: Find it
    query: "SELECT Id, Name FROM Account WHERE Name = '{{ account_name }}' AND Type != null"
  - name: Close it
    request:
      method: DELETE
      path: /services/data/{{ api }}/sobjects/Account/{{ created.json.id }}
"""


def project(tmp_path: Path) -> tuple[Path, Path]:
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(INVENTORY)
    playbook = tmp_path / "onboard.yml"
    playbook.write_text(PLAYBOOK)
    return inventory, playbook


def test_check_with_an_unset_variable_shows_everything_else(tmp_path: Path) -> None:
    inventory, playbook = project(tmp_path)
    run = run_cli("-i", str(inventory), str(playbook), "--check",
                  "-e", 'account_type="Customer - Direct"', cwd=tmp_path)
    assert run.status == 0, run.output
    assert run.stderr == ""
    lines = run.stdout.splitlines()
    prod = lines[lines.index("org acme-prod (production: writes refused)"):
                 lines.index("org acme-uat")]
    assert prod[1] == ("  log in: cannot be rendered before the run: undefined variable: "
                       "env.EMU_LOGIN_URL is not set (looked in the environment; no .env file "
                       "at ./.env)")
    assert prod[2:9] == [
        "  1. Create the account: POST /services/data/v60.0/sobjects/Account",
        '       json: {"Name": "Acme Customer - Direct (acme-prod)", '
        '"Type": "Customer - Direct", "NumberOfEmployees": 250}',
        "       REFUSED: production org: add allow_write: true to the step or run with "
        "--allow-writes to send it",
        "  2. Find it: GET /services/data/v60.0/query",
        "       soql: SELECT Id, Name FROM Account WHERE Name = 'Acme Customer - Direct "
        "(acme-prod)' AND Type != null",
        "  3. Close it: DELETE /services/data/v60.0/sobjects/Account/⟨created.json.id⟩",
        "       REFUSED: production org: add allow_write: true to the step or run with "
        "--allow-writes to send it",
    ]
    uat = lines[lines.index("org acme-uat"):]
    assert "REFUSED" not in "\n".join(uat)
    assert '       json: {"Name": "Acme Customer - Direct (acme-uat)", ' in "\n".join(uat)


def test_check_with_allow_writes_and_the_variable_set(tmp_path: Path) -> None:
    inventory, playbook = project(tmp_path)
    (tmp_path / ".env").write_text("EMU_LOGIN_URL=https://acme.my.salesforce.com\n")
    run = run_cli("-i", str(inventory), str(playbook), "--check", "--allow-writes",
                  "-e", "account_type=Prospect", cwd=tmp_path)
    assert run.status == 0, run.output
    assert "org acme-prod (production: writes allowed (--allow-writes))" in run.stdout
    assert ("  log in: POST https://acme.my.salesforce.com/services/oauth2/token (JWT, RS256, "
            "aud https://login.salesforce.com)") in run.stdout
    assert "REFUSED" not in run.stdout
    assert "'Acme Prospect (acme-prod)'" in run.stdout


def test_list_orgs_renders_login_urls_and_shows_groups(tmp_path: Path) -> None:
    inventory, playbook = project(tmp_path)
    listed = run_cli("-i", str(inventory), str(playbook), "--list-orgs", cwd=tmp_path,
                     env={"EMU_LOGIN_URL": "https://acme.my.salesforce.com"})
    assert listed.status == 0, listed.output
    assert listed.stdout.splitlines()[1:] == [
        "  orgs:",
        "    acme-prod  (https://acme.my.salesforce.com)  groups: acme, production  "
        "production: true",
        "    acme-uat  (embedded org)  groups: acme",
    ]
    unset = run_cli("-i", str(inventory), str(playbook), "--list-orgs", "-l", "production",
                    cwd=tmp_path)
    assert unset.status == 0, unset.output
    assert unset.stdout.splitlines()[2] == (
        "    acme-prod  (login_url cannot be rendered: undefined variable: env.EMU_LOGIN_URL is "
        "not set (looked in the environment; no .env file at ./.env))  groups: acme, production  "
        "production: true")

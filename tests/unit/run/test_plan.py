"""``--check``'s plan: every request per org, values only a run knows shown as where they
come from, secrets masked, nothing sent or written."""

from __future__ import annotations

from pathlib import Path

from runner.playbook.scope import RunVars
from runner.run.plan import plan_playbook
from runner.secrets import register
from tests.unit.run.conftest import write_playbook

PLAYBOOK = """\
name: Plan
vars: {api: v60.0}
keys:
  made: {private_key: certs/made.key}
  kept: {private_key: certs/kept.key, generate: never}
orgs:
  uat:
    login_url: https://test.salesforce.com
    client_id: 3MVG9plan
    username: u@example.com
    key: made
  prod:
    login_url: https://login.salesforce.com
    client_id: 3MVG9plan
    username: u@example.com
    key: made
steps:
  - name: Find
    query: SELECT Id FROM Account LIMIT 1
    register: found
  - name: Read
    request:
      path: "/services/data/{{ api }}/sobjects/Account/{{ found.json.records[0].Id }}"
      params: {fields: Name}
  - name: Sandbox only
    request: {method: POST, path: /services/data/, json: {Name: "{{ item }}"}}
    loop: [a, b]
    orgs: [uat]
    when: org.production == false
"""


def test_the_plan_lists_keys_logins_and_requests_per_org(tmp_path: Path) -> None:
    playbook = write_playbook(tmp_path, PLAYBOOK)
    plan = plan_playbook(playbook, playbook.steps, RunVars(playbook.vars, {}, {}))
    assert [(k.name, k.state) for k in plan.keys] == [("made", "would be created"),
                                                      ("kept", "MISSING")]
    uat, prod = plan.orgs
    assert uat.login == ("log in: POST https://test.salesforce.com/services/oauth2/token "
                         "(JWT, RS256, aud https://test.salesforce.com)")
    assert "aud https://login.salesforce.com" in prod.login
    assert [(s.request, s.soql, s.body) for s in uat.steps] == [
        ("GET /services/data/v60.0/query", "SELECT Id FROM Account LIMIT 1", None),
        ("GET /services/data/v60.0/sobjects/Account/⟨found.json.records[0].Id⟩?fields=Name",
         None, None),
        ("POST /services/data/", None, 'json: {"Name": "⟨item⟩"}'),
    ]
    assert uat.steps[2].skipped is None and uat.steps[2].when is None  # decided: it runs
    assert prod.steps[2].skipped == "not for this org"
    assert not (tmp_path / "certs").exists()


def test_an_undefined_value_is_shown_not_raised_and_secrets_stay_masked(
    tmp_path: Path,
) -> None:
    playbook = write_playbook(tmp_path, PLAYBOOK.replace("{{ api }}", "{{ nope }}"))
    plan = plan_playbook(playbook, playbook.steps, RunVars(playbook.vars, {}, {}))
    assert plan.orgs[0].steps[1].problem == "undefined variable: 'nope' is undefined"
    register("plan-secret-value")
    secret = write_playbook(tmp_path, PLAYBOOK.replace("sobjects/Account", "{{ env.API_SECRET }}"))
    masked = plan_playbook(secret, secret.steps,
                           RunVars(secret.vars, {}, {"API_SECRET": "plan-secret-value"}))
    assert "/services/data/v60.0/***/" in masked.orgs[0].steps[1].request

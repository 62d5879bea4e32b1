"""Every place that renders templates sees the same scope: a login, a step, ``--check``,
``--list-orgs`` and ``--doctor``.

One playbook whose org settings and steps read a playbook var that uses an org var
and an ``-e`` value (``who: "{{ user_prefix }}@{{ domain }}"``); each place must
render the same username and login URL for each org.
"""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from rich.console import Console

from runner.cli.doctor import run_doctor
from runner.cli.environment import Environment
from runner.playbook.environ import Environ
from runner.playbook.model import Playbook, load_playbook
from runner.playbook.origins import command_line_layer
from runner.playbook.scope import RunVars
from runner.run import plan
from runner.run.executor import Executor, RunOptions
from runner.run.targets import list_targets
from runner.salesforce import keys

PLAYBOOK = """\
name: places
vars:
  who: "{{ user_prefix }}@{{ domain }}"
  site: "http://{{ host }}"
orgs:
  real:
    login_url: "{{ vars.site }}"
    client_id: "{{ env.PLACES_CLIENT }}"
    username: "{{ vars.who }}"
    private_key: k.key
    insecure_http: true
    vars: {user_prefix: api, host: "127.0.0.1:1"}
  emu:
    emulator: true
    username: "{{ who }}"
    vars: {user_prefix: emu, host: emu.invalid}
steps:
  - name: who
    request: {path: "/services/data/?who={{ who }}&user={{ org.username }}&site={{ site }}"}
"""

EXPECTED = {"real": ("api@acme.com", "http://127.0.0.1:1"),
            "emu": ("emu@acme.com", "http://emu.invalid")}


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Playbook, RunVars]:
    keys.ensure_key_pair(private_key=tmp_path / "k.key", certificate=None)
    (tmp_path / "p.yml").write_text(PLAYBOOK)
    playbook = load_playbook(tmp_path / "p.yml")
    run = RunVars(playbook.vars, command_line_layer({"domain": "acme.com"}),
                  Environ({"PLACES_CLIENT": "3MVG9places"}))
    return playbook, run


def test_a_step_and_the_login_see_the_org_vars_and_extra_vars(
    setup: tuple[Playbook, RunVars],
) -> None:
    playbook, run = setup
    emu_only = Playbook(playbook.path, playbook.name, playbook.vars,
                        playbook.keys, {"emu": playbook.orgs["emu"]}, playbook.steps,
                        playbook.document)
    options = RunOptions(extra_vars=run.extra, env=run.env)
    [org] = Executor(emu_only, options).run().orgs
    assert org.login is not None and org.login.outcome.passed, org.login
    [step] = org.steps
    assert step.exchange is not None
    username, site = EXPECTED["emu"]
    sent = parse_qs(urlsplit(step.exchange.url).query)
    # org.username is what the login registered with the embedded org: the rendered username
    assert sent == {"who": [username], "user": [username], "site": [site]}


def test_check_mode_renders_what_the_run_would(setup: tuple[Playbook, RunVars]) -> None:
    playbook, run = setup
    planned = {org.name: org for org in plan.plan_playbook(playbook, playbook.steps, run).orgs}
    for name, (username, site) in EXPECTED.items():
        [step] = planned[name].steps
        assert step.request == f"GET /services/data/?who={username}&user={username}&site={site}"
    assert planned["real"].login.startswith("log in: POST http://127.0.0.1:1/services/oauth2")


def test_the_listing_renders_what_the_run_would(setup: tuple[Playbook, RunVars]) -> None:
    playbook, run = setup
    targets = {target.name: target.where for target in list_targets(playbook, run, {})}
    assert targets == {"real": EXPECTED["real"][1], "emu": "embedded org"}


def test_the_doctor_renders_what_the_run_would(setup: tuple[Playbook, RunVars]) -> None:
    playbook, run = setup
    out = io.StringIO()
    console = Console(file=out, width=300, no_color=True)
    run_doctor(Environment(console, console), playbook, run)
    text = out.getvalue()
    assert f"org real ({EXPECTED['real'][1]})" in text
    assert '"iss": "3MVG9places", "sub": "api@acme.com"' in text
    assert '"sub": "emu@acme.com"' in text

"""The scope builder: Ansible's precedence, lazy and recursive values, cycles, paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.playbook.environ import load_env
from runner.playbook.inventory import build_inventory, merge_orgs
from runner.playbook.loader import load_text
from runner.playbook.model import Playbook, build_playbook
from runner.playbook.origins import command_line_layer, document_layer
from runner.playbook.scope import MAX_CHARS, MAX_DEPTH, RunVars, VariableError, build_scope
from runner.playbook.templating import render

PLAYBOOK = """\
name: scope
vars:
  derived: "{{ base }}-x"
  base: acme
  tier: from-playbook
  greeting: "hello {{ who }}"
orgs:
  uat:
    login_url: https://test.salesforce.com
    client_id: "{{ env.SCOPE_TEST_CLIENT }}"
    username: "{{ vars.who }}"
    private_key: k.key
    vars: {who: api@acme.com, tier: from-org, region: "{{ tier }}-eu"}
steps:
  - {name: s, request: {path: /}}
"""


def run_vars(extra: dict[str, object] | None = None, **env: str) -> tuple[RunVars, Playbook]:
    playbook = build_playbook(load_text(PLAYBOOK, "p.yml"))
    return RunVars(playbook.vars, command_line_layer(extra or {}), env), playbook


def test_variables_that_use_variables_render_in_any_order() -> None:
    run, playbook = run_vars()
    scope = build_scope(run, playbook.orgs["uat"])
    assert render("{{ derived }}", scope) == "acme-x"
    assert render("{{ vars.derived }}/{{ vars['greeting'] }}", scope) == (
        "acme-x/hello api@acme.com")


def test_precedence_is_ansibles_org_then_playbook_then_registered_then_extra_vars() -> None:
    run, playbook = run_vars({"base": "cli"})
    org = playbook.orgs["uat"]
    scope = build_scope(run, org, registered={"tier": "registered"})
    assert scope["tier"] == "registered"  # the playbook's beats the org's; registered beats both
    assert build_scope(run, org)["tier"] == "from-playbook"
    assert scope["derived"] == "cli-x"  # -e wins over the playbook's base
    assert scope["region"] == "registered-eu"  # an org var reads the winning value
    extra = command_line_layer({"tier": "cli"})
    assert build_scope(RunVars(run.playbook, extra), org, registered={"tier": "r"})["tier"] == "cli"


def test_org_settings_render_in_the_same_scope_as_steps() -> None:
    run, playbook = run_vars(SCOPE_TEST_CLIENT="3MVG9")
    scope = build_scope(run, playbook.orgs["uat"])
    assert scope.org["username"] == "api@acme.com"
    assert scope.org["client_id"] == "3MVG9"
    assert render("{{ org.name }} {{ org.api_version }}", scope) == "uat v60.0"


def test_registered_values_env_and_items_are_data_never_rendered() -> None:
    run, playbook = run_vars(INJECTED="{{ base }}")
    scope = build_scope(run, playbook.orgs["uat"],
                        registered={"got": {"Name": "{{ base }}"}}, local={"item": "{{ base }}"})
    assert render("{{ got.Name }}|{{ env.INJECTED }}|{{ item }}", scope) == (
        "{{ base }}|{{ base }}|{{ base }}")


def test_an_unused_variable_that_cannot_render_does_no_harm() -> None:
    layer = document_layer(load_text("broken: '{{ nowhere }}'\nfine: 1\n", "v.yml"), {
        "broken": "{{ nowhere }}", "fine": 1})
    scope = build_scope(RunVars(layer))
    assert render("{{ fine }}", scope) == 1
    with pytest.raises(VariableError, match=r"^broken \(v.yml:1:1\): undefined variable"):
        render("{{ broken }}", scope)


def test_a_cycle_names_its_chain_and_where_each_link_is_written() -> None:
    text = "a: '{{ b }}'\nb: 'x{{ vars.a }}'\n"
    document = load_text(text, "c.yml")
    scope = build_scope(RunVars(document_layer(document, document.data)))
    with pytest.raises(VariableError) as caught:
        render("{{ a }}", scope)
    assert caught.value.message == "variables form a cycle: a (c.yml:1:1) → b (c.yml:2:1) → a"


def test_nesting_is_bounded() -> None:
    chain = {f"v{n}": f"{{{{ v{n + 1} }}}}" for n in range(MAX_DEPTH + 5)}
    chain[f"v{MAX_DEPTH + 5}"] = "end"
    scope = build_scope(RunVars(command_line_layer(chain)))
    with pytest.raises(VariableError, match=f"nest deeper than {MAX_DEPTH} levels"):
        render("{{ v0 }}", scope)
    assert render(f"{{{{ v{MAX_DEPTH} }}}}", scope) == "end"


def test_values_that_double_at_each_level_are_stopped_early() -> None:
    doubling = {"v0": "x" * 1000, **{f"v{n}": f"{{{{ v{n - 1} }}}}{{{{ v{n - 1} }}}}"
                                   for n in range(1, 31)}}
    scope = build_scope(RunVars(command_line_layer(doubling)))
    assert len(render("{{ v9 }}", scope)) == 1000 * 2 ** 9
    with pytest.raises(VariableError, match=f"v10 \\(-e\\) renders to more than "
                                            f"{MAX_CHARS:,} characters"):
        render("{{ v30 }}", scope)


def test_a_relative_path_resolves_against_the_file_that_holds_its_text(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / ".env").write_text("KEY_FILE=env-certs/k.key\n")
    inventory = build_inventory(load_text(
        "vars: {inv_key: inv-certs/k.key}\norgs:\n  o: {emulator: true}\n",
        str(tmp_path / "inv" / "inventory.yml")))
    playbook = build_playbook(load_text(
        "name: p\nvars: {book_key: book-certs/k.key, nested: '{{ inv_key }}'}\n"
        "steps: [{name: s, request: {path: /}}]\n", str(tmp_path / "proj" / "p.yml")))
    extra = document_layer(load_text("ci_key: ci-certs/k.key\n", str(tmp_path / "ci" / "x.yml")),
                           {"ci_key": "ci-certs/k.key"})
    extra.update(command_line_layer({"cli_key": "cli-certs/k.key"}))
    run = RunVars(playbook.vars, extra, load_env(tmp_path / "proj"))
    org = merge_orgs(playbook.orgs, inventory)["o"]
    scope = build_scope(run, org)
    here = tmp_path / "proj"
    assert scope.path("plain/k.key", here) == here / "plain/k.key"
    assert scope.path("{{ book_key }}", here) == tmp_path / "proj" / "book-certs/k.key"
    assert scope.path("{{ vars.inv_key }}", here) == tmp_path / "inv" / "inv-certs/k.key"
    assert scope.path("{{ nested }}", here) == tmp_path / "inv" / "inv-certs/k.key"
    assert scope.path("{{ ci_key }}", here) == tmp_path / "ci" / "ci-certs/k.key"
    assert scope.path("{{ cli_key }}", here) == Path("cli-certs/k.key")
    assert scope.path("{{ env.KEY_FILE }}", here) == tmp_path / "proj" / "env-certs/k.key"
    assert scope.path("/abs/k.key", here) == Path("/abs/k.key")

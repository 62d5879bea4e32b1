"""An org's settings become credentials: templates rendered, the key picked, emulated orgs
registered with the embedded org, passphrases read from the run's own environment."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from runner.context import RunContext, activate
from runner.errors import KeyMaterialError, PlaybookError
from runner.playbook.scope import RunVars, build_scope
from runner.run.embedded import EmbeddedOrgs
from runner.run.orgs import KeyFiles, PreparedOrg, key_pair_for, passphrase_from_env, prepare_org
from runner.salesforce.auth import SANDBOX_AUDIENCE
from runner.salesforce.keys import ephemeral_key_pair
from runner.secrets import SecretRegistry
from tests.unit.run.conftest import write_playbook

PLAYBOOK = """\
name: Orgs
vars: {who: api.user@acme.com}
orgs:
  uat:
    login_url: https://test.salesforce.com
    client_id: "{{ env.UAT_CLIENT_ID }}"
    username: "{{ vars.who }}"
    private_key: server.key
  sandbox:
    emulator: {type: sandbox}
  broken:
    login_url: https://login.salesforce.com
    client_id: "{{ env.MISSING_ID }}"
    username: u
    private_key: server.key
steps:
  - {name: Versions, request: {path: /services/data/}}
"""


def prepared(tmp_path: Path, name: str, embedded: EmbeddedOrgs) -> PreparedOrg:
    playbook = write_playbook(tmp_path, PLAYBOOK)
    spec = playbook.orgs[name]
    run = RunVars(playbook.vars, {}, {"UAT_CLIENT_ID": "3MVG9fromEnv"})
    scope = build_scope(run, spec)
    pair = key_pair_for(spec, {}, scope)
    return prepare_org(spec, key_pair=pair, scope=scope, embedded=embedded)


def test_a_real_org_renders_its_fields_from_env_and_vars(tmp_path: Path) -> None:
    embedded = EmbeddedOrgs()
    org = prepared(tmp_path, "uat", embedded)
    assert (org.credentials.client_id, org.credentials.username) == (
        "3MVG9fromEnv", "api.user@acme.com")
    assert org.variables["api_version"] == "v60.0" and org.variables["emulated"] is False
    assert org.key_pair.private_key.key_size >= 2048


def test_an_emulated_sandbox_is_registered_and_gets_the_sandbox_audience(tmp_path: Path) -> None:
    embedded = EmbeddedOrgs()
    try:
        org = prepared(tmp_path, "sandbox", embedded)
        assert org.credentials.login_url.startswith("http://127.0.0.1:")
        assert org.credentials.audience == SANDBOX_AUDIENCE
        assert org.key_pair is ephemeral_key_pair()
    finally:
        embedded.stop()


def test_an_undefined_variable_names_the_org_field_and_its_position(tmp_path: Path) -> None:
    with pytest.raises(PlaybookError) as raised:
        prepared(tmp_path, "broken", EmbeddedOrgs())
    assert raised.value.message.startswith("orgs.broken.client_id: ")
    assert raised.value.position is not None and raised.value.position.line == 11


def test_a_key_that_was_not_prepared_is_an_error(tmp_path: Path) -> None:
    playbook = write_playbook(tmp_path, PLAYBOOK)
    spec = replace(playbook.orgs["uat"], key="main", private_key=None)
    with pytest.raises(KeyMaterialError, match="'main' was not prepared"):
        key_pair_for(spec, {}, build_scope(RunVars(), spec))


def test_a_passphrase_comes_from_the_runs_environment_and_becomes_its_secret() -> None:
    registry = SecretRegistry()
    with activate(RunContext({"KEY_PASS": "correct horse"}, Path("."), registry)):
        assert passphrase_from_env("KEY_PASS") == b"correct horse"
        with pytest.raises(KeyMaterialError) as raised:
            passphrase_from_env("OTHER_PASS")
    assert "correct horse" in registry
    assert raised.value.hint == "export OTHER_PASS=... before running"
    assert passphrase_from_env(None) is None


def test_orgs_naming_the_same_key_file_share_one_load_and_a_broken_one_fails_each(
    tmp_path: Path,
) -> None:
    playbook = write_playbook(tmp_path, PLAYBOOK)
    run = RunVars(playbook.vars, {}, {"UAT_CLIENT_ID": "3MVG9fromEnv"})
    files = KeyFiles()
    uat, broken = (key_pair_for(playbook.orgs[name], {}, build_scope(run, playbook.orgs[name]),
                                files) for name in ("uat", "broken"))
    assert uat is broken and uat.private_key.key_size >= 2048
    assert key_pair_for(playbook.orgs["uat"], {}, build_scope(run, playbook.orgs["uat"]),
                        KeyFiles()) is not uat  # another run loads its own
    for _ in range(2):  # a failed load is not kept: every org naming it reports it
        with pytest.raises(KeyMaterialError):
            files.load(tmp_path / "other.key", None, None)

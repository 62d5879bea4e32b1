"""Tests for runner.playbook.inventory and schemas/inventory.schema.json."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runner.errors import PlaybookError, Position, UsageError
from runner.playbook.inventory import (
    GroupSpec,
    Inventory,
    build_inventory,
    group_members,
    load_inventory,
    merge_orgs,
    select_orgs,
)
from runner.playbook.loader import load_text
from runner.playbook.model import IMPLICIT_ORG, OrgSpec, build_playbook
from runner.playbook.origins import values_of
from runner.playbook.schema import validate

INVENTORY = """\
# yaml-language-server: $schema=../schemas/inventory.schema.json
vars: {tier: any, region: us}
orgs:
  uat:
    login_url: https://test.salesforce.com
    client_id: "{{ env.UAT_ID }}"
    username: api@acme.com.uat
    private_key: certs/uat.key
    certificate: /abs/uat.crt
    vars: {tier: uat}
  qa:
    emulator: {certificate: certs/qa.crt}
  prod:
    login_url: https://login.salesforce.com
    client_id: c
    username: api@acme.com
    key: main
    production: true
groups:
  sandboxes:
    orgs: [uat, qa]
    vars: {tier: sandbox, pct: 20}
  all_orgs:
    orgs: [prod]
    children: [sandboxes]
    vars: {pct: 10, owner: ops}
"""


def write(tmp_path: Path, text: str, name: str = "inventory.yml") -> Path:
    target = tmp_path / name
    target.write_text(text)
    return target


@pytest.fixture
def inventory(tmp_path: Path) -> Inventory:
    return load_inventory(write(tmp_path, INVENTORY))


def test_load(inventory: Inventory, tmp_path: Path) -> None:
    assert list(inventory.orgs) == ["uat", "qa", "prod"]
    assert values_of(inventory.vars) == {"tier": "any", "region": "us"}
    uat = inventory.orgs["uat"]
    assert uat.private_key == "certs/uat.key"  # resolved against base_dir when used
    assert uat.base_dir == tmp_path
    assert uat.certificate == "/abs/uat.crt"
    assert uat.client_id == "{{ env.UAT_ID }}"
    assert uat.position == Position(str(tmp_path / "inventory.yml"), 4, 3)
    assert inventory.orgs["qa"].emulator == {"certificate": "certs/qa.crt"}
    assert inventory.orgs["prod"].production
    group = inventory.groups["all_orgs"]
    assert (group.orgs, group.children) == (("prod",), ("sandboxes",))
    assert values_of(group.vars) == {"pct": 10, "owner": "ops"}
    assert group.position == Position(str(tmp_path / "inventory.yml"), 23, 3)
    assert str(group.vars["owner"].origin) == f"{tmp_path / 'inventory.yml'}:26:21"


def test_group_members_are_transitive(inventory: Inventory) -> None:
    assert group_members(inventory.groups, "all_orgs") == ["prod", "uat", "qa"]
    assert group_members(inventory.groups, "sandboxes") == ["uat", "qa"]


def playbook_orgs(text: str = "") -> dict[str, OrgSpec]:
    body = "name: x\nkeys:\n  main: {private_key: k}\n" + text
    body += "steps:\n  - name: s\n    assert: '1'\n"
    return dict(build_playbook(load_text(body)).orgs)


def test_merge_drops_implicit_org_and_layers_vars(inventory: Inventory) -> None:
    merged = merge_orgs(playbook_orgs(), inventory, keys=["main"])
    assert IMPLICIT_ORG not in merged
    assert list(merged) == ["uat", "qa", "prod"]
    common = {"region": "us", "owner": "ops"}
    assert values_of(merged["uat"].vars) == {"tier": "uat", "pct": 20, **common}
    assert values_of(merged["qa"].vars) == {"tier": "sandbox", "pct": 20, **common}
    assert values_of(merged["prod"].vars) == {"tier": "any", "pct": 10, **common}


def test_inventory_org_replaces_playbook_org(tmp_path: Path) -> None:
    inventory = load_inventory(write(tmp_path, "orgs:\n  uat: {emulator: true}\n"))
    mine = playbook_orgs(
        "orgs:\n  uat:\n    login_url: https://x\n    client_id: c\n    username: u\n"
        "    key: main\n    vars: {a: 1}\n  dev: {emulator: true}\n"
    )
    merged = merge_orgs(mine, inventory)
    assert list(merged) == ["uat", "dev"]
    assert merged["uat"].is_emulated and merged["uat"].key is None
    assert values_of(merged["uat"].vars) == {}


def test_inventory_without_orgs_keeps_implicit_org(tmp_path: Path) -> None:
    text = "groups:\n  all: {orgs: [embedded], vars: {a: 1}}\n"
    inventory = load_inventory(write(tmp_path, text))
    merged = merge_orgs(playbook_orgs(), inventory)
    assert list(merged) == [IMPLICIT_ORG]
    assert values_of(merged[IMPLICIT_ORG].vars) == {"a": 1}


def test_group_naming_unknown_org(tmp_path: Path) -> None:
    inventory = load_inventory(write(tmp_path, "orgs:\n  uat: {emulator: true}\n"
                                               "groups:\n  g: {orgs: [uta]}\n"))
    with pytest.raises(PlaybookError) as caught:
        merge_orgs({}, inventory)
    assert caught.value.message == "groups.g.orgs: no org named 'uta'; did you mean 'uat'?"
    assert caught.value.position is not None and caught.value.position.line == 4


def test_inventory_key_must_be_a_playbook_key(inventory: Inventory) -> None:
    with pytest.raises(PlaybookError) as caught:
        merge_orgs({}, inventory, keys=["other"])
    assert "orgs.prod.key: the playbook has no key named 'main'" in caught.value.message
    assert caught.value.position is not None and caught.value.position.line == 17


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("orgs:\n  uat: {emulator: true}\ngroups:\n  g: {children: [h]}\n", 4,
         "groups.g.children: no group named 'h'"),
        ("groups:\n  a: {children: [b]}\n  b: {children: [a]}\n", 2,
         "children form a cycle: a -> b -> a"),
        ("orgs:\n  uat: {emulator: true}\ngrops: {}\n", 3,
         "unknown key 'grops'; did you mean 'groups'?"),
        ("orgs:\n  uat:\n    login_url: https://x\n", 2,
         "orgs.uat: missing required key 'client_id' for a real org"),
        ("groups:\n  g: {org: [a]}\n", 2, "unknown key 'org'; did you mean 'orgs'?"),
        ("groups:\n  g: {vars: {1a: 2}}\n", 2, "'1a' is not a valid identifier"),
    ],
)
def test_invalid_inventories(tmp_path: Path, text: str, line: int, message: str) -> None:
    with pytest.raises(PlaybookError) as caught:
        load_inventory(write(tmp_path, text))
    assert message in caught.value.message
    assert caught.value.position is not None and caught.value.position.line == line


def test_hostile_inventory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlaybookError, match="duplicate key"):
        load_inventory(write(tmp_path, "orgs: {}\norgs: {}\n"))
    with pytest.raises(PlaybookError, match="unsupported YAML tag"):
        load_inventory(write(tmp_path, "orgs: !!python/object/apply:os.system [id]\n"))


# --- select_orgs ------------------------------------------------------------------

NAMES = ["uat", "qa", "prod", "dev-1", "dev-2"]
GROUPS = {
    "sandboxes": GroupSpec("sandboxes", ("uat", "qa"), ("devs",), {}),
    "devs": GroupSpec("devs", ("dev-1", "dev-2"), (), {}),
}


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (None, NAMES),
        ("", NAMES),
        ("prod", ["prod"]),
        ("qa,uat", ["uat", "qa"]),
        ("devs", ["dev-1", "dev-2"]),
        ("sandboxes", ["uat", "qa", "dev-1", "dev-2"]),
        ("dev-*", ["dev-1", "dev-2"]),
        ("sand*", ["uat", "qa", "dev-1", "dev-2"]),
        ("sandboxes,!devs", ["uat", "qa"]),
        ("!prod", ["uat", "qa", "dev-1", "dev-2"]),
        ("!dev-*, !qa", ["uat", "prod"]),
        (" prod , uat ", ["uat", "prod"]),
    ],
)
def test_select_orgs(limit: str | None, expected: list[str]) -> None:
    assert select_orgs(NAMES, GROUPS, limit) == expected


def test_select_orgs_accepts_a_mapping_of_orgs() -> None:
    orgs = {name: OrgSpec(name, emulator={}) for name in NAMES}
    assert select_orgs(orgs, {}, "qa") == ["qa"]


def test_select_unknown_name_suggests() -> None:
    with pytest.raises(UsageError) as caught:
        select_orgs(NAMES, GROUPS, "prdo")
    assert caught.value.message == "--limit: no org or group named 'prdo'; did you mean 'prod'?"
    assert caught.value.hint is not None and "groups: sandboxes, devs" in caught.value.hint


def test_select_unknown_exclusion_and_unmatched_glob() -> None:
    with pytest.raises(UsageError, match="no org or group named 'sandbox'"):
        select_orgs(NAMES, GROUPS, "!sandbox")
    with pytest.raises(UsageError, match="no org or group matches 'zz\\*'"):
        select_orgs(NAMES, GROUPS, "zz*")


def test_select_nothing_left() -> None:
    with pytest.raises(UsageError, match="selects no org"):
        select_orgs(NAMES, GROUPS, "prod,!prod")


def test_select_empty_exclusion() -> None:
    with pytest.raises(UsageError, match="empty pattern"):
        select_orgs(NAMES, GROUPS, "!")


@settings(max_examples=100, deadline=None)
@given(
    start=st.integers(0, len(INVENTORY)),
    length=st.integers(0, 30),
    noise=st.text(alphabet="{}[]:,-'\"&*!|#\n %uqa", max_size=10),
    limit=st.text(alphabet="!,*?[]uatqprodsbxe- ", max_size=12),
)
def test_mutated_inventories_and_limits_fail_only_as_user_errors(
    start: int, length: int, noise: str, limit: str
) -> None:
    try:
        document = load_text(INVENTORY[:start] + noise + INVENTORY[start + length :], "inv.yml")
        validate(document, "inventory")
        inventory = build_inventory(document)
        orgs = merge_orgs(playbook_orgs(), inventory, keys=["main"])
        assert set(select_orgs(orgs, inventory.groups, limit)) <= set(orgs)
    except (PlaybookError, UsageError) as error:
        assert error.message

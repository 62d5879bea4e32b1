"""The registry of orgs, users and apps: lookups, uniqueness, API usage, app assignment."""

from __future__ import annotations

import pytest

from runner.emulator import ids
from runner.emulator.config import EmulatorConfigError, org_config
from runner.emulator.directory import Directory, OrgState


def _add(directory: Directory, options: dict[str, object]) -> OrgState:
    cfg = org_config(options, default_name=str(options.get("name", "x")))
    return directory.add(cfg, ids.new_id("00D"), {u.username: ids.new_id("005") for u in cfg.users})


def test_lookups_by_org_id_prefix_username_and_client_id() -> None:
    directory = Directory()
    org = _add(directory, {"name": "a", "client_id": "CK", "username": "Ann@A.test"})
    assert directory.org(org.org_id) is org and directory.org(org.org_id[:15]) is org
    assert directory.org("00D000000000000AAA") is None
    found = directory.user("ann@a.TEST")
    assert found is not None and found[0] is org and found[1].username == "Ann@A.test"
    assert [o for o, _ in directory.apps("CK")] == [org] and directory.apps("nope") == []


def test_same_consumer_key_in_two_orgs() -> None:
    directory = Directory()
    a = _add(directory, {"name": "a", "client_id": "shared"})
    b = _add(directory, {"name": "b", "client_id": "shared"})
    assert [o for o, _ in directory.apps("shared")] == [a, b]


def test_usernames_are_unique_across_orgs() -> None:
    directory = Directory()
    _add(directory, {"name": "a", "username": "u@x.test"})
    with pytest.raises(EmulatorConfigError, match="unique across all orgs"):
        _add(directory, {"name": "b", "users": [{"username": "U@X.test"}]})


def test_api_usage_stops_at_the_limit() -> None:
    org = _add(Directory(), {"name": "a", "daily_api_limit": 2})
    assert [org.count_api_call() for _ in range(3)] == [(1, 2, True), (2, 2, True), (2, 2, False)]
    assert org.usage() == (2, 2)


def test_app_assignment_by_flag_or_by_list() -> None:
    org = _add(
        Directory(),
        {
            "name": "a",
            "username": "main@x.test",
            "users": [{"username": "off@x.test", "pre_authorized": False}],
            "connected_apps": [{"client_id": "second", "pre_authorized_users": ["off@x.test"]}],
        },
    )
    main, off = org.users["main@x.test"], org.users["off@x.test"]
    default_app, second = org.config.apps
    assert org.is_pre_authorized(default_app, main) and not org.is_pre_authorized(default_app, off)
    assert org.is_pre_authorized(second, off) and not org.is_pre_authorized(second, main)

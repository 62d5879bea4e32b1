"""Profiles and ``User.ProfileId``, as ``sf org list users`` and ``sf org display user`` ask."""

from __future__ import annotations

from runner.emulator import Emulator

from .conftest import Client, V, error_code


def _query(client: Client, soql: str) -> list[dict]:
    status, _, body = client.call("GET", f"{V}/query", params={"q": soql})
    assert status == 200, body
    records: list[dict] = body["records"]
    return records


def test_list_users_queries_join_on_profile_ids(emu: Emulator, client: Client) -> None:
    users = _query(client, "SELECT username, profileid, id FROM User")
    profiles = {p["Id"]: p["Name"] for p in _query(client, "SELECT id, name FROM Profile")}
    assert {u["Username"]: profiles[u["ProfileId"]] for u in users} == {
        emu.orgs[0].username: "System Administrator"
    }
    assert {"Standard User", "Read Only"} <= set(profiles.values())


def test_display_user_semi_join(emu: Emulator, client: Client) -> None:
    username = emu.orgs[0].username
    soql = (
        "SELECT name FROM Profile WHERE Id IN "
        f"(SELECT ProfileId FROM User WHERE username='{username}')"
    )
    assert [r["Name"] for r in _query(client, soql)] == ["System Administrator"]


def test_profiles_are_read_only_and_users_need_one(client: Client) -> None:
    created = client.call("POST", f"{V}/sobjects/Profile", {"Name": "Mine"})
    assert error_code(created) == (400, "INVALID_TYPE_FOR_OPERATION")
    user = {"Username": "p@x.test", "LastName": "P", "Email": "p@x.test", "Alias": "p"}
    status, _, body = client.call("POST", f"{V}/sobjects/User", user)
    assert (status, body[0]["errorCode"], body[0]["fields"]) == (
        400,
        "REQUIRED_FIELD_MISSING",
        ["ProfileId"],
    )

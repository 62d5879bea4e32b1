"""userinfo and the identity URL: 200 for a live token, 403 plain-text words otherwise."""

from __future__ import annotations

import json

import pytest

from runner.emulator import Emulator
from runner.emulator.messages import Request

from .conftest import Client


def _get(emu: Emulator, path: str, headers: dict[str, str]) -> tuple[int, str, str]:
    response = emu.handle(Request("GET", path, "", headers))
    return response.status, response.headers.get("Content-Type", ""), response.body.decode()


def test_userinfo_with_a_live_token(emu: Emulator, client: Client) -> None:
    org = emu.orgs[0]
    status, kind, text = _get(
        emu, "/services/oauth2/userinfo", {"Authorization": f"Bearer {client.token}"}
    )
    body = json.loads(text)
    assert status == 200 and kind.startswith("application/json")
    assert body["preferred_username"] == org.username
    assert (body["organization_id"], body["user_id"]) == (org.org_id, org.user_id)
    assert body["sub"] == f"http://127.0.0.1:9/id/{org.org_id}/{org.user_id}"


def test_userinfo_takes_the_token_as_a_parameter(emu: Emulator, client: Client) -> None:
    response = emu.handle(
        Request("GET", "/services/oauth2/userinfo", f"oauth_token={client.token}")
    )
    assert response.status == 200


@pytest.mark.parametrize(
    ("headers", "word"),
    [
        ({}, "Missing_OAuth_Token"),
        ({"Authorization": "Bearer 00D000000000001!nope"}, "Bad_OAuth_Token"),
    ],
)
def test_userinfo_refuses_with_403_plain_text(
    emu: Emulator, headers: dict[str, str], word: str
) -> None:
    status, kind, text = _get(emu, "/services/oauth2/userinfo", headers)
    assert (status, text) == (403, word) and kind.startswith("text/plain")


def test_identity_url(emu: Emulator, client: Client) -> None:
    org = emu.orgs[0]
    auth = {"Authorization": f"Bearer {client.token}"}
    status, _, text = _get(emu, f"/id/{org.org_id}/{org.user_id}", auth)
    assert status == 200 and json.loads(text)["username"] == org.username
    assert _get(emu, f"/id/00D000000000001AAA/{org.user_id}", auth)[::2] == (403, "Wrong_Org")
    other_user = "005000000000001AAA"
    assert _get(emu, f"/id/{org.org_id}/{other_user}", auth)[::2] == (403, "Bad_Id")


def test_expired_session_is_a_bad_token(emu: Emulator, client: Client) -> None:
    session = emu.sessions.lookup(client.token)
    assert session is not None
    session.last_used -= 7201
    auth = {"Authorization": f"Bearer {client.token}"}
    assert _get(emu, "/services/oauth2/userinfo", auth)[::2] == (403, "Bad_OAuth_Token")

"""``/services/oauth2/singleaccess`` and the one-time front-door URL it hands out."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from runner.emulator import Emulator
from runner.emulator.messages import Request

from .conftest import Client


def _singleaccess(emu: Emulator, token: str, method: str = "GET", **kw: str) -> tuple[int, bytes]:
    if method == "GET":
        request = Request("GET", "/services/oauth2/singleaccess",
                          "&".join(f"{k}={v}" for k, v in kw.items()),
                          {"Authorization": f"Bearer {token}"})  # fmt: skip
    else:
        body = "&".join(f"{k}={v}" for k, v in {"access_token": token, **kw}.items())
        request = Request("POST", "/services/oauth2/singleaccess", "",
                          {"Content-Type": "application/x-www-form-urlencoded"},
                          body.encode())  # fmt: skip
    response = emu.handle(request)
    return response.status, response.body


def test_a_live_token_gets_a_one_time_url(emu: Emulator, client: Client) -> None:
    status, body = _singleaccess(emu, client.token, redirect_uri="%2Flightning%2Fsetup")
    assert status == 200
    uri = urlsplit(json.loads(body)["frontdoor_uri"])
    assert f"{uri.scheme}://{uri.netloc}" == emu.base_url and uri.path == "/secur/frontdoor.jsp"
    query = parse_qs(uri.query)
    assert query["startURL"] == ["/lightning/setup"] and query["otp"] and query["cshc"]
    page = emu.handle(Request("GET", uri.path, uri.query))
    assert page.status == 200 and b"acme" in page.body and b"/lightning/setup" in page.body
    assert emu.handle(Request("GET", uri.path, uri.query)).status == 401


def test_post_with_the_token_in_the_form(emu: Emulator, client: Client) -> None:
    status, body = _singleaccess(emu, client.token, method="POST")
    assert status == 200 and "otp=" in json.loads(body)["frontdoor_uri"]


def test_bad_tokens_get_403(emu: Emulator) -> None:
    assert _singleaccess(emu, "00Dnot!valid") == (403, b"Bad_OAuth_Token")
    response = emu.handle(Request("GET", "/services/oauth2/singleaccess"))
    assert (response.status, response.body) == (403, b"Missing_OAuth_Token")

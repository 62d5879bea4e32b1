"""A run's embedded orgs live in one process of the run's own: every org of the run on its
port, a new process (and port) per run, refused options reported as an invalid playbook,
and the port closed once the run stops it."""

from __future__ import annotations

import socket
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from runner.run.embedded import AHEAD, EmbeddedOrgs, InvalidEmbeddedOrg
from runner.salesforce.keys import ephemeral_key_pair
from tests.unit.run.conftest import write_playbook

PLAYBOOK = """\
name: Embedded
orgs:
  first:
    emulator: {type: sandbox, latency_ms: 0}
  second:
    emulator: {username: second@example.com}
  odd:
    emulator:
      certificate: missing.crt
steps:
  - {name: Versions, request: {path: /services/data/}}
"""


def _port(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None
    return port


def _refuses(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_the_orgs_of_a_run_share_one_process_and_each_run_has_its_own(tmp_path: Path) -> None:
    playbook = write_playbook(tmp_path, PLAYBOOK)
    pem = ephemeral_key_pair().certificate_pem()
    one, two = EmbeddedOrgs(), EmbeddedOrgs()
    try:
        first = one.register(playbook.orgs["first"], {"type": "sandbox"}, pem)
        second = one.register(playbook.orgs["second"], {"username": "second@example.com"}, pem)
        other = two.register(playbook.orgs["first"], {}, pem)
        assert first.login_url == second.login_url == first.instance_url
        assert (first.type, second.type, other.type) == ("sandbox", "production", "production")
        assert second.username == "second@example.com" and first.org_id != second.org_id
        assert other.login_url != first.login_url
        versions = requests.get(first.login_url + "/services/data/", timeout=10)
        assert versions.status_code == 200 and versions.json()[-1]["url"].startswith("/services")
    finally:
        one.stop()
        two.stop()
    assert _refuses(_port(first.login_url)) and _refuses(_port(other.login_url))


def test_options_the_embedded_org_refuses_make_an_invalid_playbook(tmp_path: Path) -> None:
    playbook = write_playbook(tmp_path, PLAYBOOK)
    embedded = EmbeddedOrgs()
    try:
        with pytest.raises(InvalidEmbeddedOrg) as raised:
            embedded.register(playbook.orgs["odd"], {"certificate": "missing.crt"},
                              ephemeral_key_pair().certificate_pem())
        assert "missing.crt" in raised.value.message, raised.value.message
        assert raised.value.position == playbook.orgs["odd"].position
        # the process is still there for the orgs that are fine
        org = embedded.register(playbook.orgs["second"], {}, ephemeral_key_pair().certificate_pem())
        assert requests.get(org.login_url + "/services/data/", timeout=10).status_code == 200
    finally:
        embedded.stop()


def test_a_process_started_and_never_used_stops_too() -> None:
    embedded = EmbeddedOrgs()
    embedded.start()
    embedded.stop()
    embedded.stop()  # twice is harmless


def test_many_orgs_are_added_in_one_go_and_the_first_refused_one_is_named(
    tmp_path: Path,
) -> None:
    """More orgs than may be on their way at once, all served; then a batch whose second
    org is refused: the error names that org, and the process is still stopped cleanly."""
    playbook = write_playbook(tmp_path, PLAYBOOK)
    pem = ephemeral_key_pair().certificate_pem()
    spec = playbook.orgs["second"]
    many = [(replace(spec, name=f"org{n:02d}"), {"username": f"u{n}@example.com"}, pem)
            for n in range(AHEAD * 2 + 3)]
    embedded = EmbeddedOrgs()
    try:
        served = embedded.register_many(many)
        assert [name for name in served] == [each[0].name for each in many]
        assert {org.username for org in served.values()  # type: ignore[union-attr]
                } == {f"u{n}@example.com" for n in range(len(many))}
        fresh = replace(spec, name="fresh")
        refused = [(fresh, {"username": "fresh@example.com"}, pem),
                   (playbook.orgs["odd"], {"certificate": "missing.crt"}, pem),
                   (replace(spec, name="later"), {"username": "later@example.com"}, pem)]
        with pytest.raises(InvalidEmbeddedOrg, match="odd") as caught:
            embedded.register_many(refused)
        assert caught.value.position == playbook.orgs["odd"].position
    finally:
        embedded.stop()

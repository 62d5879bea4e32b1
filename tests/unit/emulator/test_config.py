"""Org options: validation against the schema, defaults, certificates, config files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.emulator.config import (
    EmulatorConfigError,
    load_config_file,
    load_schema,
    org_config,
)


def test_defaults() -> None:
    cfg = org_config({}, default_name="acme")
    assert cfg.name == "acme" and cfg.type == "production"
    assert cfg.username == "integration@acme.example.com"
    assert cfg.client_id.startswith("3MVG9") and len(cfg.client_id) == 85
    assert (cfg.session_timeout_s, cfg.daily_api_limit, cfg.latency_ms) == (7200, 15000, 0)
    assert cfg.sample_data is True
    assert cfg.apps[0].public_keys == ()


def test_seeded_client_id_is_reproducible() -> None:
    a = org_config({"random_seed": 3}, default_name="x").client_id
    b = org_config({"random_seed": 3}, default_name="x").client_id
    assert a == b


def test_certificate_pem_and_path(tmp_path: Path, key_pair: tuple[str, str]) -> None:
    (tmp_path / "server.crt").write_text(key_pair[1])
    cfg = org_config({"certificate": "server.crt"}, base_dir=tmp_path)
    assert len(cfg.apps[0].public_keys) == 1
    assert len(org_config({"certificate_pem": key_pair[1]}).apps[0].public_keys) == 1


def test_unreadable_or_bad_certificate(tmp_path: Path) -> None:
    with pytest.raises(EmulatorConfigError, match="cannot read"):
        org_config({"certificate": str(tmp_path / "missing.crt")})
    (tmp_path / "bad.crt").write_text(
        "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n"
    )
    with pytest.raises(EmulatorConfigError, match=r"not an X\.509 certificate"):
        org_config({"certificate": str(tmp_path / "bad.crt")})


@pytest.mark.parametrize(
    ("options", "where", "text"),
    [
        ({"latency": 5}, "emulator", "Additional properties"),
        ({"type": "scratch"}, "emulator: type", "is not one of"),
        ({"faults": [{"path": "/x"}]}, "emulator: faults[0]", ""),
        ({"faults": [{"status": 503, "rate": 2}]}, "emulator: faults[0].rate", "greater than"),
        ({"users": [{"active": False}]}, "emulator: users[0]", "'username' is a required property"),
    ],
)
def test_invalid_options_name_the_place(options: dict[str, object], where: str, text: str) -> None:
    with pytest.raises(EmulatorConfigError) as info:
        org_config(options)
    assert str(info.value).startswith(where + ":")
    assert text in str(info.value)


def test_users_and_apps(key_pair: tuple[str, str]) -> None:
    cfg = org_config(
        {
            "username": "a@x.test",
            "users": [{"username": "b@x.test", "active": False, "pre_authorized": False}],
            "connected_apps": [{"client_id": "second", "pre_authorized_users": ["b@x.test"]}],
        }
    )
    assert [u.username for u in cfg.users] == ["a@x.test", "b@x.test"]
    assert cfg.users[1].active is False
    assert cfg.apps[1].client_id == "second" and cfg.apps[1].pre_authorized == frozenset(
        {"b@x.test"}
    )


def test_config_file_yaml_and_json(tmp_path: Path) -> None:
    (tmp_path / "e.yml").write_text("orgs:\n  - name: a\n  - name: b\n    type: sandbox\n")
    loaded = load_config_file(str(tmp_path / "e.yml"))
    assert [o["name"] for o, _ in loaded] == ["a", "b"]
    assert str(loaded[1][1](("type",))) == f"{tmp_path / 'e.yml'}:4:5"
    (tmp_path / "e.json").write_text(json.dumps({"orgs": [{"name": "c"}]}))
    assert [o for o, _ in load_config_file(str(tmp_path / "e.json"))] == [{"name": "c"}]


def test_config_file_errors(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text("orgs: [\n")
    with pytest.raises(EmulatorConfigError, match=r"bad.yml:\d+:\d+: not valid YAML"):
        load_config_file(str(tmp_path / "bad.yml"))
    (tmp_path / "empty.yml").write_text("orgs: []\n")
    with pytest.raises(EmulatorConfigError, match=r"empty.yml:1:1: orgs: \[\] should be non-empty"):
        load_config_file(str(tmp_path / "empty.yml"))
    with pytest.raises(EmulatorConfigError, match="cannot read"):
        load_config_file(str(tmp_path / "none.yml"))


def _walk(node: object, path: str, missing: list[str]) -> None:
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            if "description" not in sub:
                missing.append(f"{path}.{name}")
        for key, sub in node.items():
            if key != "examples":
                _walk(sub, f"{path}.{key}", missing)
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            _walk(sub, f"{path}[{i}]", missing)


def test_schema_is_closed_and_described() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    missing: list[str] = []
    _walk(schema, "$", missing)
    assert missing == []
    for name in ("org", "user", "connected_app", "fault"):
        assert schema["$defs"][name]["additionalProperties"] is False

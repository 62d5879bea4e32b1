"""docs/playbook-reference.md is generated from the schemas and must not go stale."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "playbook-reference.md"


def generator() -> ModuleType:
    script = ROOT / "scripts" / "gen_reference.py"
    spec = importlib.util.spec_from_file_location("gen_reference", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_reference", module)
    spec.loader.exec_module(module)
    return module


def test_reference_page_is_up_to_date() -> None:
    expected = generator().render()
    assert PAGE.is_file(), "missing docs/playbook-reference.md: run python scripts/gen_reference.py"
    assert PAGE.read_text(encoding="utf-8") == expected, (
        "docs/playbook-reference.md is stale: run python scripts/gen_reference.py"
    )


def test_check_mode_detects_staleness(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    module = generator()
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "OUTPUT", tmp_path / "docs" / "reference.md")
    assert module.main(["--check"]) == 1
    assert "stale" in capsys.readouterr().out
    assert module.main([]) == 0
    assert module.main(["--check"]) == 0


def test_every_link_has_an_anchor() -> None:
    text = generator().render()
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
    links = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert links and links <= anchors


def test_every_playbook_key_is_documented() -> None:
    text = generator().render()
    for key in ("name", "vars", "keys", "orgs", "steps", "private_key", "login_url", "register",
                "follow_pages", "max_ms", "one_of", "children"):
        assert f"| `{key}`" in text, key


def test_the_register_reference_names_the_fields_a_result_has() -> None:
    """The reference once said ``NAME.ms`` where the field is ``elapsed_ms``."""
    from runner.run.actions import Registered

    schema = json.loads((ROOT / "schemas" / "playbook.schema.json").read_text())
    text = schema["$defs"]["step"]["properties"]["register"]["description"]
    assert set(re.findall(r"`NAME\.(\w+)`", text)) == {*Registered.KEYS, "results"}
    assert "NAME.elapsed_ms" in PAGE.read_text(encoding="utf-8")

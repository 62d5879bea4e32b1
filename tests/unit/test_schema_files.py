"""The shipped JSON Schemas pass a strict check: Ajv's strict mode where Node is, and always
the Python equivalent in ``strict_schema`` (whose own rules are tested here on bad schemas)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from runner.playbook.schema import schema_dir
from tests.unit.strict_schema import check_files

ANNOTATIONS = frozenset({"x-expected", "x-because"})
"""The two annotations the runner reads for its messages (runner/playbook/schema.py)."""
AJV_CHECK = Path(__file__).with_name("ajv_strict.mjs")
AJV_PACKAGES = ("ajv@8", "ajv-formats@3")


def shipped() -> dict[str, dict[str, Any]]:
    return {path.name: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(schema_dir().glob("*.schema.json"))}


def test_shipped_schemas_pass_the_strict_check() -> None:
    schemas = shipped()
    assert set(schemas) >= {"playbook.schema.json", "inventory.schema.json",
                            "emulator.schema.json", "report.schema.json"}
    assert check_files(schemas, ANNOTATIONS) == []


def test_undeclared_annotations_are_unknown_keywords() -> None:
    problems = check_files(shipped())
    assert any("unknown keyword 'x-expected'" in problem for problem in problems)


def one(schema: dict[str, Any], **others: dict[str, Any]) -> list[str]:
    body = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    found = check_files({"a.schema.json": body, **others})
    return [problem.removeprefix("a.schema.json") for problem in found]


@pytest.mark.parametrize(("schema", "expected"), [
    ({"type": "object", "propertys": {}}, "#: unknown keyword 'propertys'"),
    ({"type": "string", "format": "e-mail"}, "#: unknown format 'e-mail'"),
    ({"properties": {"a": {}}}, "#: 'properties' needs type 'object'"),
    ({"type": "string", "minimum": 1}, "#: 'minimum' needs type 'number'"),
    ({"type": "object", "properties": {"a": {"type": "object", "required": ["b"]}}},
     "#/properties/a: required 'b' is not declared in properties"),
    ({"type": "object", "required": ["x"], "properties": {"y": {}}},
     "#: required 'x' is not declared"),
    ({"type": "object", "if": {"required": ["a"]}, "properties": {"a": {}}},
     "#: 'if' without 'then' or 'else' is ignored"),
    ({"type": "object", "then": {}}, "#: 'then' without 'if' is ignored"),
    ({"type": "object", "properties": {"ab": {}}, "patternProperties": {"^a": {}}},
     "#: property 'ab' also matches patternProperties '^a'"),
    ({"$ref": "b.schema.json#/$defs/x"}, "#: $ref 'b.schema.json#/$defs/x' does not resolve"),
    ({"type": "integer", "minimum": 0, "examples": [-1]}, "#: examples -1 is invalid"),
    ({"type": "string", "default": 3}, "#: default 3 is invalid"),
    ({"type": "object", "allOf": [{"type": "string"}]}, "#/allOf/0: type 'string' contradicts"),
    ({"type": 3}, ": not a valid 2020-12 schema"),
])
def test_each_strict_rule_reports_its_violation(schema: dict[str, Any], expected: str) -> None:
    problems = one(schema)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_what_strict_mode_accepts() -> None:
    other = {"b.schema.json": {"$schema": "https://json-schema.org/draft/2020-12/schema",
                               "$defs": {"x": {"type": "integer", "minimum": 1}}}}
    assert one({
        "type": "object",
        "properties": {"a": {"$ref": "b.schema.json#/$defs/x", "examples": [2]},
                       "n": {"type": ["integer", "null"], "minimum": 0}},
        "oneOf": [{"required": ["a"]}, {"required": ["n"]}],
        "if": {"properties": {"a": {"const": 1}}}, "then": {"required": ["n"]},
    }, **other) == []


def _ajv() -> Path:
    """A directory with Ajv installed (npm, cached between runs); skips without Node or npm."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("Node.js is not installed; the Python strict check above stands in")
    cache = Path(__file__).resolve().parents[2] / ".pytest_cache" / "ajv"
    if not (cache / "node_modules" / "ajv" / "package.json").is_file():
        cache.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund", "--silent",
             *AJV_PACKAGES], capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            pytest.skip(f"npm could not install Ajv: {done.stderr.strip()[:200]}")
    return cache


def test_shipped_schemas_pass_ajv_strict_mode(tmp_path: Path) -> None:
    cache = _ajv()
    script = tmp_path / "ajv_strict.mjs"
    shutil.copy(AJV_CHECK, script)
    (tmp_path / "node_modules").symlink_to(cache / "node_modules")
    done = subprocess.run(["node", str(script), str(schema_dir()), ",".join(sorted(ANNOTATIONS))],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    names = sorted(path.name for path in schema_dir().glob("*.schema.json"))
    assert done.stdout.split() == [word for name in names for word in ("ok", name)]


def test_ajv_strict_mode_refuses_an_unknown_keyword(tmp_path: Path) -> None:
    cache = _ajv()
    shutil.copy(AJV_CHECK, tmp_path / "ajv_strict.mjs")
    (tmp_path / "node_modules").symlink_to(cache / "node_modules")
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    (schemas / "a.schema.json").write_text(json.dumps(
        {"$schema": "https://json-schema.org/draft/2020-12/schema", "x-expected": "a number"}))
    done = subprocess.run(["node", str(tmp_path / "ajv_strict.mjs"), str(schemas), ""],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert 'unknown keyword: "x-expected"' in done.stdout

"""check-jsonschema, as a teammate's editor or CI would run it, validates every shipped
playbook and inventory and everything ``init`` writes, with no network.

Each file is checked against the schema its ``yaml-language-server`` modeline names, read
from disk; the schemas' cross-file ``$ref``s must resolve next to it. Any download attempt
goes to a proxy that refuses connections, which the last test shows would fail.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PLAYBOOKS, REPO, run_cli

MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")
OFFLINE = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
           "https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9",
           "NO_PROXY": "", "no_proxy": ""}

pytestmark = pytest.mark.slow


def check_jsonschema(schema: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--no-cache", "--schemafile", str(schema),
         *map(str, files)],
        capture_output=True, text=True, timeout=120, env={**os.environ, **OFFLINE},
        cwd=files[0].parent, stdin=subprocess.DEVNULL,
    )


def declared_schema(path: Path) -> Path:
    """The schema a file's first line points editors at, resolved against the file."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = MODELINE.match(first)
    assert match, f"{path} has no yaml-language-server modeline: {first!r}"
    target = match.group(1)
    assert "://" not in target, f"{path}: the modeline must be a relative path, not {target}"
    return (path.parent / target).resolve()


SHIPPED = sorted(PLAYBOOKS.glob("*.yml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_shipped_file_validates_offline_against_its_modeline_schema(path: Path) -> None:
    schema = declared_schema(path)
    assert schema.parent == REPO / "schemas"
    done = check_jsonschema(schema, path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok -- validation done" in done.stdout


def test_init_output_validates_offline(tmp_path: Path) -> None:
    project = tmp_path / "project"
    made = run_cli("init", str(project), "--org", "uat", cwd=tmp_path)
    assert made.status == 0, made.output
    written = [project / "playbook.yml", project / "inventory.yml"]
    for path in written:
        done = check_jsonschema(declared_schema(path), path)
        assert done.returncode == 0, f"{path.name}: {done.stdout}{done.stderr}"


def test_a_broken_file_is_refused_offline_with_the_reason(tmp_path: Path) -> None:
    inventory = tmp_path / "orgs.yml"
    inventory.write_text("orgs:\n  uat:\n    login_url: https://test.salesforce.com\n"
                         "    emulator: {latency_ms: -5}\n")
    done = check_jsonschema(REPO / "schemas" / "inventory.schema.json", inventory)
    assert done.returncode == 1
    assert "$.orgs.uat.emulator.latency_ms" in done.stdout + done.stderr


def test_an_https_id_would_need_the_network(tmp_path: Path) -> None:
    """The control: the same check, with the schemas as they used to be, fails offline."""
    for name in ("inventory", "playbook", "emulator"):
        body = json.loads((REPO / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
        body["$id"] = f"https://sfjwt-run.invalid/schemas/{name}.schema.json"
        (tmp_path / f"{name}.schema.json").write_text(json.dumps(body), encoding="utf-8")
    done = check_jsonschema(tmp_path / "inventory.schema.json", PLAYBOOKS / "inventory.example.yml")
    assert done.returncode != 0
    assert "sfjwt-run.invalid" in done.stdout + done.stderr

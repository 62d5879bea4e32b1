"""``sfjwt-run token ORG`` and the -v curl lines: paste one into the shell that ran
``eval "$(sfjwt-run token ORG)"`` and it gets the same answer the run got, with the
system's own curl, from an org in another process (the standalone embedded org)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from runner.salesforce import keys
from tests.conftest import REPO, run_cli
from tests.e2e.standalone import standalone_emulator

pytestmark = pytest.mark.slow
USER, APP = "api.user@paste.test", "3MVG9paste.consumer.key"
PLAYBOOK = """\
name: Paste me
steps:
  - name: Accounts by name
    query: SELECT Name FROM Account ORDER BY Name LIMIT 2
    register: accounts
  - name: Limits, asked of another host
    request: {{url: "{other}/services/data/v60.0/limits"}}
    expect: {{status: 401}}
"""


def curl_lines(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if line.strip().startswith("curl ")]


def shell(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """bash, with ``sfjwt-run`` on PATH as an installed console script would be."""
    bin_dir = cwd / "bin"
    bin_dir.mkdir(exist_ok=True)
    launcher = bin_dir / "sfjwt-run"
    launcher.write_text(f"#!/bin/sh\nexec {sys.executable} -m runner \"$@\"\n")
    launcher.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    return subprocess.run(["bash", "--norc", "-c", script], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_pasted_curl_line_works_after_eval_token(tmp_path: Path) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    keys.ensure_key_pair(private_key=tmp_path / "certs" / "server.key",
                         certificate=tmp_path / "certs" / "server.crt")
    with standalone_emulator("--cert", str(tmp_path / "certs" / "server.crt"),
                             "--client-id", APP, "--username", USER) as url:
        (tmp_path / "inventory.yml").write_text(
            f"orgs:\n  local:\n    login_url: {url}\n    client_id: {APP}\n"
            f"    username: {USER}\n    private_key: certs/server.key\n")
        other = url.replace("127.0.0.1", "localhost")  # another origin: no token goes there
        (tmp_path / "playbook.yml").write_text(PLAYBOOK.format(other=other))
        run = run_cli("-v", "-i", "inventory.yml", "playbook.yml", cwd=tmp_path)
        assert run.status == 0, run.output
        query, elsewhere = curl_lines(run.stdout)
        assert query.endswith('-H "Authorization: Bearer $SF_ACCESS_TOKEN"'), query
        assert "Authorization" not in elsewhere and elsewhere.startswith("curl -sS -X GET ")

        exports = shell("sfjwt-run token local -i inventory.yml", tmp_path)
        assert exports.returncode == 0, exports.stderr
        assert re.fullmatch(r"export SF_ACCESS_TOKEN=\S+ SF_INSTANCE_URL=\S+\n", exports.stdout)
        token = exports.stdout.split()[1].split("=", 1)[1].strip("'")
        assert token not in run.output  # the run itself never shows one

        pasted = shell(f'eval "$(sfjwt-run token local -i inventory.yml)"\n{query}', tmp_path)
        without = shell(query, tmp_path)
    assert pasted.returncode == 0, pasted.stderr
    names = re.findall(r'"Name":"([^"]+)"', pasted.stdout)
    assert len(names) == 2 and names == sorted(names)
    assert '"totalSize":2' in pasted.stdout.replace(" ", "")
    assert '"errorCode":"INVALID_AUTH_HEADER"' in without.stdout  # no token in that shell


def test_token_refuses_an_embedded_org_and_unknown_names() -> None:
    embedded = run_cli("token", "embedded", str(REPO / "playbooks" / "smoke.yml"))
    assert embedded.status == 5
    assert "is an embedded org: it stops when this command ends" in embedded.stderr
    assert embedded.stdout == ""
    unknown = run_cli("token", "nope", "-i", str(REPO / "playbooks" / "inventory.example.yml"))
    assert unknown.status == 5
    assert "no org named 'nope'; orgs: acme-prod, acme-uat, globex-prod" in unknown.stderr
    folder = run_cli("token", "embedded", str(REPO / "playbooks" / "recipes"))
    assert folder.status == 5
    assert "recipes: a folder; token reads the orgs of one playbook" in folder.stderr
    assert folder.stdout == "" and "Traceback" not in folder.stderr

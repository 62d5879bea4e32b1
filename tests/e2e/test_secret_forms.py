"""Registered secrets are masked whatever their length and in the forms a server echoes them.

Two orgs sign with passphrase-protected keys: one passphrase is three letters
long, the other long and full of characters that escaping changes. A step sends
both passphrases to a careless server that quotes them back as is,
JSON-escaped, base64-encoded (alone and inside a longer blob), HTML-escaped,
URL-encoded and wrapped into lines; the run prints the bodies (-vv) and writes
every report. None of those forms may appear anywhere a person or a tool reads.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from urllib.parse import quote

import yaml

from runner.salesforce import keys
from tests.conftest import run_cli, single_run
from tests.e2e.faults_server import hostile_server

SHORT = "xyz"
LONG = "Long/pass+phrase \"with\" <odd> & 'chars' é"


def _forms(value: str) -> list[str]:
    raw = value.encode()
    found = [value, json.dumps(value)[1:-1], base64.b64encode(raw).decode().rstrip("="),
             html.escape(value), quote(value, safe="")]
    return [form for form in found if len(form) >= 3]


def test_short_and_encoded_passphrases_never_show(tmp_path: Path) -> None:
    for name, passphrase in (("short", SHORT), ("long", LONG)):
        keys.generate_key_pair(tmp_path / f"{name}.key", tmp_path / f"{name}.crt",
                               passphrase=passphrase.encode())
    with hostile_server() as (base, seen):
        playbook = tmp_path / "echo.yml"
        playbook.write_text(yaml.safe_dump({
            "name": "echo",
            "keys": {name: {"private_key": f"{name}.key", "certificate": f"{name}.crt",
                            "generate": "never", "passphrase_env": f"{name.upper()}_KP"}
                     for name in ("short", "long")},
            "orgs": {f"org-{name}": {"emulator": True, "key": name} for name in ("short", "long")},
            "steps": [
                {"name": "echo the passphrases", "request": {
                    "url": f"{base}/echo",
                    "headers": {"X-Echo": "{{ env.SHORT_KP }} {{ env.LONG_KP }}"}},
                 "expect": {"status": 299}},
                {"name": "the org answers", "request": {"path": "/services/data/"}},
            ],
            "keep_going": True,
        }))
        reports = {"json": tmp_path / "r.json", "junit": tmp_path / "j.xml",
                   "markdown": tmp_path / "m.md"}
        args = [arg for kind, path in reports.items() for arg in (f"--{kind}", str(path))]
        run = run_cli(str(playbook), "-vv", *args, cwd=tmp_path,
                      env={"SHORT_KP": SHORT, "LONG_KP": LONG})
    assert run.status == 2, run.output
    assert len(seen) == 2, "the careless server was asked once per org"
    report = json.loads(reports["json"].read_text())
    assert {org["name"]: [step["outcome"] for step in org["steps"]]
            for org in single_run(report)["orgs"]} == {"org-short": ["failed", "ok"],
                                           "org-long": ["failed", "ok"]}
    assert "as is: ***" in run.stdout and "wrapped:" in run.stdout, run.stdout
    texts = {"console": run.output, **{kind: path.read_text() for kind, path in reports.items()}}
    for where, text in texts.items():
        for secret in (SHORT, LONG):
            for form in _forms(secret):
                assert form not in text, (where, form)
        assert "Long/pas" not in text and "s+phrase" not in text, where  # its wrapped lines

"""Canary: plant secrets, run everything at -vv with every report (JSON, JUnit, markdown,
HTML), and search all of it.

Secrets, by the product's definition: access tokens, JWT assertions, private
key PEM and passphrases. The key is passphrase-protected with a sentinel
passphrase that the playbook also puts in a header, a URL, a request body, an
expectation and an assertion. Tokens and assertions are the ones the org
really saw: a wrapper around the emulator writes them down (``canary_recorder``),
so the search does not trust the runner's own registry. Every shipped playbook
runs too, and the failure cases: refused logins, a wrong passphrase, a dropped
connection, an expired session, failed expectations, --doctor and --check.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from cryptography.hazmat.primitives import serialization

from runner.salesforce import keys
from tests.conftest import PLAYBOOKS, REPO, run_cli

PASSPHRASE = "canary-Passphrase-4f9e1c7a"
WRONG_PASSPHRASE = "canary-Wrong-Passphrase-0b3d"
CLIENT_ID = "3MVG9canary.consumer.key"
USER = "api.user@canary.test"
SERVER_LOG = "emulator"
CLIENT_ONLY = {"passphrase", "wrong passphrase"}
"""The org logs the paths it is asked for; a passphrase the playbook itself put into a URL
reaches it as any request data would. What the org must never log are tokens and assertions."""
REPORTS = (("--json", "report.json"), ("--junit", "junit.xml"), ("--markdown", "summary.md"),
           ("--html", "report.html"))

CANARY_PLAYBOOK = {
    "name": "Canary",
    "keep_going": True,  # every planted failure runs, so every form of every secret is tried
    "keys": {"main": {"private_key": "certs/pass.key", "certificate": "certs/pass.crt",
                      "generate": "never", "passphrase_env": "CANARY_PASSPHRASE"}},
    "orgs": {"canary": {"login_url": "{{ env.CANARY_URL }}",
                        "client_id": "{{ env.CANARY_CLIENT_ID }}",
                        "username": "{{ env.CANARY_USER }}", "key": "main"}},
    "steps": [
        {"name": "versions", "request": {"path": "/services/data/"}},
        {"name": "limits after an idle session",
         "request": {"path": "/services/data/v60.0/limits"}},
        {"name": "identity", "request": {"path": "/services/oauth2/userinfo"}},
        {"name": "query", "query": "SELECT Id, Name FROM Account LIMIT 2"},
        {"name": "passphrase in a header",
         "request": {"path": "/services/data/v60.0/sobjects",
                     "headers": {"X-Canary": "{{ env.CANARY_PASSPHRASE }}"}}},
        {"name": "passphrase in the URL",
         "request": {"path": "/services/data/v60.0/sobjects/{{ env.CANARY_PASSPHRASE }}"}},
        {"name": "passphrase expected in a body",
         "request": {"path": "/services/oauth2/userinfo"},
         "expect": {"json": {"preferred_username": {"equals": "{{ env.CANARY_PASSPHRASE }}"}}}},
        {"name": "assert over the passphrase",
         "assert": ["env.CANARY_PASSPHRASE == 'something else'"]},
        {"name": "create with the passphrase in the body",
         "request": {"method": "POST", "path": "/services/data/v60.0/sobjects/Contact",
                     "json": {"LastName": "{{ env.CANARY_PASSPHRASE }}"}},
         "expect": {"status": 201}, "register": "created"},
        {"name": "read it back",
         "request": {"path": "/services/data/v60.0/sobjects/Contact/{{ created.json.id }}"},
         "expect": {"json": {"LastName": {"equals": "someone else"}}}},
        {"name": "dropped connection",
         "request": {"path": "/services/data/v60.0/sobjects/Account/describe"}},
        {"name": "poll until it gives up",
         "request": {"path": "/services/data/v60.0/limits"},
         "retries": 2, "delay": 0, "until": "response.status == 299"},
    ],
}


def _emulator_config() -> dict[str, object]:
    return {"orgs": [{
        "name": "canary", "certificate": "certs/pass.crt", "client_id": CLIENT_ID,
        "username": USER, "session_timeout_s": 1,
        "users": [{"username": "gone@canary.test", "active": False},
                  {"username": "unapproved@canary.test", "pre_authorized": False}],
        "faults": [
            {"path": "/services/data/*/limits", "latency_ms": 1300, "times": 1},
            {"path": "/services/data/*/sobjects/Account/describe", "drop": True},
        ],
    }]}


@dataclass
class Harvest:
    """Everything a person or a machine could read after the runs, and the secrets to find."""

    texts: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)  # value -> kind
    statuses: dict[str, int] = field(default_factory=dict)

    def add_secret(self, kind: str, value: str) -> None:
        if len(value) >= 8:
            self.secrets[value] = kind

    def leaks(self) -> list[tuple[str, str]]:
        return [(kind, where) for where, text in self.texts.items()
                for value, kind in self.secrets.items()
                if value in text and not (where.startswith(SERVER_LOG) and kind in CLIENT_ONLY)]


def _recorder_command(record: Path, log: Path, program: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "tests.e2e.canary_recorder", str(record), str(log),
            program, *args]


def _environment(extra: dict[str, str]) -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO), **extra}
    env.pop("REQUESTS_CA_BUNDLE", None)
    return env


@pytest.fixture(scope="module")
def standalone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The canary org, standalone, behind the recorder; yields its URL and its folder."""
    folder = tmp_path_factory.mktemp("canary")
    (folder / "certs").mkdir()
    keys.ensure_key_pair(private_key=folder / "certs" / "pass.key",
                         certificate=folder / "certs" / "pass.crt",
                         passphrase=PASSPHRASE.encode())
    (folder / "emu.yml").write_text(yaml.safe_dump(_emulator_config()))
    stderr = (folder / "emulator.stderr").open("w")
    process = subprocess.Popen(
        _recorder_command(folder / "record.tsv", folder / "emulator-debug.log", "emulator",
                          "--port", "0", "--config", str(folder / "emu.yml")),
        stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=folder, env=_environment({}),
    )
    try:
        assert process.stdout is not None
        match = re.search(r"listening on (\S+)", process.stdout.readline())
        assert match, "the emulator did not start"
        yield match.group(1), folder
    finally:
        process.terminate()
        process.wait(timeout=10)
        stderr.close()


def _run(harvest: Harvest, name: str, folder: Path, args: list[str],
         env: dict[str, str]) -> None:
    """One scenario at -vv with every report, through the recorder; keeps all it wrote."""
    out = folder / name
    out.mkdir()
    reports = [item for flag, file in REPORTS for item in (flag, str(out / file))]
    completed = subprocess.run(
        _recorder_command(folder / "record.tsv", out / "embedded-debug.log", "run",
                          *args, "-vv", *reports),
        cwd=folder, env=_environment(env), capture_output=True, text=True, timeout=120,
    )
    harvest.statuses[name] = completed.returncode
    harvest.texts[f"{name}: stdout"] = completed.stdout
    harvest.texts[f"{name}: stderr"] = completed.stderr
    for path in out.iterdir():
        harvest.texts[f"{name}: {path.name}"] = path.read_text(encoding="utf-8", errors="replace")


def _pem_lines(pem: bytes) -> Iterator[str]:
    for line in pem.decode().splitlines():
        if line.strip() and not line.startswith(("-----", "Proc-Type", "DEK-Info")):
            yield line.strip()


def _key_secrets(harvest: Harvest, folder: Path) -> None:
    """Every body line of every key file, and of the canary key decrypted, in two formats."""
    for path in folder.rglob("*.key"):
        for line in _pem_lines(path.read_bytes()):
            harvest.add_secret(f"PEM line of {path.name}", line)
    key = serialization.load_pem_private_key(
        (folder / "certs" / "pass.key").read_bytes(), PASSPHRASE.encode())
    for fmt in (serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL):
        clear = key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())
        for line in _pem_lines(clear):
            harvest.add_secret("PEM line of the decrypted key", line)


def _recorded_secrets(harvest: Harvest, record: Path) -> tuple[int, int]:
    tokens = assertions = 0
    for line in record.read_text(encoding="utf-8").splitlines():
        kind, value = line.split("\t", 1)
        harvest.add_secret(kind, value)
        if kind == "access_token":
            tokens += 1
            harvest.add_secret("access token (after the org id)", value.split("!", 1)[1])
        else:
            assertions += 1
            harvest.add_secret("assertion signature", value.rsplit(".", 1)[1])
    return tokens, assertions


@pytest.fixture(scope="module")
def harvest(standalone: tuple[str, Path]) -> Harvest:
    url, folder = standalone
    found = Harvest()
    shipped = folder / "shipped"
    shipped.mkdir()
    for playbook in sorted(PLAYBOOKS.glob("*.yml")):
        shutil.copy(playbook, shipped / playbook.name)
    runs: list[list[tuple[str, list[str], dict[str, str]]]] = [
        [(f"shipped-{playbook.stem}", [str(playbook)], {})]
        for playbook in sorted(shipped.glob("*.yml")) if not playbook.name.startswith("inventory")
    ]
    runs.append([("shipped-health-inventory",
                  ["-i", str(shipped / "inventory.example.yml"), str(shipped / "health.yml")], {})])
    (folder / "canary.yml").write_text(yaml.safe_dump(CANARY_PLAYBOOK, sort_keys=False))
    good = {"CANARY_URL": url, "CANARY_CLIENT_ID": CLIENT_ID, "CANARY_USER": USER,
            "CANARY_PASSPHRASE": PASSPHRASE}
    canary = {
        "canary-run": ["--allow-writes"],
        "canary-doctor": ["--doctor"],
        "canary-check": ["--check"],
        "wrong-consumer-key": [],
        "inactive-user": [],
        "unapproved-user": [],
        "unknown-user": [],
        "wrong-passphrase": [],
    }
    changes = {
        "wrong-consumer-key": {"CANARY_CLIENT_ID": "3MVG9wrong"},
        "inactive-user": {"CANARY_USER": "gone@canary.test"},
        "unapproved-user": {"CANARY_USER": "unapproved@canary.test"},
        "unknown-user": {"CANARY_USER": "nobody@canary.test"},
        "wrong-passphrase": {"CANARY_PASSPHRASE": WRONG_PASSPHRASE},
    }
    runs += [[(name, ["canary.yml", *flags], {**good, **changes.get(name, {})})]
             for name, flags in canary.items()]
    # in order: the second run takes its token from the cache file (which holds it by design)
    cached = ["canary.yml", "--token-cache", "tokens.json"]
    runs.append([("token-cache-fills", cached, good), ("token-cache-reused", cached, good)])

    def in_order(batch: list[tuple[str, list[str], dict[str, str]]]) -> None:
        for name, args, env in batch:
            _run(found, name, folder, args, env)

    with ThreadPoolExecutor(max_workers=2) as pool:  # two cores
        list(pool.map(in_order, runs))
    found.texts["emulator log (standalone)"] = (folder / "emulator.stderr").read_text()
    for log in folder.rglob("*-debug.log"):
        found.texts[f"emulator debug log {log.parent.name}"] = log.read_text()
    found.add_secret("passphrase", PASSPHRASE)
    found.add_secret("wrong passphrase", WRONG_PASSPHRASE)
    _key_secrets(found, folder)
    found.statuses["tokens recorded"], found.statuses["assertions recorded"] = (
        _recorded_secrets(found, folder / "record.tsv"))
    return found


def test_the_canary_runs_did_what_they_should(harvest: Harvest) -> None:
    statuses = harvest.statuses
    assert statuses["shipped-smoke"] == 0
    assert statuses["shipped-health"] == 0
    assert statuses["shipped-health-inventory"] == 2
    assert statuses["canary-run"] == 2  # the planted expectations fail, on purpose
    for refused in ("wrong-consumer-key", "inactive-user", "unapproved-user", "unknown-user",
                    "wrong-passphrase"):
        assert statuses[refused] == 3, refused
    run = harvest.texts["canary-run: stdout"]
    assert '"Authorization: Bearer $SF_ACCESS_TOKEN"' in run  # -v curl lines name, not show
    assert "X-Canary: ***" in run
    assert "read timeout" not in run and "closed the connection" in run


def test_the_search_has_something_to_find(harvest: Harvest) -> None:
    """Logins really happened (one more for the expired session), so tokens were there to leak."""
    assert harvest.statuses["tokens recorded"] >= 8
    assert harvest.statuses["assertions recorded"] >= 12
    kinds = set(harvest.secrets.values())
    assert {"access_token", "assertion", "passphrase", "wrong passphrase",
            "PEM line of pass.key", "PEM line of the decrypted key"} <= kinds
    assert any(kind == "PEM line of server.key" for kind in kinds)
    assert len(harvest.texts) >= 40
    pages = [text for where, text in harvest.texts.items() if where.endswith(": report.html")]
    assert len(pages) >= 8 and all("</html>" in page for page in pages)
    assert any("Authorization: Bearer $SF_ACCESS_TOKEN" in page  # a curl line was there
               for page in pages)


def test_no_secret_appears_in_any_output_report_or_log(harvest: Harvest) -> None:
    assert harvest.leaks() == []
    for where, text in harvest.texts.items():
        assert "PRIVATE KEY-----" not in text or "BEGIN" not in text, where


def test_a_passphrase_of_raw_bytes_decrypts_the_key_and_stays_masked(tmp_path: Path) -> None:
    raw = b"canary-\xff\xfe-bytes"  # not UTF-8: the environment hands it over as surrogates
    keys.ensure_key_pair(private_key=tmp_path / "certs" / "k.key",
                         certificate=tmp_path / "certs" / "k.crt", passphrase=raw)
    (tmp_path / "p.yml").write_text(
        "name: raw passphrase\n"
        "keys:\n  main:\n    private_key: certs/k.key\n    certificate: certs/k.crt\n"
        "    generate: never\n    passphrase_env: RAW_PASSPHRASE\n"
        "steps:\n  - name: versions\n    request: {path: /services/data/}\n"
        "  - name: in a path\n    request: {path: \"/services/data/{{ env.RAW_PASSPHRASE }}\"}\n"
        "    expect: {status: 404}\n"
        "  - name: in a query\n"
        "    query: \"SELECT Id FROM Account WHERE Name = '{{ env.RAW_PASSPHRASE }}'\"\n"
    )
    run = run_cli(str(tmp_path / "p.yml"), "-vv", "--json", str(tmp_path / "r.json"),
                  cwd=tmp_path, env={"RAW_PASSPHRASE": os.fsdecode(raw)})
    assert run.status == 0, run.output
    assert "ok        key main" in run.stdout
    for text in (run.output, (tmp_path / "r.json").read_text(encoding="utf-8")):
        assert "canary-" not in text

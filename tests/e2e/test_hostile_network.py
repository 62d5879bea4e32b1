"""A hostile server, stuck I/O and broken local files through the real CLI, beside a healthy org.

One run (``faults_matrix.HOSTILE_ROWS``): a gzip bomb of 256 MB, a body announcing
5 MB, an endless chunked body, slowloris headers and body, ``Retry-After: 119``, a
server that never answers, bodies with terminal escape sequences, raw HTML, a lone
surrogate and ``1e999``, query pages that loop, a login that sends the token to a
foreign host, ``/dev/zero`` and a FIFO as private keys, a stale ``REQUESTS_CA_BUNDLE``. Each
fails its own step or login with words a person understands; the healthy org's
results are in every report; the runner's memory stays far below the bomb's size
and the run ends at ``--org-timeout``, not when the servers give up.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from runner.run import actions
from runner.salesforce import keys
from tests.conftest import REPO, run_cli_inprocess, single_run
from tests.e2e.faults_matrix import (
    HEALTHY_STEPS,
    HOSTILE_ROWS,
    ORG_TIMEOUT,
    HostileRow,
    hostile_playbook_text,
)
from tests.junit_check import check_junit
from tests.raw_server import (
    RawServer,
    announced,
    answer,
    endless_chunks,
    gzip_bomb,
    raw_server,
    silent,
    token_for,
    trickle_body,
    trickle_headers,
)

SCHEMA = json.loads((REPO / "schemas" / "report.schema.json").read_text())
BOMB_MB = 256
JSON = {"Content-Type": "application/json"}
LOOPING_PAGE = json.dumps({"totalSize": 4000, "done": False, "records": [{"Id": "001LOOP"}],
                           "nextRecordsUrl": "/services/data/v60.0/query/01gLOOP-2000"}).encode()
TERMINAL_ATTACK = (b"\x1b[2J\x1b[H"  # clear the screen
                   b"\x1b]0;pwned\x07"  # retitle the window
                   b"\x1b]52;c;cm0gLXJmIH4=\x07"  # write the clipboard (OSC 52)
                   b"<img src=x onerror=alert(1)>\x00\x9b6n after")
ROUTES = {
    "/bomb": gzip_bomb(BOMB_MB),
    "/announced": announced(5 << 20),
    "/endless": endless_chunks,
    "/trickle-body": trickle_body,
    "/trickle-headers": trickle_headers,
    "/silent": silent,
    "/retry-after": answer("503 Service Unavailable",
                           b'[{"errorCode": "SERVER_UNAVAILABLE", "message": "busy"}]',
                           **{"Retry-After": "119", "Content-Type": "application/json"}),
    "/services/oauth2/token": token_for("https://collector.example.net"),
    "/loop/services/oauth2/token": lambda conn, server: token_for(f"{server.url}/loop")(
        conn, server),
    "/loop/services/data/v60.0/query": answer("200 OK", LOOPING_PAGE, **JSON),
    "/loop/services/data/v60.0/query/01gLOOP-2000": answer("200 OK", LOOPING_PAGE, **JSON),
    "/escapes": answer("200 OK", TERMINAL_ATTACK, **{"Content-Type": "text/plain"}),
    "/surrogate": answer("200 OK", b'{"Name": "\\ud800 lone"}',
                         **{"Content-Type": "application/json"}),
    "/overflow": answer("200 OK", b'{"n": 1e999, "m": -1e999}',
                        **{"Content-Type": "application/json"}),
}


@dataclass(frozen=True)
class HostileRun:
    status: int
    stdout: str
    stderr: str
    peak_rss_mb: float
    folder: Path
    server: RawServer

    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.folder / "r.json").read_text())
        return data

    def org(self, name: str) -> dict[str, Any]:
        [found] = [org for org in single_run(self.report())["orgs"] if org["name"] == name]
        return found


def _run(folder: Path, *args: str, env: dict[str, str]) -> tuple[int, str, str, float]:
    """The CLI as a subprocess, with that process's own peak memory (wait4's rusage)."""
    out, err = folder / "stdout.txt", folder / "stderr.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "runner", *args], cwd=folder, env={**os.environ, **env},
            stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
        )
        _, code, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(code)  # reaped here, not by Popen
    return process.returncode, out.read_text(), err.read_text(), usage.ru_maxrss / 1024


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileRun]:
    folder = tmp_path_factory.mktemp("hostile")
    keys.generate_key_pair(folder / "org.key", folder / "org.crt")
    os.mkfifo(folder / "fifo.key", 0o600)
    with raw_server(ROUTES) as server:
        (folder / "p.yml").write_text(hostile_playbook_text(server.url))
        status, out, err, peak = _run(
            folder, "p.yml", "-f", "20", "--org-timeout", str(ORG_TIMEOUT), "--no-progress",
            "--json", "r.json", "--junit", "j.xml", "--markdown", "m.md",
            env={"NO_COLOR": "1", "REQUESTS_CA_BUNDLE": str(folder / "gone-ca.pem")},
        )
        yield HostileRun(status, out, err, peak, folder, server)


def test_the_run_ends_with_exit_3_and_no_traceback(hostile: HostileRun) -> None:
    assert hostile.status == 3, hostile.stdout + hostile.stderr
    for mark in ("Traceback", "internal error"):
        assert mark not in hostile.stdout + hostile.stderr
    jsonschema.validate(hostile.report(), SCHEMA)
    assert hostile.report()["exit_status"] == 3


@pytest.mark.parametrize("row", HOSTILE_ROWS, ids=[row.org for row in HOSTILE_ROWS])
def test_each_hostile_thing_fails_only_its_own_step_or_login(hostile: HostileRun,
                                                             row: HostileRow) -> None:
    org = hostile.org(row.org)
    if row.step is None:
        result = org["login"]
        assert org["unreachable"], org
        assert {step["outcome"] for step in org["steps"]} == {"skipped"}
    else:
        assert org["login"]["outcome"] == "ok", org["login"]
        [result] = [step for step in org["steps"] if step["name"] == row.org]
        others = [step["outcome"] for step in org["steps"] if step["name"] != row.org]
        assert set(others) == {"skipped"}, others  # "not for this org"
    said = f"{result['reason']} {org['hint'] or ''}"
    assert result["outcome"] == row.expect.outcome, (result, said)
    if row.expect.attempts is not None:
        assert result["attempts"] == row.expect.attempts, (result["attempts"], said)
    for words in row.expect.words:
        assert words in said, (words, said)


def test_the_healthy_org_is_in_every_report(hostile: HostileRun) -> None:
    healthy = hostile.org("healthy")
    ran = {step["name"]: step["outcome"] for step in healthy["steps"]}
    assert [ran[name] for name in HEALTHY_STEPS] == ["ok", "ok"], ran
    assert not healthy["failed"]
    suites = ET.parse(hostile.folder / "j.xml").getroot()
    [suite] = [s for s in suites.iter("testsuite") if s.get("name") == "healthy"]
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    for name in HEALTHY_STEPS:
        case = next(case for key, case in cases.items() if key and name in key)
        assert case.find("failure") is None and case.find("skipped") is None
    assert "healthy" in (hostile.folder / "m.md").read_text()
    assert re.search(r"^  ok +API versions +healthy ", hostile.stdout, re.MULTILINE)


def test_memory_stays_far_below_the_bomb_and_the_server_never_saw_a_token(
    hostile: HostileRun,
) -> None:
    assert hostile.peak_rss_mb < BOMB_MB, f"peak {hostile.peak_rss_mb:.0f} MB"
    assert hostile.server.seen, "the hostile server was asked"
    # /loop/ is the instance of the orgs that log in there: their own token goes to it
    assert not any(name.lower() == "authorization" for _, path, headers in hostile.server.seen
                   if not path.startswith("/loop/") for name in headers)
    assert any("authorization" in map(str.lower, headers)
               for _, path, headers in hostile.server.seen if path.startswith("/loop/"))
    assert hostile.server.sent < 64 << 20, "the endless body was abandoned at the cap"


def test_a_bug_met_by_one_org_fails_that_step_not_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No input is known to raise an exception that is not the project's own inside a lane,
    so one is planted where a bug would surface: the request action of one org."""
    real = actions.perform_request

    def buggy(client: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        if "buggy" in client.credentials.username:
            raise KeyError("a bug")
        return real(client, request, *args, **kwargs)

    monkeypatch.setattr(actions, "perform_request", buggy)
    playbook = tmp_path / "p.yml"
    playbook.write_text(
        "name: bug\norgs:\n  healthy: {emulator: true}\n"
        "  buggy: {emulator: true, username: buggy@example.com}\n"
        "steps:\n  - name: versions\n    request: {path: /services/data/}\n"
        "  - name: after it\n    assert: ['true']\nkeep_going: true\n")
    report = tmp_path / "r.json"
    run = run_cli_inprocess(str(playbook), "--json", str(report))
    assert run.status == 2, run.output
    steps = {(org["name"], step["name"]): step
             for org in single_run(report)["orgs"] for step in org["steps"]}
    assert steps[("buggy", "versions")]["outcome"] == "failed"
    assert steps[("buggy", "versions")]["reason"] == "internal error: KeyError: 'a bug'"
    assert steps[("buggy", "after it")]["outcome"] == "ok"
    assert steps[("healthy", "versions")]["outcome"] == "ok"


def test_text_from_the_server_is_valid_and_inert_in_every_report(hostile: HostileRun) -> None:
    """Escape sequences, NUL, raw HTML, a lone surrogate and 1e999 from a server: strict
    parsers read every report, and neither the terminal nor the markdown summary gets
    anything it would act on."""
    raw = (hostile.folder / "r.json").read_bytes().decode("utf-8")  # strict UTF-8
    report = strict_json(raw)
    steps = {step["name"]: step for org in single_run(report)["orgs"] for step in org["steps"]
             if step["name"] == org["name"]}  # each hostile org's own step
    [overflow] = [c for c in steps["float-overflow"]["checks"] if c["subject"] == "json"]
    assert overflow["actual"] == "Infinity", overflow
    [surrogate] = [c for c in steps["lone-surrogate"]["checks"] if c["subject"] == "json"]
    assert surrogate["actual"] == "\ufffd lone", surrogate
    check_junit(hostile.folder / "j.xml")
    junit = (hostile.folder / "j.xml").read_text(encoding="utf-8")
    assert "\\x1b]52;c;" in junit and "\x1b" not in junit and "\x00" not in junit
    summary = (hostile.folder / "m.md").read_text(encoding="utf-8")
    assert "<img" not in summary and "\x1b" not in summary
    assert "lone-surrogate" in summary and "healthy" in summary
    console = hostile.stdout + hostile.stderr
    assert "\x1b" not in console and "\x00" not in console and "\x9b" not in console
    assert "response: \\x1b[2J\\x1b[H\\x1b]0;pwned" in hostile.stdout, hostile.stdout


def strict_json(text: str) -> Any:
    """JSON as strict parsers read it: NaN and Infinity are not JSON."""
    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not JSON")
    return json.loads(text, parse_constant=refuse)

"""``sfjwt-emulator`` as a real subprocess: what it prints, serves, logs, and how it stops."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests

from tests.unit.emulator.conftest import JWT_GRANT, claims, make_key_and_cert

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 30


class EmulatorProcess:
    """A running ``sfjwt-emulator``: its announced base URL and orgs, its stderr log."""

    def __init__(self, *args: str, cwd: Path) -> None:
        self.log_path = cwd / f"emulator-{os.getpid()}-{id(self)}.log"
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "runner.emulator.cli", *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=self._log,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.banner = self._read_banner()
        found = re.search(r"listening on (\S+)", self.banner)
        assert found, f"no base URL announced:\n{self.banner}\n{self.stderr()}"
        self.base_url = found.group(1)
        self.orgs = [
            {"name": m[0], "type": m[1], "org_id": m[2], "client_id": m[3], "username": m[4]}
            for m in re.findall(
                r"org (\S+) \((\w+)\) (\S+)\n  login_url: \S+\n  client_id: (\S+)\n"
                r"  username:  (\S+)",
                self.banner,
            )
        ]

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _read_banner(self) -> str:
        text, deadline = "", time.monotonic() + STARTUP_TIMEOUT_S
        while "stops the server" not in text:
            try:
                line = self._lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            text += line
        return text

    def stderr(self) -> str:
        """The request log and any error, so far."""
        return self.log_path.read_text()

    def stop(self) -> tuple[int, str]:
        """SIGTERM, wait, and return (exit status, rest of stdout)."""
        if self._log.closed:
            return self.proc.returncode, ""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        status = self.proc.wait(timeout=STARTUP_TIMEOUT_S)
        rest = []
        while True:
            try:
                line = self._lines.get(timeout=5)
            except queue.Empty:
                break
            if line is None:
                break
            rest.append(line)
        self._log.close()
        return status, "".join(rest)

    def __del__(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()


def login(base_url: str, org: dict[str, Any], key: str, **kw: Any) -> requests.Response:
    """A JWT bearer login as the seed tutorial does it (aud = the URL it posts to)."""
    assertion = jwt.encode(claims(org["client_id"], org["username"], aud=base_url), key, "RS256")
    data = {"grant_type": JWT_GRANT, "assertion": assertion}
    return requests.post(f"{base_url}/services/oauth2/token", data=data, timeout=10, **kw)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A private key (PEM text) and its certificate written to a file."""
    key, cert = make_key_and_cert()
    path = tmp_path_factory.mktemp("certs") / "server.crt"
    path.write_text(cert)
    return key, path


@pytest.fixture
def emulator(tmp_path: Path, keys: tuple[str, Path]) -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(
        "--port", "0", "--cert", str(keys[1]), "--client-id", "3MVG9e2e.key",
        "--username", "api.user@e2e.test", cwd=tmp_path,
    )  # fmt: skip
    yield process
    process.stop()


def test_prints_url_key_and_username_then_serves(
    emulator: EmulatorProcess, keys: tuple[str, Path]
) -> None:
    assert emulator.base_url.startswith("http://127.0.0.1:")
    assert emulator.orgs[0]["client_id"] == "3MVG9e2e.key"
    assert emulator.orgs[0]["username"] == "api.user@e2e.test"
    response = login(emulator.base_url, emulator.orgs[0], keys[0])
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert token.startswith(emulator.orgs[0]["org_id"][:15] + "!")
    limits = requests.get(
        f"{emulator.base_url}/services/data/v60.0/limits",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert limits.status_code == 200 and limits.headers["Sforce-Limit-Info"] == "api-usage=1/15000"
    requests.get(f"{emulator.base_url}/services/oauth2/userinfo?oauth_token={token}", timeout=10)
    status, rest = emulator.stop()
    log = emulator.stderr()
    assert status == 0 and "stopped" in rest
    assert re.search(r"POST /services/oauth2/token 200 [\d.]+ms", log)
    assert "GET /services/data/v60.0/limits 200" in log
    assert token not in log and token[16:] not in log


def test_wrong_consumer_key_is_refused(emulator: EmulatorProcess, keys: tuple[str, Path]) -> None:
    org = {**emulator.orgs[0], "client_id": "3MVG9wrong"}
    response = login(emulator.base_url, org, keys[0])
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_client_id",
        "error_description": "client identifier invalid",
    }


def test_config_file_with_many_orgs(tmp_path: Path, keys: tuple[str, Path]) -> None:
    (tmp_path / "server.crt").write_text(keys[1].read_text())
    config = {
        "orgs": [
            {"name": "prod", "certificate": "server.crt", "sample_data": False},
            {"name": "uat", "type": "sandbox", "certificate": "server.crt", "sample_data": False},
        ]
    }
    (tmp_path / "emu.json").write_text(json.dumps(config))
    process = EmulatorProcess("--config", "emu.json", cwd=tmp_path)
    try:
        assert [o["name"] for o in process.orgs] == ["prod", "uat"]
        tokens = [login(process.base_url, o, keys[0]).json()["access_token"] for o in process.orgs]
        assert tokens[0][:15] == process.orgs[0]["org_id"][:15]
        assert tokens[1][:15] == process.orgs[1]["org_id"][:15]
    finally:
        assert process.stop()[0] == 0


def test_https_with_written_certificate(tmp_path: Path, keys: tuple[str, Path]) -> None:
    tls = tmp_path / "tls.pem"
    process = EmulatorProcess(
        "--https", "--tls-cert-out", str(tls), "--cert", str(keys[1]), "--no-sample-data",
        cwd=tmp_path,
    )  # fmt: skip
    try:
        assert process.base_url.startswith("https://")
        response = login(process.base_url, process.orgs[0], keys[0], verify=str(tls))
        assert response.status_code == 200
        assert response.json()["instance_url"] == process.base_url
    finally:
        assert process.stop()[0] == 0


def test_invalid_config_exits_4_with_the_place(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text("orgs:\n  - name: a\n    faults: [{status: 999}]\n")
    completed = subprocess.run(
        [sys.executable, "-m", "runner.emulator.cli", "--config", "bad.yml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert completed.returncode == 4
    assert "bad.yml:3:15: orgs[0].faults[0].status: 999 is greater" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_a_username_that_is_not_an_email_exits_4_at_its_place(tmp_path: Path) -> None:
    (tmp_path / "orgs.yml").write_text("orgs:\n  - name: a\n    username: ops-user\n")
    for args, said in (
        (["--config", "orgs.yml"], "orgs.yml:3:5: orgs[0].username: 'ops-user' is not an "
                                   "email address"),
        (["--username", "u@x", "--client-id", "C"], "options: username: 'u@x' is not an "
                                                    "email address"),
    ):
        completed = subprocess.run(
            [sys.executable, "-m", "runner.emulator.cli", *args],
            cwd=tmp_path, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert completed.returncode == 4, completed.stderr
        assert said in completed.stderr
        assert "Traceback" not in completed.stderr


def test_a_closed_stdout_costs_no_traceback_when_it_stops(
    tmp_path: Path, keys: tuple[str, Path]
) -> None:
    """A script that read the URL and went away: the emulator still stops cleanly."""
    process = subprocess.Popen(
        [sys.executable, "-m", "runner.emulator.cli", "--cert", str(keys[1]), "-q"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    assert "listening on http://127.0.0.1:" in process.stdout.readline()
    process.stdout.close()
    process.send_signal(signal.SIGTERM)
    status, said = process.wait(timeout=30), process.stderr.read()
    process.stderr.close()
    assert (status, said) == (0, ""), said


def test_faults_from_flags(tmp_path: Path, keys: tuple[str, Path]) -> None:
    process = EmulatorProcess(
        "--cert", str(keys[1]), "--no-sample-data", "--seed", "5",
        "--fault", '{path: "/services/data/*/limits", status: 503, times: 1, retry_after: 4}',
        "--fault", '{path: "/services/data/*/sobjects", drop: true}',
        "--fault", '{path: "/services/data/*/tooling/*", html: true}',
        cwd=tmp_path,
    )  # fmt: skip
    try:
        token = login(process.base_url, process.orgs[0], keys[0]).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        base = f"{process.base_url}/services/data/v60.0"
        first = requests.get(f"{base}/limits", headers=auth, timeout=10)
        assert (first.status_code, first.headers["Retry-After"]) == (503, "4")
        assert first.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"
        assert requests.get(f"{base}/limits", headers=auth, timeout=10).status_code == 200
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{base}/sobjects", headers=auth, timeout=10)
        page = requests.get(f"{base}/tooling/query", headers=auth, timeout=10)
        assert page.status_code == 503 and page.headers["Content-Type"].startswith("text/html")
    finally:
        process.stop()
    assert "GET /services/data/v60.0/sobjects dropped" in process.stderr()

"""Overhead: 500 GETs through ``sfjwt-run`` against 500 through a plain requests loop.

Both talk to the same standalone ``sfjwt-emulator`` process, log in once with a
JWT, and then GET the same record 500 times over one keep-alive connection.
Prints the median of the per-pair ratios runner / plain, the two sides alternating in
one run (target <= 1.1).

    python benchmarks/overhead.py [--requests 500] [--pairs 7]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import paired, report, run_quietly, write
from runner.salesforce import keys
from runner.salesforce.auth import JwtCredentials, request_token

CLIENT_ID, USERNAME = "BENCHMARK", "bench@example.com"
PATH = "/services/data/v60.0/limits"


def start_emulator(certificate: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "runner.emulator.cli", "--port", "0", "--cert", str(certificate),
         "--client-id", CLIENT_ID, "--username", USERNAME],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert process.stdout is not None
    match = re.search(r"listening on (\S+)", process.stdout.readline())
    assert match, "the emulator did not print its URL"
    return process, match.group(1)


def plain_loop(url: str, private_key: keys.KeyPair, count: int) -> None:
    with requests.Session() as session:
        credentials = JwtCredentials(url, CLIENT_ID, USERNAME, private_key.private_key)
        token = request_token(session, credentials, timeout=10)
        headers = {"Authorization": f"Bearer {token.access_token}"}
        for _ in range(count):
            response = session.get(token.instance_url + PATH, headers=headers, timeout=10)
            response.raise_for_status()
            response.json()


def playbook(url: str, count: int) -> str:
    return f"""name: overhead
orgs:
  bench:
    login_url: {url}
    client_id: {CLIENT_ID}
    username: {USERNAME}
    private_key: server.key
steps:
  - name: {count} GETs
    loop: "{{{{ range({count}) | list }}}}"
    request: {{path: {PATH}}}
    expect: {{status: 200}}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--pairs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pair, _ = keys.ensure_key_pair(private_key=folder / "server.key",
                                       certificate=folder / "server.crt")
        process, url = start_emulator(folder / "server.crt")
        try:
            book = write(folder / "overhead.yml", playbook(url, args.requests))
            assert run_quietly(str(book)) == 0, "the playbook failed"
            plain_loop(url, pair, 10)
            result = paired(args.pairs, lambda: run_quietly(str(book)),
                            lambda: plain_loop(url, pair, args.requests))
        finally:
            process.terminate()
            process.wait(timeout=10)
    report(f"overhead, {args.requests} GETs", args.pairs, result, 1.1,
           ("sfjwt-run", "plain requests.Session loop"))


if __name__ == "__main__":
    main()

"""The core against the scripted fake org, without the command line: a playbook written
to a file, an org that logs in to the fake org, and a listener that records."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from runner.playbook.model import Playbook, load_playbook
from runner.run.executor import Executor, RunOptions
from runner.run.results import OrgResult, RunResult, StepResult
from runner.salesforce.keys import ephemeral_key_pair
from tests.unit.fake_org import FakeOrg, serve

CLIENT_ID = "3MVG9coreTests"
USERNAME = "core@example.com"


@pytest.fixture
def fake() -> Iterator[FakeOrg]:
    yield from serve(FakeOrg(ephemeral_key_pair().private_key.public_key(), CLIENT_ID, USERNAME))


def org_yaml(name: str, login_url: str, **extra: str) -> str:
    """An org entry that logs in to ``login_url`` with the fake org's consumer key and user."""
    lines = [f"  {name}:", f"    login_url: {login_url}", "    insecure_http: true",
             f"    client_id: {CLIENT_ID}", f"    username: {USERNAME}",
             "    private_key: server.key"]
    lines += [f"    {key}: {value}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"


def write_playbook(folder: Path, text: str) -> Playbook:
    """``text`` as ``folder/playbook.yml``, next to the key the fake org trusts."""
    key = folder / "server.key"
    if not key.exists():
        pem = ephemeral_key_pair().private_key.private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        key.write_bytes(pem)
        key.chmod(0o600)
    path = folder / "playbook.yml"
    path.write_text(text)
    return load_playbook(path)


class Recorder:
    """A RunListener that keeps what it heard, in order."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.steps: list[StepResult] = []
        self.orgs: list[OrgResult] = []

    def run_started(self, playbook: Playbook, orgs: Sequence[str]) -> None:
        self.started = list(orgs)

    def step_finished(self, result: StepResult) -> None:
        self.steps.append(result)

    def org_finished(self, result: OrgResult) -> None:
        self.orgs.append(result)


def run(playbook: Playbook, listener: Recorder | None = None, **options: object) -> RunResult:
    return Executor(playbook, RunOptions(**options), listener).run()  # type: ignore[arg-type]

"""Each run has its own environment variables, working directory and secrets.

Two runs in one process — one after the other, or side by side in two threads —
each see the variables and the ``.env`` file of their own context, and neither
registry holds the other's tokens.
"""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

from rich.console import Console

from runner import secrets
from runner.cli.environment import Environment
from runner.cli.main import main
from runner.context import RunContext
from runner.secrets import SecretRegistry

PLAYBOOK = """\
name: Whose environment
orgs:
  one: {emulator: true}
  two: {emulator: true}
steps:
  - name: Sees its own variables
    assert:
      - env.WHO == expected
      - env.FROM_DOTENV == expected
"""
TOKEN = re.compile(r"^00D\w+!")


def _run(tmp_path: Path, who: str, playbook: Path) -> tuple[int, str, RunContext]:
    folder = tmp_path / who
    folder.mkdir()
    (folder / ".env").write_text(f"FROM_DOTENV={who}\n")
    context = RunContext({"WHO": who}, folder, SecretRegistry())
    out = io.StringIO()
    console = Console(file=out, width=100, no_color=True)
    status = main([str(playbook), "-e", f"expected={who}"], Environment(console, console),
                  context)
    return status, out.getvalue(), context


def _tokens(registry: SecretRegistry) -> set[str]:
    return {value for value in registry._values if TOKEN.match(value)}


def test_two_runs_one_after_the_other_keep_to_their_own(tmp_path: Path) -> None:
    playbook = tmp_path / "playbook.yml"
    playbook.write_text(PLAYBOOK)
    first = _run(tmp_path, "alpha", playbook)
    second = _run(tmp_path, "beta", playbook)
    assert (first[0], second[0]) == (0, 0), first[1] + second[1]
    alpha, beta = _tokens(first[2].secrets), _tokens(second[2].secrets)
    assert len(alpha) == 2 and len(beta) == 2  # a token per org, each run its own
    assert not alpha & beta
    assert not (alpha | beta) & _tokens(secrets.current())  # nothing leaked to the process


def test_two_runs_side_by_side_keep_to_their_own(tmp_path: Path) -> None:
    playbook = tmp_path / "playbook.yml"
    playbook.write_text(PLAYBOOK)
    results: dict[str, tuple[int, str, RunContext]] = {}
    threads = [threading.Thread(target=lambda who=who: results.update({who: _run(
        tmp_path, who, playbook)})) for who in ("gamma", "delta")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[who][0] for who in ("gamma", "delta")] == [0, 0], results
    assert not _tokens(results["gamma"][2].secrets) & _tokens(results["delta"][2].secrets)

"""Golden files pin what users see: each case is a playbook, its output and its exit status.

A case folder holds ``playbook.yml``, optional ``args`` (one argument per line),
``expected.out`` (stdout then stderr, scrubbed of times, ports and paths) and
``expected.exit``. Run ``pytest --update-golden`` to rewrite them after a
deliberate change, then read the diff.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli_inprocess, scrub

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
CASES = sorted(p for p in GOLDEN.iterdir() if (p / "playbook.yml").exists())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                update_golden: bool) -> None:
    work = tmp_path / case.name
    shutil.copytree(case, work)
    monkeypatch.chdir(work)
    args_file = work / "args"
    args = args_file.read_text().split("\n") if args_file.exists() else []
    run = run_cli_inprocess(*[a for a in args if a], "playbook.yml")
    actual = scrub(run.stdout + "--- stderr ---\n" + run.stderr, work)
    if update_golden:
        (case / "expected.out").write_text(actual)
        (case / "expected.exit").write_text(f"{run.status}\n")
    assert actual == (case / "expected.out").read_text()
    assert run.status == int((case / "expected.exit").read_text())

"""Golden files pin what users see: each case is a playbook, its output and its exit status.

A case folder holds ``playbook.yml``, optional ``args`` (one argument per line),
``expected.out`` (stdout then stderr, scrubbed of times, ports and paths) and
``expected.exit``; a file ``expected.NAME`` pins a file ``NAME`` the run writes
(``--junit report.xml`` → ``expected.report.xml``). Run ``pytest --update-golden``
to rewrite them after a deliberate change, then read the diff.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli_inprocess, scrub

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
CASES = sorted(p for p in GOLDEN.iterdir() if (p / "playbook.yml").exists())
OWN_FILES = {"expected.out", "expected.exit"}
_XML_TIMES = re.compile(r'time="[\d.]+"')
_XML_WHEN = re.compile(r'(timestamp|hostname)="[^"]*"')
_CLAIM_TIMES = re.compile(r'"exp": \d+')


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                update_golden: bool) -> None:
    work = tmp_path / case.name
    shutil.copytree(case, work)
    monkeypatch.chdir(work)
    args_file = work / "args"
    args = args_file.read_text().split("\n") if args_file.exists() else []
    run = run_cli_inprocess(*[a for a in args if a], "playbook.yml")
    actual = _scrub(run.stdout + "--- stderr ---\n" + run.stderr, work)
    written = {path.name: _scrub((work / path.name.removeprefix("expected.")).read_text(), work)
               for path in case.glob("expected.*") if path.name not in OWN_FILES}
    if update_golden:
        (case / "expected.out").write_text(actual)
        (case / "expected.exit").write_text(f"{run.status}\n")
        for name, text in written.items():
            (case / name).write_text(text)
    assert actual == (case / "expected.out").read_text()
    assert run.status == int((case / "expected.exit").read_text())
    for name, text in written.items():
        assert text == (case / name).read_text(), name


def _scrub(text: str, work: Path) -> str:
    """Times, timestamps and the host name in JUnit attributes and the JWT's expiry change
    on every run, and so do the widths of the matrix's timed cells; the rest as for every
    golden file. JUnit's stand-ins stay valid against junit-10.xsd."""
    text = _XML_WHEN.sub(r'\1="N"', _XML_TIMES.sub('time="0.000"', text))
    text = _CLAIM_TIMES.sub('"exp": <time>', text)
    return _matrix_spacing(scrub(text, work))


def _matrix_spacing(text: str) -> str:
    """The orgs × steps matrix with single spaces: its columns are as wide as their widest
    time, which is not the same from one run to the next."""
    lines, inside = [], False
    for line in text.split("\n"):
        inside = (inside or line == "ORGS × STEPS") and not line.startswith("  1. ")
        lines.append(" ".join(line.split()) if inside else line)
    return "\n".join(lines)

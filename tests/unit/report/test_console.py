"""Console report: recap tables sized from their cells look exactly as rich would lay them out."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from runner.report.console import ConsoleReport
from runner.results import OrgResult, Outcome, RunResult, StepResult
from tests.unit.report.fixtures import SECRET_TOKEN, sample_run


def many_orgs(count: int) -> RunResult:
    orgs = []
    for n in range(count):
        name = f"org{n:03d}" + ("-with-a-longer-name" if n % 7 == 0 else "")
        org = OrgResult(name, elapsed_ms=600.0 + n)
        org.login = StepResult(0, "log in", name, Outcome.OK, 10.0)
        failed = n == 3
        org.steps = [
            StepResult(i, f"step {i}", name, Outcome.FAILED if failed and i == 4 else Outcome.OK,
                       50.0 + i * 13.7, ignored=failed and i == 2)
            for i in range(1, 11)
        ]
        orgs.append(org)
    return RunResult("fan-out.yml", "fan-out", orgs=orgs, elapsed_ms=900.0)


def recap(run: RunResult, width: int, *, fit: bool, monkeypatch: pytest.MonkeyPatch) -> str:
    console = Console(file=io.StringIO(), width=width, color_system="truecolor",
                      force_terminal=True)
    with monkeypatch.context() as patch:
        if not fit:
            patch.setattr(ConsoleReport, "_fit", lambda self, table, rows: None)
        ConsoleReport(console).recap(run)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return output


@pytest.mark.parametrize("width", [200, 120, 60, 30])
@pytest.mark.parametrize("run", [many_orgs(1), many_orgs(12), sample_run()],
                         ids=["one", "twelve", "sample"])
def test_sized_tables_print_what_rich_measures(
    run: RunResult, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert recap(run, width, fit=True, monkeypatch=monkeypatch) == recap(
        run, width, fit=False, monkeypatch=monkeypatch)


def test_the_matrix_shows_every_org_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    text = recap(many_orgs(12), 200, fit=True, monkeypatch=monkeypatch)
    matrix = text.split("ORGS × STEPS")[1]
    assert "org007-with-a-longer-name" in matrix
    assert SECRET_TOKEN not in recap(sample_run(), 120, fit=True, monkeypatch=monkeypatch)


def test_a_step_line_stays_one_line_on_a_narrow_console() -> None:
    console = Console(file=io.StringIO(), width=30, no_color=True)
    report = ConsoleReport(console)
    report.step_finished(StepResult(1, "describe the Account object", "production-eu",
                                    Outcome.OK, 53.0))
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1
    assert "describe the Account object" in lines[0] and lines[0].endswith("53 ms")

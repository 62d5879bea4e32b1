"""Console report: recap tables sized from their cells look exactly as rich would lay them out."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from runner import secrets
from runner.context import carry
from runner.playbook.loader import load_text
from runner.playbook.model import Playbook, build_playbook
from runner.report.console import ConsoleReport
from runner.report.plaintable import GAP, shows_no_style
from runner.run.results import Kind, OrgResult, Outcome, Reason, RunResult, StepResult, Why
from runner.secrets import SecretRegistry
from tests.unit.report.fixtures import SECRET_TOKEN, sample_run


def many_orgs(count: int) -> RunResult:
    orgs = []
    for n in range(count):
        name = f"org{n:03d}" + ("-with-a-longer-name" if n % 7 == 0 else "")
        org = OrgResult(name, elapsed_ms=600.0 + n)
        org.login = StepResult(Kind.LOGIN, 0, "log in", name, Outcome.OK, 10.0)
        failed = n == 3
        org.steps = [
            StepResult(Kind.STEP, i, f"step {i}", name,
                       Outcome.FAILED if failed and i == 4 else Outcome.OK,
                       50.0 + i * 13.7, ignored=failed and i == 2)
            for i in range(1, 11)
        ]
        orgs.append(org)
    return RunResult("fan-out.yml", "fan-out", orgs=orgs, elapsed_ms=900.0)


def wide_names() -> RunResult:
    """Names of wide characters (a playbook's file name may have them), and dotted ones."""
    run = many_orgs(3)
    for org, name in zip(run.orgs, ["組織-東京", "acme.uat-2", "x"], strict=True):
        org.name = name
        for step in [org.login, *org.steps]:
            object.__setattr__(step, "org", name)
    return run


def rich_table(report: ConsoleReport, table: Table, rows: list[list[str]],
               fill: Callable[[Table], None] | None = None) -> None:
    """rich's own layout of the table filled as the report fills it; on a console that shows
    no styles (a log, read whole) with the room the table needs, however narrow the console."""
    console = report.console
    if fill is not None:
        fill(table)
    else:
        for row in rows:
            table.add_row(*row)
    if not shows_no_style(console):
        console.print(table)
        return
    headers = [str(column.header) for column in table.columns]
    widths = [max(map(cell_len, cells)) for cells in zip(headers, *rows, strict=True)]
    width = console.width  # print(width=) cannot widen past it
    console.width = max(width, sum(widths) + GAP * (len(widths) - 1))
    console.print(table)
    console.width = width


def recap(
    run: RunResult, width: int, *, fast: bool, monkeypatch: pytest.MonkeyPatch, colour: bool = True,
    soft_wrap: bool = False,
) -> str:
    options = {"force_terminal": True, "color_system": "truecolor"} if colour else {}
    console = Console(file=io.StringIO(), width=width, soft_wrap=soft_wrap,
                      **options)  # type: ignore[arg-type]
    with monkeypatch.context() as patch:
        if not fast:  # rich measures and lays out every table itself
            patch.setattr(ConsoleReport, "_print_table", rich_table)
        ConsoleReport(console).recap(run)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return output


@pytest.mark.parametrize("soft_wrap", [False, True], ids=["wrap", "soft-wrap"])
@pytest.mark.parametrize("colour", [True, False], ids=["colour", "plain"])
@pytest.mark.parametrize("width", [200, 120, 60, 30])
@pytest.mark.parametrize("run", [many_orgs(1), many_orgs(12), sample_run(), wide_names()],
                         ids=["one", "twelve", "sample", "wide"])
def test_recap_tables_print_what_rich_lays_out(
    run: RunResult, width: int, colour: bool, soft_wrap: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Laid out from the cells' widths, or as plain lines on a console that shows no styles
    (soft-wrapping, as the command's consoles do, or not): what rich's own table prints."""
    options = {"monkeypatch": monkeypatch, "colour": colour, "soft_wrap": soft_wrap}
    assert recap(run, width, fast=True, **options) == recap(run, width, fast=False, **options)


def test_the_matrix_shows_every_org_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    text = recap(many_orgs(12), 200, fast=True, monkeypatch=monkeypatch, colour=False)
    matrix = text.split("ORGS × STEPS")[1]
    assert "org007-with-a-longer-name" in matrix
    assert SECRET_TOKEN not in recap(sample_run(), 120, fast=True, monkeypatch=monkeypatch)


def test_a_step_line_stays_one_line_on_a_narrow_console() -> None:
    console = Console(file=io.StringIO(), width=30, no_color=True)
    report = ConsoleReport(console)
    report.step_finished(StepResult(Kind.STEP, 1, "describe the Account object", "production-eu",
                                    Outcome.OK, 53.0))
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1
    assert "describe the Account object" in lines[0] and lines[0].endswith("53 ms")


STEP_NAMES = ["plain", "tab\there", "wide 日本語", "bell\x07 and\rreturn", "[bold]markup[/]",
              "trailing   ", "x" * 80, "emoji :smile:"]


def step_lines(console: Console) -> str:
    report = ConsoleReport(console)
    for index, name in enumerate(STEP_NAMES):
        outcome = (Outcome.OK, Outcome.SKIPPED, Outcome.FAILED)[index % 3]
        report.step_finished(StepResult(Kind.STEP, index, name, "org-1", outcome, 12.0,
                                        reason=Reason(Why.ERROR, f"because {SECRET_TOKEN}")))
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return output


def test_step_lines_show_names_as_typed_one_line_each_and_masked() -> None:
    text = step_lines(Console(file=io.StringIO(), width=50))
    assert "\t" not in text and "tab here" in text and SECRET_TOKEN not in text
    assert "[bold]markup[/]" in text and "emoji :smile:" in text
    assert text.count("org-1") == len(STEP_NAMES)


def test_a_recording_or_colour_console_gets_rich_output() -> None:
    recording = Console(file=io.StringIO(), width=50, record=True)
    step_lines(recording)
    assert "wide 日本語" in recording.export_text()
    colour = Console(file=io.StringIO(), width=50, force_terminal=True, color_system="standard")
    assert "\x1b[" in step_lines(colour)


def _playbook(name: str) -> Playbook:
    text = f"name: {name}\nsteps:\n  - {{name: s, request: {{path: /x}}}}\n"
    return build_playbook(load_text(text, f"{name}.yml"))


def _results(count: int) -> list[StepResult]:
    return [StepResult(Kind.STEP, index, STEP_NAMES[index % len(STEP_NAMES)], f"org-{index}",
                       (Outcome.OK, Outcome.SKIPPED, Outcome.FAILED)[index % 3], 12.0,
                       reason=Reason(Why.ERROR, f"because {SECRET_TOKEN}"))
            for index in range(count)]


@pytest.mark.parametrize("colour", [True, False], ids=["colour", "plain"])
def test_lines_handed_over_during_a_run_print_as_they_would_one_by_one(colour: bool) -> None:
    """During a run the lanes hand results to a printer thread that prints what queued up in
    one call; the text is the same as printing each result at once, and still masked."""
    options = {"force_terminal": True, "color_system": "truecolor"} if colour else {}
    at_once = Console(file=io.StringIO(), width=80, **options)  # type: ignore[arg-type]
    handed = Console(file=io.StringIO(), width=80, **options)  # type: ignore[arg-type]
    results = _results(40)
    direct = ConsoleReport(at_once)
    direct.run_started(_playbook("lines"), ["org-0"])
    direct.finish()  # no printer thread from here on: each result is printed at once
    before = at_once.file.tell()
    for result in results:
        direct.step_finished(result)
    report = ConsoleReport(handed)
    run = RunResult("lines.yml", "lines", orgs=[OrgResult("org-0")], elapsed_ms=1.0)
    report.run_started(_playbook("lines"), ["org-0"])
    start = handed.file.tell()
    lanes = [threading.Thread(target=carry(report.step_finished), args=(result,))
             for result in results]
    for lane in lanes:  # one after the other: the order of the lines is the order handed over
        lane.start()
        lane.join()
    report.finish()
    printed = handed.file.getvalue()[start:]  # type: ignore[attr-defined]
    assert printed == at_once.file.getvalue()[before:]  # type: ignore[attr-defined]
    assert SECRET_TOKEN not in printed and printed.count("org-") == len(results)
    report.recap(run)  # the printer has ended: a recap after finish() is fine


def test_a_run_secret_is_masked_in_lines_the_printer_thread_prints() -> None:
    """The printer thread works in the run's context, whose registry knows the run's secrets."""
    registry = SecretRegistry()
    secret = "run-only-secret-5b1f"
    console = Console(file=io.StringIO(), width=80, no_color=True)
    with secrets.use(registry):
        registry.add(secret)
        report = ConsoleReport(console)
        report.run_started(_playbook("masked"), ["org-1"])
        report.step_finished(StepResult(Kind.STEP, 1, f"GET {secret}", "org-1", Outcome.FAILED,
                                        5.0, reason=Reason(Why.ERROR, f"said {secret}")))
        report.finish()
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert secret not in text and "said ***" in text

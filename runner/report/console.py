"""The console report: a header, a line per step as it finishes, then a recap.

Every string that came from a server or a template passes through
``redact`` before it reaches rich, so no token or assertion can be printed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from runner.errors import ExitStatus
from runner.playbook.model import Playbook
from runner.report import matrix
from runner.report.plaintable import GAP, plain_lines, shows_no_style, write_plain
from runner.report.printer import Printer
from runner.report.progress import ProgressDisplay, wanted
from runner.report.wording import (
    CAUSED_BY_FAILURE,
    RECAP_COLUMNS,
    describe_check,
    extra_columns,
    extra_counts,
    reason_text,
    recap_counts,
)
from runner.run.results import Invocation, Kind, OrgResult, Outcome, RunResult, StepResult, Tally
from runner.secrets import redact

STYLES = {
    Outcome.OK: "green",
    Outcome.CHANGED: "yellow",
    Outcome.FAILED: "bold red",
    Outcome.SKIPPED: "cyan",
    Outcome.INTERRUPTED: "magenta",
    Outcome.RESCUED: "yellow",
    Outcome.ABORTED: "magenta",
}
_DETAIL = " " * 13  # where the lines under a step start
_SHOWN_FAILURES = (Outcome.FAILED, Outcome.RESCUED)
EXCERPT_CHARS = 240
KEYS_ROW = "(keys)"  # the recap's row for the playbook's keys; no org name has parentheses


def _item_text(item: StepResult) -> str:
    """A loop item as its line names it: the step's name rendered for the item when that
    tells items apart, else its label."""
    label = item.item or ""
    return item.name if label and label in item.name else f"{item.name} ({label})"


def _padded(text: str, width: int) -> str:
    """``text`` padded to ``width`` columns of a terminal (a CJK character takes two)."""
    return text + " " * (width - cell_len(text))


def _cut(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1] + "…"


@dataclass(frozen=True)
class _Line:
    """A line as pieces of text and their styles: its characters are all a console that
    shows no styles needs, and a rich ``Text`` (tens of microseconds a line, thousands of
    lines in a fleet's run) is made only for one that does."""

    pieces: tuple[tuple[str, str], ...]
    style: str = ""  # the whole line's

    @classmethod
    def stripped(cls, *pieces: tuple[str, str]) -> _Line:
        """The pieces without the whitespace that ends the line (as ``Text.rstrip``)."""
        kept = list(pieces)
        while kept and not kept[-1][0].rstrip():
            kept.pop()
        if kept:
            kept[-1] = (kept[-1][0].rstrip(), kept[-1][1])
        return cls(tuple(kept))

    @property
    def plain(self) -> str:
        return "".join(text for text, _style in self.pieces)

    def text(self) -> Text:
        return Text.assemble(*self.pieces, style=self.style)


class ConsoleReport:
    """Prints as results arrive (a RunListener) and the recap at the end."""

    def __init__(self, console: Console, *, verbosity: int = 0, progress: bool = False) -> None:
        self.console = console
        self.verbosity = verbosity
        self._want_progress = progress
        self._progress: ProgressDisplay | None = None
        self._name_width, self._org_width = 40, 16
        self._lock = threading.Lock()
        self._printer: Printer[StepResult | OrgResult] | None = None
        self._batch: list[_Line] | None = None  # lines gathered to be printed in one call

    # -- RunListener ----------------------------------------------------------
    def run_started(self, playbook: Playbook, orgs: Sequence[str]) -> None:
        names = [step.name for step in playbook.steps] + ["log in"] + [
            f"key {name}" for name in playbook.keys]
        self._name_width = min(max(cell_len(name) for name in names), 60)
        self._org_width = min(max([len(org) for org in orgs] + [8]), 30)
        if wanted(self.console, enabled=self._want_progress):
            self._progress = ProgressDisplay(self.console, orgs=len(orgs),
                                             steps=len(playbook.steps))
        header = Text.assemble(("PLAY ", "bold"), (redact(playbook.name), "bold"),
                               f"  ({playbook.path})")
        self.console.print(header)
        emulated = [n for n in orgs if playbook.orgs.get(n) and playbook.orgs[n].is_emulated]
        labels = [f"{n} (embedded org)" if n in emulated else n for n in orgs]
        self.console.print(Text(f"orgs: {', '.join(labels) or 'none'}"))
        self.console.print()
        self._printer = Printer(self._show)

    def step_finished(self, result: StepResult) -> None:
        self._hand_over(result)

    def org_finished(self, result: OrgResult) -> None:
        self._hand_over(result)

    def _hand_over(self, result: StepResult | OrgResult) -> None:
        """To the printer's thread while a run is under way; printed at once otherwise."""
        printer = self._printer
        if printer is not None:
            printer.put(result)
        else:
            self._show([result])

    def _show(self, results: list[StepResult | OrgResult]) -> None:
        """The lines of ``results``, printed by one call of rich."""
        with self._lock:
            self._batch = []
            try:
                for result in results:
                    self._count(result)
                    if isinstance(result, StepResult):
                        self._print_step(result)
                if self._batch:
                    self._write(self._batch)
            finally:
                self._batch = None

    def _write(self, lines: list[_Line]) -> None:
        """Lines in one write: directly where rich would write their characters alone (no
        styles shown, no progress display above which rich must print), else through rich."""
        text = "\n".join(line.plain for line in lines)
        if self._progress is None and write_plain(self.console, text):
            return
        self.console.print(Text("\n").join(line.text() for line in lines), soft_wrap=True)

    def _count(self, result: StepResult | OrgResult) -> None:
        if self._progress is None:
            return
        if isinstance(result, OrgResult):
            self._progress.org_done()
        elif result.kind is Kind.STEP:
            self._progress.step_done()

    # -- lines ---------------------------------------------------------------------
    def _print_step(self, result: StepResult) -> None:
        self._print_result(result, item=False)
        for item in result.items:
            if self.verbosity or item.outcome in _SHOWN_FAILURES:
                self._print_result(item, item=True)

    def _print_result(self, result: StepResult, *, item: bool) -> None:
        """A step's line (a loop item's, indented, in the same columns; a name longer than its
        column is printed whole, pushing the rest of its line along) and what is under it."""
        word = result.outcome.value + (" (ignored)" if result.ignored and not item else "")
        name_width, org_width = self._name_width, self._org_width
        timed = result.outcome.passed or result.elapsed_ms
        timing = f"{result.elapsed_ms:>7.0f} ms" if timed else ""
        lead = f"    {word:<7} " if item else f"  {word:<9} "  # "interrupted" is longer
        self._print_line(_Line.stripped(
            (lead, STYLES[result.outcome]),
            (_padded(redact(_item_text(result) if item else result.name), name_width) + "  ", ""),
            (f"{result.org:<{org_width}.{org_width}} ", "blue"),
            (timing, ""),
        ))
        if self.verbosity and result.exchange:
            x = result.exchange
            self._detail(redact(x.curl or x.method + " " + x.url))
            self._detail(f"→ {x.status}")
        if result.outcome in _SHOWN_FAILURES:
            self._print_failure(result)
        elif result.reason and (self.verbosity or result.reason.why in CAUSED_BY_FAILURE) \
                and not result.outcome.passed:
            self._detail(reason_text(result), "dim")
        if result.message is not None:
            for text in redact(result.message).splitlines() or [""]:
                self._detail(text)
        if self.verbosity >= 2 and result.exchange and result.exchange.response_excerpt:
            whole = result.exchange.response_text or result.exchange.response_excerpt
            self._detail(redact(whole), "dim")

    def _detail(self, text: str, style: str = "") -> None:
        self._print_line(_Line(((_DETAIL + text, ""),), style))

    def _print_line(self, line: _Line) -> None:
        if self._batch is not None:
            self._batch.append(line)
        else:  # fixed-width columns: nothing to wrap
            self.console.print(line.text(), soft_wrap=True)

    def _print_failure(self, result: StepResult) -> None:
        """What failed (a looped step: its items, on their own lines, say it)."""
        failed = [check for check in result.checks if not check.passed]
        for check in failed:
            self._detail(f"✗ {describe_check(check)}", "red")
        if not failed and result.reason:
            self._detail(f"✗ {reason_text(result)}", "red")
        if failed and result.exchange and result.exchange.response_excerpt and self.verbosity < 2:
            self._detail(f"response: {_cut(redact(result.exchange.response_excerpt))}")

    def _matrix(self, run: RunResult) -> None:
        indexes = matrix.step_indexes(run)
        table = Table(title="ORGS × STEPS", title_justify="left", show_edge=False, box=None,
                      pad_edge=False)
        table.add_column("org", style="blue", no_wrap=True)
        table.add_column("login", no_wrap=True)
        for number in range(1, len(indexes) + 1):
            table.add_column(str(number), justify="right", no_wrap=True)
        rows = [[org.name, *matrix.row(org, indexes)] for org in matrix.ordered_orgs(run)]

        def styled(table: Table) -> None:
            for name, *cells in rows:
                table.add_row(name, *(Text(c, "red" if c.startswith("✗") else "") for c in cells))

        self.console.print()
        self._print_table(table, rows, styled)
        for number, name in enumerate(matrix.step_names(run), 1):
            self.console.print(Text(f"  {number}. {redact(name)}", "dim"))

    def _print_table(self, table: Table, rows: list[list[str]],
                     fill: Callable[[Table], None] | None = None) -> None:
        """Print a recap table of ``rows`` (added to ``table`` by ``fill``, styled, when rich
        renders it), each column as wide as its widest cell: that spares rich measuring
        every cell (most of a recap's time with hundreds of orgs); on a console that shows
        no styles (a pipe, a CI log), the lines are written without rich's table at all,
        however wide. A wider table on a terminal is left to rich's own fitting."""
        console = self.console
        headers = [str(column.header) for column in table.columns]
        widths = [max(map(cell_len, cells)) for cells in zip(headers, *rows, strict=True)]
        total = sum(widths) + GAP * (len(widths) - 1)
        plain = shows_no_style(console)
        if total <= console.width or plain:  # a log is read whole, never cut to a width
            lines = plain_lines(table, rows, widths, soft_wrap=console.soft_wrap) \
                if plain else None
            if lines is not None:
                text = "\n".join(lines)
                if not write_plain(console, text):
                    console.print(Text(text), soft_wrap=True)
                return
        if fill is not None:
            fill(table)
        else:
            for row in rows:
                table.add_row(*row)
        if total <= console.width:
            for column, width in zip(table.columns, widths, strict=True):
                column.width = width
        console.print(table)

    # -- recap ---------------------------------------------------------------------
    def recap(self, run: RunResult) -> None:
        """The recap of one playbook: counts per org, the matrix, what could not log in."""
        self.finish()
        self.console.print()
        self._recap_table([run], playbooks=False)
        self.afterword(run)
        self.console.print(Text.assemble(_verdict(run.exit_status),
                                         f" in {run.elapsed_ms / 1000:.2f} s"))

    def finish(self) -> None:
        """Print the lines still queued, then stop the live progress display."""
        printer, self._printer = self._printer, None
        if printer is not None:
            printer.close()
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def afterword(self, run: RunResult) -> None:
        """What follows a playbook's lines in any recap: its orgs × steps matrix (with
        several orgs) and the orgs that could not log in, with the hint."""
        if len(run.orgs) > 1:
            self._matrix(run)
        for org in run.orgs:
            if org.unreachable and org.login:
                self.console.print(Text(f"{org.name}: {reason_text(org.login)}", "red"))
                if org.hint:
                    self.console.print(Text(f"  hint: {redact(org.hint)}"))

    # -- several playbooks ---------------------------------------------------------------
    def header(self, playbooks: Sequence[Playbook], source: str) -> None:
        """One header for a command that runs several playbooks (a folder of recipes)."""
        self.console.print(Text.assemble(("RUN ", "bold"), (f"{len(playbooks)} playbooks", "bold"),
                                         f" from {source}" if source else ""))
        for playbook in playbooks:
            self.console.print(Text(f"  {playbook.path}  {redact(playbook.name)}"))
        self.console.print()

    def summary(self, invocation: Invocation) -> None:
        """One recap for several playbooks: playbooks × orgs, then one verdict."""
        self.finish()
        self._recap_table(invocation.runs, playbooks=True)
        print_overall(self.console, invocation)

    def _recap_table(self, runs: Sequence[RunResult], *, playbooks: bool) -> None:
        table = Table(title="RECAP", title_justify="left", show_edge=False, box=None,
                      pad_edge=False)
        if playbooks:
            table.add_column("playbook")
        table.add_column("org", style="blue")
        extra = extra_columns(org.tally for run in runs for org in run.orgs)
        for column in (*RECAP_COLUMNS, *extra, "time"):
            table.add_column(column, justify="right")
        rows = []
        names = _short_names([run.playbook for run in runs])
        for run in runs:
            own = [names[run.playbook]] if playbooks else []
            if run.keys:  # "changed key main" counts, as Ansible counts its localhost tasks
                keys_ms = sum(key.elapsed_ms for key in run.keys)
                keys = Tally.of(run.keys)
                rows.append([*own, KEYS_ROW, *map(str, recap_counts(keys)
                                                  + extra_counts(keys, extra)),
                             f"{keys_ms / 1000:.2f} s"])
            rows += [[*own, org.name, *map(str, recap_counts(org.tally)
                                           + extra_counts(org.tally, extra)),
                      f"{org.elapsed_ms / 1000:.2f} s"] for org in run.orgs]
        self._print_table(table, rows)


def _verdict(status: ExitStatus) -> tuple[str, str]:
    """The last line's word and its style."""
    return {0: ("PASSED", "bold green"), 99: ("INTERRUPTED", "bold magenta")}.get(
        int(status), ("FAILED", "bold red"))


def _short_names(paths: list[str]) -> dict[str, str]:
    """Playbook paths relative to the folder they share (``a_acme.yml`` in a folder run)."""
    if not paths:
        return {}
    common = os.path.commonpath([os.path.dirname(os.path.abspath(p)) for p in paths])
    return {path: os.path.relpath(os.path.abspath(path), common) for path in paths}


def print_overall(console: Console, invocation: Invocation) -> None:
    """With several playbooks, a last line for all of them: each playbook's recap ends with
    its own verdict, and the last one must not read PASSED when an earlier one failed."""
    runs = invocation.runs
    names = _short_names([run.playbook for run in runs])  # as the recap names them
    failed = [names[run.playbook] for run in runs if run.exit_status is not ExitStatus.OK]
    counted = f"{len(runs)} playbooks" + (
        f", {len(failed)} did not pass ({', '.join(failed)})" if failed else "")
    console.print()
    console.print(Text.assemble(_verdict(invocation.exit_status),
                                f": {counted} in {invocation.elapsed_ms / 1000:.2f} s"))


def print_merge_header(console: Console, run: RunResult, sources: Sequence[str]) -> None:
    """What ``report merge`` read, where a run prints its PLAY line and orgs."""
    console.print(Text.assemble(("MERGE ", "bold"), (redact(run.name), "bold"),
                                f"  ({run.playbook})"))
    console.print(Text(f"reports: {', '.join(sources)}"))
    console.print(Text(f"orgs: {', '.join(org.name for org in run.orgs) or 'none'}"))

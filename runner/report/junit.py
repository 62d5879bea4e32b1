"""``--junit FILE``: a testsuite per playbook × org (and one per playbook for its keys), a
testcase per key, login and step.

Failed steps and keys carry a ``<failure>`` with a one-line message and the
detail; skipped, interrupted and aborted steps, and failures ignored with
``ignore_errors``, a ``<skipped>``; an org that could not log in gets an
``<error>`` on its ``log in`` testcase. A looped step's testcase lists every
item's outcome, and under each failed item what failed and that item's own
response. A failure a block's ``rescue`` handled passes and says so in its
``<system-out>``, where ``debug`` messages go too. The counts on every suite come
from the results' tally.

The file follows the Jenkins xUnit plugin's ``junit-10.xsd``, the schema most CI
servers' readers accept, with one addition: ``file`` and ``line`` on each testcase
(the step's place in the playbook), which that schema lacks but GitHub's and
GitLab's test reporters read to annotate the line, as pytest's ``xunit1`` files do.
Each testsuite says when its lane started (``timestamp``), on which machine
(``hostname``) and from which playbook (``file``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime, timedelta

from runner.report.data import timestamp
from runner.report.wording import describe_check, reason_text
from runner.run.results import (
    Invocation,
    Kind,
    OrgResult,
    Outcome,
    RunResult,
    StepResult,
    Tally,
)
from runner.secrets import redact

KEYS_SUITE = "keys"


def _item_lines(step: StepResult) -> list[str]:
    """One line per loop item, and under each failed one what failed."""
    lines = []
    for item in step.items:
        lines.append(f"item {item.item}: {item.outcome.value}")
        if item.outcome is Outcome.FAILED:
            lines.extend(f"  {text}" for text in _why(item))
            if item.exchange and item.exchange.response_excerpt:
                lines.append(f"  response: {item.exchange.response_excerpt}")
    return lines


def _why(step: StepResult) -> list[str]:
    return [describe_check(check) for check in step.failed_checks] or [reason_text(step)]


def _detail(step: StepResult) -> str:
    lines = _item_lines(step) if step.items else _why(step)
    if step.exchange:
        lines.append(f"{step.exchange.method} {step.exchange.url} → {step.exchange.status}")
        if step.exchange.response_excerpt:
            lines.append(f"response: {step.exchange.response_excerpt}")
    return redact("\n".join(lines))


def _testcase(suite: ET.Element, step: StepResult, classname: str, hint: str | None) -> None:
    case = ET.SubElement(suite, "testcase", name=redact(step.name), classname=classname,
                         time=f"{step.elapsed_ms / 1000:.3f}")
    if step.position is not None:
        case.set("file", step.position.file)
        case.set("line", str(step.position.line))
    reason = reason_text(step)
    if step.outcome is Outcome.FAILED and step.kind is Kind.LOGIN:
        error = ET.SubElement(case, "error", message=reason, type="unreachable")
        error.text = redact(f"{reason}\nhint: {hint}" if hint else reason)
    elif step.outcome is Outcome.FAILED and not step.ignored:
        failure = ET.SubElement(case, "failure", message=reason or "failed", type="failed")
        failure.text = _detail(step)
    elif step.outcome in NOT_RUN or step.ignored:
        ET.SubElement(case, "skipped", message=reason or step.outcome.value)
    out = _system_out(step)
    if out:
        ET.SubElement(case, "system-out").text = redact("\n".join(out))


NOT_RUN = (Outcome.SKIPPED, Outcome.INTERRUPTED, Outcome.ABORTED)


def _system_out(step: StepResult) -> list[str]:
    """What passed but is worth reading: a rescued failure, a debug message, loop items."""
    lines = [f"rescued: {_detail(step)}"] if step.outcome is Outcome.RESCUED else []
    if step.message is not None:
        lines.append(step.message)
    return lines + (_item_lines(step) if step.items else [])


def _counts(tally: Tally, tests: int) -> dict[str, str]:
    """JUnit's counts: ignored failures are skipped, a failed login is an error."""
    return {"tests": str(tests), "failures": str(tally.failed - tally.ignored),
            "errors": str(tally.unreachable)}


def _suite_counts(tally: Tally, results: Sequence[StepResult]) -> dict[str, str]:
    """A suite's counts: the tally's (which counts steps), and a login the run stopped,
    whose testcase is skipped too."""
    stopped = sum(r.kind is Kind.LOGIN and r.outcome in (Outcome.INTERRUPTED, Outcome.ABORTED)
                  for r in results)
    skipped = tally.not_run + tally.ignored + tally.aborted + stopped
    return {**_counts(tally, len(results)), "skipped": str(skipped)}


class _Suites:
    """Adds the suites of one run to the ``<testsuites>`` root."""

    def __init__(self, root: ET.Element, run: RunResult, *, hostname: str, several: bool):
        self.root, self.run, self.hostname, self.several = root, run, hostname, several

    def add(self) -> None:
        run = self.run
        if run.keys:
            self._suite(KEYS_SUITE, run.keys, Tally.of(run.keys),
                        sum(key.elapsed_ms for key in run.keys), run.started_at)
        for org in run.orgs:
            results = _org_results(org)
            self._suite(org.name, results, org.tally, org.elapsed_ms,
                        _lane_start(run.started_at, results), org.hint)

    def _suite(
        self, name: str, results: Sequence[StepResult], tally: Tally, elapsed_ms: float,
        started: datetime | None, hint: str | None = None,
    ) -> None:
        """A suite is named after its org (or ``keys``); with several playbooks the
        playbook follows in brackets, so that every suite's name is its own."""
        full = f"{name} ({self.run.playbook})" if self.several else name
        attributes = {"name": full, **_suite_counts(tally, results),
                      "time": f"{elapsed_ms / 1000:.3f}", "timestamp": timestamp(started) or "",
                      "hostname": self.hostname, "file": self.run.playbook}
        suite = ET.SubElement(self.root, "testsuite", attributes)
        for result in results:
            _testcase(suite, result, full, hint)


def _lane_start(run_start: datetime | None, results: Sequence[StepResult]) -> datetime | None:
    offsets = [r.started_ms for r in results if r.started_ms is not None]
    if run_start is None or not offsets:
        return run_start
    return run_start + timedelta(milliseconds=min(offsets))


def _org_results(org: OrgResult) -> list[StepResult]:
    return ([org.login] if org.login else []) + org.steps


def render(invocation: Invocation) -> str:
    runs = invocation.runs
    tests = sum(len(run.keys) + sum(len(_org_results(org)) for org in run.orgs) for run in runs)
    name = " · ".join(run.name for run in runs)
    root = ET.Element("testsuites", {"name": redact(name), **_counts(invocation.tally, tests),
                                     "time": f"{invocation.elapsed_ms / 1000:.3f}"})
    for run in runs:
        _Suites(root, run, hostname=invocation.hostname, several=len(runs) > 1).add()
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

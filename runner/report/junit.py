"""``--junit FILE``: a testsuite per org (and one for the keys), a testcase per step.

Failed steps and keys carry a ``<failure>`` with a one-line message and the
detail; skipped and interrupted steps, and failures ignored with
``ignore_errors``, a ``<skipped>``; an org that could not log in gets an
``<error>`` on its ``log in`` testcase. Each testcase names the file and line
of its step. The counts on every suite come from the results' tally.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from runner.report.wording import describe_check, reason_text
from runner.run.results import Kind, OrgResult, Outcome, RunResult, StepResult, Tally
from runner.secrets import redact

KEYS_SUITE = "keys"


def _detail(step: StepResult) -> str:
    lines = [describe_check(check) for check in step.failed_checks]
    if step.reason and not lines:
        lines.append(reason_text(step))
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
    elif step.outcome in (Outcome.SKIPPED, Outcome.INTERRUPTED) or step.ignored:
        ET.SubElement(case, "skipped", message=reason or step.outcome.value)


def _counts(tally: Tally, tests: int) -> dict[str, str]:
    """JUnit's counts: ignored failures are skipped, a failed login is an error."""
    return {"tests": str(tests), "failures": str(tally.failed - tally.ignored),
            "errors": str(tally.unreachable), "skipped": str(tally.not_run + tally.ignored)}


def _suite(
    root: ET.Element, name: str, results: Sequence[StepResult], tally: Tally,
    elapsed_ms: float, hint: str | None = None,
) -> None:
    suite = ET.SubElement(root, "testsuite", {"name": name, **_counts(tally, len(results)),
                                              "time": f"{elapsed_ms / 1000:.3f}"})
    for result in results:
        _testcase(suite, result, name, hint)


def _org_results(org: OrgResult) -> list[StepResult]:
    return ([org.login] if org.login else []) + org.steps


def render(run: RunResult) -> str:
    tests = len(run.keys) + sum(len(_org_results(org)) for org in run.orgs)
    root = ET.Element("testsuites", {"name": redact(run.name), **_counts(run.tally, tests),
                                     "time": f"{run.elapsed_ms / 1000:.3f}"})
    if run.keys:
        _suite(root, KEYS_SUITE, run.keys, Tally.of(run.keys),
               sum(key.elapsed_ms for key in run.keys))
    for org in run.orgs:
        _suite(root, org.name, _org_results(org), org.tally, org.elapsed_ms, org.hint)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


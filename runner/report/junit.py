"""``--junit FILE``: a testsuite per org, a testcase per step, for CI consumers.

Failed steps carry a ``<failure>`` with a one-line message and the detail;
skipped and interrupted steps a ``<skipped>``; an org that could not log in gets
an ``<error>`` on its ``log in`` testcase.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from runner.report.wording import describe_check
from runner.run.results import OrgResult, Outcome, RunResult, StepResult
from runner.secrets import redact


def _detail(step: StepResult) -> str:
    lines = [describe_check(check) for check in step.failed_checks]
    if step.reason and not lines:
        lines.append(step.reason)
    if step.exchange:
        lines.append(f"{step.exchange.method} {step.exchange.url} → {step.exchange.status}")
        if step.exchange.response_excerpt:
            lines.append(f"response: {step.exchange.response_excerpt}")
    return redact("\n".join(lines))


def _testcase(suite: ET.Element, org: OrgResult, step: StepResult, run: RunResult) -> None:
    case = ET.SubElement(
        suite, "testcase",
        name=redact(step.name), classname=org.name,
        time=f"{step.elapsed_ms / 1000:.3f}",
    )
    if step.outcome is Outcome.FAILED and step.name == "log in" and org.unreachable:
        error = ET.SubElement(case, "error", message=redact(step.reason), type="unreachable")
        error.text = redact(f"{step.reason}\nhint: {org.hint}" if org.hint else step.reason)
    elif step.outcome is Outcome.FAILED and not step.ignored:
        failure = ET.SubElement(case, "failure", message=redact(step.reason or "failed"),
                                type="failed")
        failure.text = _detail(step)
    elif step.outcome in (Outcome.SKIPPED, Outcome.INTERRUPTED) or step.ignored:
        ET.SubElement(case, "skipped", message=redact(step.reason or step.outcome.value))


def _suite(root: ET.Element, org: OrgResult, run: RunResult) -> None:
    steps = ([org.login] if org.login else []) + org.steps
    failures = sum(1 for s in steps if s.outcome is Outcome.FAILED and not s.ignored)
    errors = 1 if org.unreachable else 0
    skipped = sum(1 for s in steps if s.outcome in (Outcome.SKIPPED, Outcome.INTERRUPTED))
    suite = ET.SubElement(
        root, "testsuite", name=org.name, tests=str(len(steps)),
        failures=str(failures - errors), errors=str(errors), skipped=str(skipped),
        time=f"{org.elapsed_ms / 1000:.3f}",
    )
    for step in steps:
        _testcase(suite, org, step, run)


def render(run: RunResult) -> str:
    root = ET.Element("testsuites", name=redact(run.name), time=f"{run.elapsed_ms / 1000:.3f}")
    for org in run.orgs:
        _suite(root, org, run)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write(run: RunResult, path: Path) -> None:
    path.write_text(render(run), encoding="utf-8")

"""The run as JSON-ready data: the one shape the JSON and markdown reports share.

Described by ``schemas/report.schema.json``. Everything passes through the
secret registry's ``redact_data`` on the way out.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from runner.run.results import OrgResult, Outcome, RunResult, StepResult
from runner.secrets import redact_data

REPORT_VERSION = 1
VERDICTS = {0: "passed", 2: "failed", 3: "unreachable", 99: "interrupted"}


def step_data(step: StepResult) -> dict[str, Any]:
    return {
        "index": step.index,
        "name": step.name,
        "outcome": step.outcome.value,
        "elapsed_ms": round(step.elapsed_ms, 1),
        "reason": step.reason,
        "ignored": step.ignored,
        "attempts": step.attempts,
        "tags": list(step.tags),
        "checks": [asdict(check) for check in step.checks],
        "exchange": asdict(step.exchange) if step.exchange else None,
    }


def org_data(org: OrgResult) -> dict[str, Any]:
    counts = {outcome.value: org.count(outcome) for outcome in Outcome}
    return {
        "name": org.name,
        "unreachable": org.unreachable,
        "failed": org.failed,
        "hint": org.hint,
        "elapsed_ms": round(org.elapsed_ms, 1),
        "counts": counts,
        "login": step_data(org.login) if org.login else None,
        "steps": [step_data(step) for step in org.steps],
    }


def run_data(run: RunResult) -> dict[str, Any]:
    status = int(run.exit_status)
    data = {
        "version": REPORT_VERSION,
        "playbook": run.playbook,
        "name": run.name,
        "exit_status": status,
        "verdict": VERDICTS.get(status, "error"),
        "interrupted": run.interrupted,
        "elapsed_ms": round(run.elapsed_ms, 1),
        "keys": [step_data(key) for key in run.keys],
        "orgs": [org_data(org) for org in run.orgs],
    }
    redacted: dict[str, Any] = redact_data(data)
    return redacted

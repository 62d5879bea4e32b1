"""The run as JSON-ready data: the one shape the JSON report writes.

Described by ``schemas/report.schema.json``. Reasons and checks are put in
words by ``wording``, as every other report does; everything passes through
the secret registry's ``redact_data`` on the way out.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from runner.errors import Position
from runner.report.wording import describe_check, reason_text
from runner.run.results import CheckResult, OrgResult, RunResult, StepResult, Tally
from runner.secrets import redact_data

REPORT_VERSION = 1
VERDICTS = {0: "passed", 2: "failed", 3: "unreachable", 99: "interrupted"}


def _position(position: Position | None) -> dict[str, Any] | None:
    return None if position is None else asdict(position)


def _check(check: CheckResult) -> dict[str, Any]:
    return {**asdict(check), "text": describe_check(check)}


def step_data(step: StepResult) -> dict[str, Any]:
    data = {
        "kind": step.kind.value,
        "index": step.index,
        "name": step.name,
        "position": _position(step.position),
        "outcome": step.outcome.value,
        "elapsed_ms": round(step.elapsed_ms, 1),
        "reason": reason_text(step),
        "reason_code": step.reason.why.value if step.reason else None,
        "ignored": step.ignored,
        "attempts": step.attempts,
        "tags": list(step.tags),
        "checks": [_check(check) for check in step.all_checks],
        "exchange": asdict(step.exchange) if step.exchange else None,
    }
    if step.item is not None:
        data["item"] = step.item
    if step.items:
        data["items"] = [step_data(item) for item in step.items]
    return data


def counts(tally: Tally) -> dict[str, int]:
    """Results per outcome: they add up to the number of results."""
    return {"ok": tally.ok, "changed": tally.changed, "failed": tally.failed,
            "skipped": tally.skipped, "interrupted": tally.interrupted}


def org_data(org: OrgResult) -> dict[str, Any]:
    return {
        "name": org.name,
        "unreachable": org.unreachable,
        "failed": org.failed,
        "hint": org.hint,
        "elapsed_ms": round(org.elapsed_ms, 1),
        "counts": counts(org.tally),
        "ignored": org.tally.ignored,
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
        "counts": counts(run.tally),
        "ignored": run.tally.ignored,
        "unreachable": run.tally.unreachable,
        "keys": [step_data(key) for key in run.keys],
        "orgs": [org_data(org) for org in run.orgs],
    }
    redacted: dict[str, Any] = redact_data(data)
    return redacted

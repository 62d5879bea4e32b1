"""The runs of one command as JSON-ready data: the one shape the JSON report writes.

Described by ``schemas/report.schema.json``: the invocation (when, where, the
worst exit status, the counts of every playbook) and one entry per playbook run.
Reasons and checks are put in words by ``wording``, as every other report does;
everything passes through the secret registry's ``redact_data`` on the way out, as
plain data strict JSON parsers accept (``sanitize.json_safe``): a check's value may be
any object a template made, NaN or a lone surrogate.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from runner.errors import Position
from runner.playbook.shards import Selection
from runner.report.sanitize import json_safe
from runner.report.wording import describe_check, reason_text
from runner.run.results import CheckResult, Invocation, OrgResult, RunResult, StepResult, Tally
from runner.secrets import redact_data

REPORT_VERSION = 2
VERDICTS = {0: "passed", 2: "failed", 3: "unreachable", 99: "interrupted"}


def _position(position: Position | None) -> dict[str, Any] | None:
    return None if position is None else asdict(position)


def timestamp(moment: datetime | None) -> str | None:
    """ISO 8601 with milliseconds and the UTC offset, as JUnit and JSON reports write it."""
    return None if moment is None else moment.isoformat(timespec="milliseconds")


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _check(check: CheckResult) -> dict[str, Any]:
    # not asdict(): it deep-copies the values, and some objects (a template's namespace())
    # cannot be copied; json_safe turns them into text
    data = {field.name: getattr(check, field.name) for field in fields(check)}
    data["text"] = describe_check(check)
    values = data.pop("values")
    if values:  # a false condition: the values of the names it reads
        data["values"] = [list(pair) for pair in values]
    return data


def step_data(step: StepResult) -> dict[str, Any]:
    data = {
        "kind": step.kind.value,
        "index": step.index,
        "name": step.name,
        "position": _position(step.position),
        "outcome": step.outcome.value,
        "started_ms": _ms(step.started_ms),
        "elapsed_ms": round(step.elapsed_ms, 1),
        "reason": reason_text(step),
        "reason_code": step.reason.why.value if step.reason else None,
        "reason_detail": step.reason.detail if step.reason else None,
        "ignored": step.ignored,
        "attempts": step.attempts,
        "tags": list(step.tags),
        "checks": [_check(check) for check in step.all_checks],
        "exchange": step.exchange.as_dict() if step.exchange else None,
    }
    if step.item is not None:
        data["item"] = step.item
    if step.message is not None:
        data["message"] = step.message
    if step.items:
        data["items"] = [step_data(item) for item in step.items]
    return data


def counts(tally: Tally) -> dict[str, int]:
    """Results per outcome: they add up to the number of results."""
    return {"ok": tally.ok, "changed": tally.changed, "failed": tally.failed,
            "skipped": tally.skipped, "interrupted": tally.interrupted,
            "rescued": tally.rescued, "aborted": tally.aborted}


def org_data(org: OrgResult) -> dict[str, Any]:
    return {
        "name": org.name,
        "unreachable": org.unreachable,
        "failed": org.failed,
        "aborted": org.aborted,
        "hint": org.hint,
        "elapsed_ms": round(org.elapsed_ms, 1),
        "counts": counts(org.tally),
        "ignored": org.tally.ignored,
        "login": step_data(org.login) if org.login else None,
        "steps": [step_data(step) for step in org.steps],
    }


def _verdict(status: int) -> dict[str, Any]:
    return {"exit_status": status, "verdict": VERDICTS.get(status, "error")}


def _totals(tally: Tally) -> dict[str, Any]:
    return {"counts": counts(tally), "ignored": tally.ignored, "unreachable": tally.unreachable}


def selection_data(selection: Selection | None) -> dict[str, Any]:
    shard = selection.shard if selection else None
    return {"orgs": list(selection.selected) if selection else [],
            "shard": {"index": shard.index, "count": shard.count} if shard else None}


def run_data(run: RunResult) -> dict[str, Any]:
    """One playbook's run (not masked: ``invocation_data`` masks the whole)."""
    return {
        "playbook": run.playbook,
        "name": run.name,
        "playbook_sha256": run.sha256,
        "selection": selection_data(run.selection),
        "started_at": timestamp(run.started_at),
        **_verdict(int(run.exit_status)),
        "interrupted": run.interrupted,
        "elapsed_ms": round(run.elapsed_ms, 1),
        **_totals(run.tally),
        "keys": [step_data(key) for key in run.keys],
        "orgs": [org_data(org) for org in run.orgs],
    }


def invocation_data(invocation: Invocation) -> dict[str, Any]:
    """Every playbook the command ran, masked: what ``--json`` writes."""
    data = {
        "version": REPORT_VERSION,
        "started_at": timestamp(invocation.started_at),
        "hostname": invocation.hostname,
        **_verdict(int(invocation.exit_status)),
        "interrupted": invocation.interrupted,
        "elapsed_ms": round(invocation.elapsed_ms, 1),
        **_totals(invocation.tally),
        "playbooks": [run_data(run) for run in invocation.runs],
    }
    redacted: dict[str, Any] = redact_data(json_safe(data))
    return redacted

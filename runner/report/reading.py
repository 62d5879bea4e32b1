"""Read a ``--json`` report back into the results it was written from, so that reports of
shards can be merged and rendered by the same reporters as a run.

A report is checked against ``schemas/report.schema.json`` before anything is built from
it; whatever is wrong with a file (not JSON, too large, another format version, a shape the
schema refuses) is a PlaybookError naming the file (exit 4). Values come back as the report
holds them: secrets already masked, derived fields (counts, verdict, check texts) recomputed
from the results rather than trusted.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from runner.errors import PlaybookError, Position
from runner.localfiles import file_kind
from runner.playbook.document import format_path
from runner.playbook.schema import load_schema, registry
from runner.playbook.shards import Selection, Shard
from runner.report.data import REPORT_VERSION
from runner.run.results import (
    CheckResult,
    Exchange,
    Invocation,
    Kind,
    OrgResult,
    Outcome,
    Reason,
    RunResult,
    StepResult,
    Why,
)

MAX_REPORT_BYTES = 128 * 1024 * 1024


@dataclass(frozen=True)
class ReadReport:
    """One report file and the command's runs it holds."""

    path: str
    invocation: Invocation


def read_report(path: str | Path) -> ReadReport:
    """The runs a ``--json`` report holds; a PlaybookError naming the file when it cannot be."""
    shown = str(path)
    data = _load(Path(path), shown)
    version = data.get("version") if isinstance(data, dict) else None
    if isinstance(data, dict) and version != REPORT_VERSION:
        raise PlaybookError(
            f"{shown}: report format version {version!r}; this sfjwt-run reads version "
            f"{REPORT_VERSION}", hint="write the reports again with this version of sfjwt-run")
    error = best_match(Draft202012Validator(load_schema("report"), registry=registry())
                       .iter_errors(data))
    if error is not None:
        where = format_path(tuple(error.absolute_path))
        raise PlaybookError(f"{shown}: {where}: {error.message}",
                            hint="give the files written by sfjwt-run --json")
    try:
        return ReadReport(shown, invocation_from_data(data))
    except ValueError as exc:  # what the schema cannot say: a started_at that is no date
        raise PlaybookError(f"{shown}: {exc}") from None


def _load(path: Path, shown: str) -> Any:
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise PlaybookError(f"{shown}: is a directory, not a JSON report")
        if not stat.S_ISREG(info.st_mode):  # a named pipe would block the read forever
            raise PlaybookError(f"{shown}: is {file_kind(info.st_mode)}, not a JSON report")
        size = info.st_size
        if size > MAX_REPORT_BYTES:
            raise PlaybookError(f"{shown}: report too large ({size} bytes; the limit is "
                                f"{MAX_REPORT_BYTES})")
        with path.open("rb") as handle:
            raw = handle.read(MAX_REPORT_BYTES + 1)
    except FileNotFoundError:
        raise PlaybookError(f"{shown}: no such file") from None
    except OSError as exc:
        raise PlaybookError(f"{shown}: cannot read the report: {exc.strerror}") from None
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise PlaybookError(f"{shown}: not UTF-8 text, so not a JSON report") from None
    except json.JSONDecodeError as exc:
        raise PlaybookError(f"not a JSON report: {exc.msg}",
                            position=Position(shown, exc.lineno, exc.colno)) from None
    except (ValueError, RecursionError) as exc:  # a 5000-digit number, NaN, a deep nest
        raise PlaybookError(f"{shown}: not a JSON report sfjwt-run wrote: {exc}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a report holds")


def invocation_from_data(data: Mapping[str, Any]) -> Invocation:
    """The command's runs from schema-valid report data."""
    runs = [run_from_data(run) for run in data["playbooks"]]
    return Invocation(runs, started_at=_moment(data["started_at"]), hostname=data["hostname"],
                      stopped=data["interrupted"] and not any(run.interrupted for run in runs))


def run_from_data(data: Mapping[str, Any]) -> RunResult:
    """One playbook's RunResult from schema-valid report data."""
    return RunResult(
        playbook=data["playbook"],
        name=data["name"],
        keys=[_step(key, "") for key in data["keys"]],
        orgs=[_org(org) for org in data["orgs"]],
        interrupted=data["interrupted"],
        elapsed_ms=data["elapsed_ms"],
        started_at=_moment(data["started_at"]),
        sha256=data["playbook_sha256"],
        selection=_selection(data["selection"]),
    )


def _moment(text: str | None) -> datetime | None:
    try:
        return None if text is None else datetime.fromisoformat(text)
    except ValueError:  # the schema's date-time format is an annotation, not asserted
        raise ValueError(f"started_at: {text!r} is not an ISO 8601 date and time") from None


def _selection(data: Mapping[str, Any]) -> Selection:
    shard = data["shard"]
    return Selection(tuple(data["orgs"]), Shard(shard["index"], shard["count"]) if shard else None)


def _org(data: Mapping[str, Any]) -> OrgResult:
    name = data["name"]
    return OrgResult(
        name=name,
        login=_step(data["login"], name) if data["login"] else None,
        steps=[_step(step, name) for step in data["steps"]],
        unreachable=data["unreachable"],
        hint=data["hint"],
        elapsed_ms=data["elapsed_ms"],
    )


def _step(data: Mapping[str, Any], org: str) -> StepResult:
    items = tuple(_step(item, org) for item in data.get("items", ()))
    checks = tuple(_check(check) for check in data["checks"])
    own = len(checks) - sum(len(item.all_checks) for item in items)  # the rest are the items'
    code = data["reason_code"]
    return StepResult(
        kind=Kind(data["kind"]),
        index=data["index"],
        name=data["name"],
        org=org,
        outcome=Outcome(data["outcome"]),
        elapsed_ms=data["elapsed_ms"],
        checks=checks[:own],
        reason=Reason(Why(code), data["reason_detail"] or "") if code else None,
        exchange=Exchange(**data["exchange"]) if data["exchange"] else None,
        attempts=data["attempts"],
        ignored=data["ignored"],
        tags=tuple(data["tags"]),
        position=Position(**data["position"]) if data["position"] else None,
        item=data.get("item"),
        items=items,
        started_ms=data["started_ms"],
        message=data.get("message"),
    )


def _check(data: Mapping[str, Any]) -> CheckResult:
    return CheckResult(data["subject"], data["expression"], data["matcher"], data["expected"],
                       data["actual"], data["passed"], data["message"],
                       tuple((path, value) for path, value in data.get("values", ())))

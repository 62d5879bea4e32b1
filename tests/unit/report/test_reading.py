"""Reading a ``--json`` report back: every field of the results survives, and bad files are
one-line errors naming the file (exit 4)."""

from __future__ import annotations

import dataclasses
import inspect
import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from runner.errors import ExitStatus, PlaybookError, Position
from runner.playbook.shards import Selection, Shard, fingerprint
from runner.report import jsonfile, reading
from runner.report.reading import read_report
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

AT = Position("playbooks/full.yml", 12, 5)
STARTED = datetime(2026, 3, 1, 6, 0, 0, 125000, tzinfo=timezone(timedelta(hours=1)))


def _check(passed: bool, expression: str = "Name") -> CheckResult:
    return CheckResult("json", expression, "equals", {"a": [1, None]}, "Other", passed, "why",
                       (("limits.json.Max", "15000"),))


def full_run() -> RunResult:
    """A run that gives every field of every result a value other than its default."""
    item = StepResult(Kind.ITEM, 2, "per id", "beta", Outcome.FAILED, 1.5,
                      checks=(_check(False, "Id"),), reason=None, item="001xx", attempts=2,
                      ignored=True, tags=("loop",), position=AT, started_ms=2.5, message="m",
                      exchange=Exchange("GET", "https://x/1", 404, "[]", "curl https://x/1", "[]"))
    looped = StepResult(Kind.STEP, 2, "per id", "beta", Outcome.FAILED, 3.5,
                        checks=(_check(True),), reason=Reason(Why.ERROR, "boom"), attempts=3,
                        ignored=True, tags=("loop",), position=AT, item="shown", started_ms=1.0,
                        message="said",
                        exchange=Exchange("GET", "https://x", 200), items=(item, item))
    login = StepResult(Kind.LOGIN, 0, "log in", "beta", Outcome.OK, 9.0,
                       reason=Reason(Why.CACHED_TOKEN))
    skipped = StepResult(Kind.STEP, 1, "later", "beta", Outcome.SKIPPED,
                         reason=Reason(Why.WHEN_FALSE, "org.name == 'x'"))
    org = OrgResult("beta", login=login, steps=[skipped, looped], unreachable=True,
                    hint="check it", elapsed_ms=80.0)
    key = StepResult(Kind.KEY, -1, "key main", "", Outcome.CHANGED, 41.0,
                     checks=(CheckResult("certificate", "main", "gte", 30, 400, True),),
                     position=Position("playbooks/full.yml", 3, 3))
    return RunResult("playbooks/full.yml", "Full", keys=[key], orgs=[org], interrupted=True,
                     elapsed_ms=200.0, started_at=STARTED, sha256=fingerprint("x"),
                     selection=Selection(("alpha", "beta"), Shard(2, 2)))


def full_invocation() -> Invocation:
    second = RunResult("playbooks/other.yml", "Other", sha256=fingerprint("y"),
                       selection=Selection(()))
    return Invocation([full_run(), second], started_at=STARTED, hostname="runner-7")


def _defaults(cls: type) -> dict[str, Any]:
    if not dataclasses.is_dataclass(cls):  # Exchange: its constructor's parameters
        parameters = inspect.signature(cls).parameters.values()
        return {p.name: p.default for p in parameters if p.default is not p.empty}
    return {f.name: f.default if f.default is not dataclasses.MISSING else f.default_factory()
            for f in dataclasses.fields(cls)
            if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING}


def test_the_fixture_sets_every_field() -> None:
    """A field added to the results must be added here, to the JSON report and to reading."""
    invocation = full_invocation()
    run = invocation.runs[0]
    org = run.orgs[0]
    looped = org.steps[1]
    objects = [invocation, run, org, looped, looped.items[0], looped.items[0].checks[0],
               looped.items[0].exchange]
    for obj in objects:
        for name, default in _defaults(type(obj)).items():
            if isinstance(obj, StepResult) and name in {"reason", "items"}:
                continue  # a loop item has neither: checked on the looped step below
            if isinstance(obj, Invocation) and name == "stopped":
                continue  # with a run interrupted, the report cannot tell: see the round trip
            assert getattr(obj, name) != default, f"{type(obj).__name__}.{name}"
    assert looped.reason is not None and looped.items


def test_a_report_reads_back_into_the_results_it_was_written_from(tmp_path: Path) -> None:
    invocation = full_invocation()
    path = tmp_path / "r.json"
    path.write_text(jsonfile.render(invocation), encoding="utf-8")
    read = read_report(path)
    assert read.path == str(path)
    assert read.invocation == invocation
    assert jsonfile.render(read.invocation) == jsonfile.render(invocation)
    between = Invocation([full_invocation().runs[1]], hostname="h", stopped=True)  # no run's
    path.write_text(jsonfile.render(between), encoding="utf-8")
    assert read_report(path).invocation == between


def test_json_values_come_back_as_json_values(tmp_path: Path) -> None:
    run = full_run()
    odd = CheckResult("json", "when", "equals", (1, 2), {3}, False)
    run.orgs[0].steps[0] = dataclasses.replace(run.orgs[0].steps[0], checks=(odd,))
    path = tmp_path / "r.json"
    path.write_text(jsonfile.render(Invocation([run])), encoding="utf-8")
    check = read_report(path).invocation.runs[0].orgs[0].steps[0].checks[0]
    assert (check.expected, check.actual) == ([1, 2], "{3}")  # as the report wrote them


def _written(tmp_path: Path, **changes: Any) -> Path:
    data = json.loads(jsonfile.render(full_invocation()))
    data.update(changes)
    path = tmp_path / "shard.json"
    path.write_text(json.dumps(data))
    return path


def _refused(path: Path) -> PlaybookError:
    with pytest.raises(PlaybookError) as caught:
        read_report(path)
    assert caught.value.exit_status is ExitStatus.INVALID_PLAYBOOK
    return caught.value


def test_another_format_version_is_refused(tmp_path: Path) -> None:
    error = _refused(_written(tmp_path, version=1))
    assert str(error) == f"{tmp_path}/shard.json: report format version 1; this sfjwt-run " \
                         "reads version 2"
    assert error.hint and "again" in error.hint


def test_a_shape_the_schema_refuses_names_the_file_and_the_place(tmp_path: Path) -> None:
    data = json.loads(jsonfile.render(full_invocation()))
    data["playbooks"][0]["orgs"][0]["steps"][1]["outcome"] = "great"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    assert str(_refused(path)).startswith(
        f"{path}: playbooks[0].orgs[0].steps[1].outcome: 'great' is not ")
    data["playbooks"][0]["orgs"][0]["steps"][1]["outcome"] = "ok"
    data["playbooks"][1]["playbook_sha256"] = "abc"
    path.write_text(json.dumps(data))
    assert "playbooks[1].playbook_sha256: 'abc' does not match" in str(_refused(path))
    assert str(_refused(_written(tmp_path, started_at="yesterday"))) == (
        f"{tmp_path}/shard.json: started_at: 'yesterday' is not an ISO 8601 date and time")


@pytest.mark.parametrize(("content", "words"), [
    (b"{\n  \"version\": 2,\n  oops\n}", "3:3: not a JSON report: Expecting property name"),
    (b"[1, 2]", ": (top level): [1, 2] is not of type 'object'"),
    (b"\xff\xfe", ": not UTF-8 text, so not a JSON report"),
    (b'{"version": NaN}', ": not a JSON report sfjwt-run wrote: NaN is not a number"),
    (b"[" * 100_000 + b"]" * 100_000, ": not a JSON report sfjwt-run wrote: maximum recursion"),
    (b'{"version": 2' + b"1" * 5000 + b"}", ": not a JSON report sfjwt-run wrote: Exceeds"),
])
def test_files_that_are_not_reports(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(content)
    message = str(_refused(path))
    assert message.startswith(f"{path}{'' if words[0] == ':' else ':'}{words}"), message


def test_missing_large_and_directory_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert str(_refused(tmp_path / "none.json")) == f"{tmp_path}/none.json: no such file"
    assert str(_refused(tmp_path)) == f"{tmp_path}: is a directory, not a JSON report"
    path = _written(tmp_path)
    monkeypatch.setattr(reading, "MAX_REPORT_BYTES", 100)
    assert "report too large" in str(_refused(path))


def test_a_named_pipe_is_refused_at_once(tmp_path: Path) -> None:
    """Reading it would wait for a writer forever."""
    os.mkfifo(tmp_path / "shard.json")
    message = str(_refused(tmp_path / "shard.json"))
    assert message == f"{tmp_path}/shard.json: is a named pipe (FIFO), not a JSON report"

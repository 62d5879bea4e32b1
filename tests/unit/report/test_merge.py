"""Merging shards: one run as a single process would have made it, or a refusal naming the
file."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from runner.errors import ExitStatus, PlaybookError
from runner.playbook.shards import Selection, Shard, fingerprint, shard_orgs
from runner.report.merge import merge_reports
from runner.report.reading import ReadReport
from runner.run.results import Invocation, Kind, OrgResult, Outcome, RunResult, StepResult

FLEET = ("acme-prod", "zeta", "acme-uat", "globex-prod", "initech")
SHA = fingerprint("name: Health\n")
START = datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)


def _org(name: str, outcome: Outcome = Outcome.OK, *, unreachable: bool = False) -> OrgResult:
    login = StepResult(Kind.LOGIN, 0, "log in", name,
                       Outcome.FAILED if unreachable else Outcome.OK)
    step = StepResult(Kind.STEP, 0, "limits", name,
                      Outcome.SKIPPED if unreachable else outcome, 2.0)
    return OrgResult(name, login=login, steps=[step], unreachable=unreachable, elapsed_ms=5.0)


def _key(outcome: Outcome) -> StepResult:
    return StepResult(Kind.KEY, -1, "key main", "", outcome, 1.0)


def _shard(index: int, count: int, *, failing: frozenset[str] = frozenset(),
           unreachable: frozenset[str] = frozenset(), key: Outcome = Outcome.OK,
           selected: tuple[str, ...] = FLEET, sha: str = SHA, elapsed: float = 100.0,
           path: str | None = None) -> ReadReport:
    shard = Shard(index, count)
    orgs = [_org(name, Outcome.FAILED if name in failing else Outcome.OK,
                 unreachable=name in unreachable) for name in shard_orgs(selected, shard)]
    run = RunResult("playbooks/health.yml", "Health", keys=[_key(key)], orgs=orgs,
                    elapsed_ms=elapsed, sha256=sha, selection=Selection(selected, shard),
                    started_at=START + timedelta(seconds=index))
    return ReadReport(path or f"shard-{index}.json",
                      Invocation([run], started_at=START + timedelta(seconds=index),
                                 hostname=f"runner-{index}"))


def _run(report: ReadReport) -> RunResult:
    return report.invocation.runs[0]


def _single(**kwargs: object) -> RunResult:
    return _run(_shard(1, 1, **kwargs))  # type: ignore[arg-type]


def _merged(shards: list[ReadReport]) -> RunResult:
    invocation = merge_reports(shards)
    assert len(invocation.runs) == 1
    return invocation.runs[0]


def test_shards_merge_into_the_run_one_process_would_make() -> None:
    shards = [_shard(k, 3, failing=frozenset({"zeta"}), elapsed=100.0 * k) for k in (3, 1, 2)]
    invocation = merge_reports(shards)
    assert (invocation.started_at, invocation.hostname) == (
        START + timedelta(seconds=1), "runner-1, runner-2, runner-3")
    merged = invocation.runs[0]
    assert merged.started_at == START + timedelta(seconds=1)
    single = _single(failing=frozenset({"zeta"}))
    assert [org.name for org in merged.orgs] == list(FLEET)  # the inventory's order
    assert merged.orgs == single.orgs and merged.keys == single.keys
    assert merged.selection == Selection(FLEET) and merged.sha256 == SHA
    assert merged.exit_status is ExitStatus.STEP_FAILED
    assert merged.elapsed_ms == 300.0  # shards run side by side: the longest one
    assert merged.tally == single.tally


def test_the_worst_status_of_the_shards_wins() -> None:
    shards = [_shard(1, 3, failing=frozenset({"acme-prod"})), _shard(2, 3),
              _shard(3, 3, unreachable=frozenset({"zeta"}))]
    assert [_run(s).exit_status for s in shards] == [2, 0, 3]
    assert _merged(shards).exit_status is ExitStatus.ORG_UNREACHABLE
    _run(shards[1]).interrupted = True
    assert _merged(shards).exit_status is ExitStatus.INTERRUPTED


def test_a_key_keeps_its_worst_outcome() -> None:
    outcomes = [Outcome.OK, Outcome.CHANGED, Outcome.OK]
    shards = [_shard(k, 3, key=outcome) for k, outcome in enumerate(outcomes, 1)]
    assert [key.outcome for key in _merged(shards).keys] == [Outcome.CHANGED]
    shards[2] = _shard(3, 3, key=Outcome.FAILED)
    merged = _merged(shards)
    assert [key.outcome for key in merged.keys] == [Outcome.FAILED]
    assert merged.exit_status is ExitStatus.STEP_FAILED


def test_empty_shards_merge() -> None:
    two = ("b", "a")
    merged = _merged([_shard(k, 4, selected=two) for k in (1, 2, 3, 4)])
    assert [org.name for org in merged.orgs] == ["b", "a"]
    assert _merged([_shard(1, 1, selected=())]).orgs == []


def _refusal(shards: list[ReadReport]) -> str:
    with pytest.raises(PlaybookError) as caught:
        merge_reports(shards)
    assert caught.value.exit_status is ExitStatus.INVALID_PLAYBOOK
    return str(caught.value)


def test_another_playbook_is_refused() -> None:
    other = _shard(2, 2, sha=fingerprint("name: Other\n"))
    assert _refusal([_shard(1, 2), other]) == (
        f"shard-2.json: a report of other playbooks than shard-1.json: playbooks/health.yml "
        f"(sha256 {other.invocation.runs[0].sha256[:12]}…), not playbooks/health.yml "
        f"(sha256 {SHA[:12]}…)")
    two = _shard(2, 2)
    two.invocation.runs.append(_run(_shard(2, 2)))
    assert _refusal([_shard(1, 2), two]).startswith(
        "shard-2.json: a report of other playbooks than shard-1.json: ")
    _run(two).interrupted = True
    assert _refusal([two, _shard(1, 2)]) == (
        "shard-1.json: ran 1 playbook(s) where shard-2.json ran 2")


def test_every_playbook_of_the_command_is_merged() -> None:
    shards = [_shard(k, 2) for k in (1, 2)]
    other = fingerprint("name: Other\n")
    for k, shard in enumerate(shards, 1):
        shard.invocation.runs.append(_run(_shard(k, 2, sha=other, failing=frozenset({"zeta"}))))
    invocation = merge_reports(shards)
    assert [run.sha256 for run in invocation.runs] == [SHA, other]
    assert [run.exit_status for run in invocation.runs] == [0, 2]
    assert invocation.exit_status is ExitStatus.STEP_FAILED
    shards[1].invocation.stopped = True
    assert merge_reports(shards).exit_status is ExitStatus.INTERRUPTED


def test_another_selection_is_refused() -> None:
    fewer = _shard(2, 2, selected=FLEET[:-1])
    assert _refusal([_shard(1, 2), fewer]) == (
        "shard-2.json: a report of another selection of orgs than shard-1.json "
        "(only in shard-1.json: initech)")


def test_another_split_is_refused() -> None:
    assert _refusal([_shard(1, 2), _shard(2, 3)]) == (
        "shard-2.json: shard 2/3 does not belong with shard-1.json's shard 1/2")


def test_an_org_run_by_two_shards_is_refused() -> None:
    again = _shard(1, 2, path="copy/shard-1.json")
    assert _refusal([_shard(1, 2), _shard(2, 2), again]) == (
        "copy/shard-1.json: org acme-prod was run by shard-1.json too")


def test_an_empty_shard_given_twice_is_refused() -> None:
    two = ("a", "b")
    shards = [_shard(k, 3, selected=two) for k in (1, 2, 3)]
    assert _refusal([*shards, _shard(3, 3, selected=two, path="again.json")]) == (
        "again.json: shard 3/3 again (also shard-3.json)")


def test_a_missing_shard_is_refused_with_its_orgs() -> None:
    assert _refusal([_shard(1, 3), _shard(3, 3)]) == (
        "shard 2/3 is missing (its orgs: globex-prod, initech)")
    assert _refusal([_shard(1, 3, selected=("a",))]) == "shard 2/3 is missing (it holds no org)"


def test_a_shard_holding_orgs_of_another_is_refused() -> None:
    odd = _shard(1, 2)
    _run(odd).orgs.append(_org("zeta"))
    assert _refusal([odd, _shard(2, 2)]).startswith("shard-1.json: shard 1/2 ran zeta, outside")

"""``sfjwt-run report merge``: one command's runs rebuilt from the JSON reports of its shards.

Each shard's report holds the same playbooks in the same order; each playbook's runs are
merged into one. The shards of one run are runs of the same playbook (same fingerprint)
over the same selection of orgs, each a different ``--shard K/N`` of the same N, all N of
them. The merged run is what one process running every org would have reported: orgs in
inventory order, each key once, and the exit status, recap and matrix of the whole. Times
are each shard's own (a shard's lanes start at 0, as in its own run); a run's time is its
longest shard's, since shards run side by side. A key is made or found by every shard: the
merged run keeps its worst outcome (failed, then changed, then ok). Anything that would
make the merged run lie is refused, naming the file: other playbooks, another selection,
another N, a shard given twice or missing, an org twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from runner.errors import PlaybookError
from runner.playbook.shards import Selection, Shard, shard_orgs
from runner.report.reading import ReadReport
from runner.run.results import Invocation, Outcome, RunResult, StepResult

SHOWN_NAMES = 5
KEY_SEVERITY = {Outcome.FAILED: 3, Outcome.INTERRUPTED: 2, Outcome.CHANGED: 1}


@dataclass(frozen=True)
class ShardRun:
    """One playbook's run in one shard's report."""

    path: str
    run: RunResult


def merge_reports(reports: Sequence[ReadReport]) -> Invocation:
    """The runs the shards' reports make together; a PlaybookError when they do not fit."""
    first = reports[0]
    for report in reports[1:]:
        _check_same_playbooks(first, report)
    invocations = [report.invocation for report in reports]
    starts = [i.started_at for i in invocations if i.started_at is not None]
    return Invocation(
        runs=[merge_runs([ShardRun(report.path, report.invocation.runs[index])
                          for report in reports]) for index in range(len(first.invocation.runs))],
        started_at=min(starts, default=None),
        hostname=", ".join(sorted({i.hostname for i in invocations if i.hostname})),
        stopped=any(invocation.stopped for invocation in invocations),
    )


def _check_same_playbooks(first: ReadReport, report: ReadReport) -> None:
    ours, theirs = first.invocation.runs, report.invocation.runs
    if [run.sha256 for run in ours] == [run.sha256 for run in theirs]:
        return
    if len(ours) != len(theirs) and any(r.interrupted for r in (*ours, *theirs)):
        raise PlaybookError(
            f"{report.path}: ran {len(theirs)} playbook(s) where {first.path} ran {len(ours)}",
            hint="an interrupted shard stops before the playbooks after its own: run it again")
    raise PlaybookError(
        f"{report.path}: a report of other playbooks than {first.path}: {_playbooks(theirs)}, "
        f"not {_playbooks(ours)}", hint="merge the shards of one command: the same playbooks "
        "(compared by the SHA-256 of their text), in the same order")


def _playbooks(runs: Sequence[RunResult]) -> str:
    return ", ".join(f"{run.playbook} (sha256 {run.sha256[:12]}…)" for run in runs) or "none"


def merge_runs(reports: Sequence[ShardRun]) -> RunResult:
    """One playbook's run from its shards' runs; a PlaybookError when they do not fit."""
    first = reports[0]
    for report in reports[1:]:
        _check_same_run(first, report)
    selected = _selection(first).selected
    _check_shard_contents(reports, selected)
    _check_each_org_once(reports)
    _check_every_shard(reports, selected)
    by_name = {org.name: org for report in reports for org in report.run.orgs}
    return RunResult(
        playbook=first.run.playbook,
        name=first.run.name,
        keys=_keys(reports),
        orgs=[by_name[name] for name in selected if name in by_name],
        interrupted=any(report.run.interrupted for report in reports),
        elapsed_ms=max(report.run.elapsed_ms for report in reports),
        started_at=min((r.run.started_at for r in reports if r.run.started_at), default=None),
        sha256=first.run.sha256,
        selection=Selection(selected),
    )


def _selection(report: ShardRun) -> Selection:
    return report.run.selection or Selection(tuple(org.name for org in report.run.orgs))


def _shard(report: ShardRun) -> Shard:
    """The report's shard; a run without ``--shard`` is the one shard of one."""
    return _selection(report).shard or Shard(1, 1)


def _names(names: Sequence[str] | set[str]) -> str:
    ordered = sorted(names)
    more = f" and {len(ordered) - SHOWN_NAMES} more" if len(ordered) > SHOWN_NAMES else ""
    return ", ".join(ordered[:SHOWN_NAMES]) + more


def _check_same_run(first: ShardRun, report: ShardRun) -> None:
    ours, theirs = set(_selection(first).selected), set(_selection(report).selected)
    if ours != theirs:
        gaps = [f"only in {path}: {_names(names)}"
                for path, names in ((report.path, theirs - ours), (first.path, ours - theirs))
                if names]
        raise PlaybookError(
            f"{report.path}: a report of another selection of orgs than {first.path} "
            f"({'; '.join(gaps)})", hint="every shard needs the same inventory and -l")
    if _shard(report).count != _shard(first).count:
        raise PlaybookError(
            f"{report.path}: shard {_shard(report)} does not belong with {first.path}'s shard "
            f"{_shard(first)}", hint="give the reports of one split, all --shard K/N of one N")


def _check_each_org_once(reports: Sequence[ShardRun]) -> None:
    ran_by: dict[str, str] = {}
    shards: dict[int, str] = {}
    for report in reports:
        shard = _shard(report)
        for org in report.run.orgs:
            if org.name in ran_by:
                raise PlaybookError(
                    f"{report.path}: org {org.name} was run by {ran_by[org.name]} too",
                    hint="each org must come from one shard: give each shard's report once")
            ran_by[org.name] = report.path
        if shard.index in shards:
            raise PlaybookError(f"{report.path}: shard {shard} again (also {shards[shard.index]})",
                                hint="give each shard's report once")
        shards[shard.index] = report.path


def _check_shard_contents(reports: Sequence[ShardRun], selected: Sequence[str]) -> None:
    for report in reports:
        shard = _shard(report)
        strangers = {org.name for org in report.run.orgs} - set(shard_orgs(selected, shard))
        if strangers:
            raise PlaybookError(
                f"{report.path}: shard {shard} ran {_names(strangers)}, outside shard {shard} "
                "of its selection", hint="merge reports as sfjwt-run wrote them, from one "
                "version of sfjwt-run")


def _check_every_shard(reports: Sequence[ShardRun], selected: Sequence[str]) -> None:
    count = _shard(reports[0]).count
    present = {_shard(report).index for report in reports}
    for index in range(1, count + 1):
        if index not in present:
            missing = shard_orgs(selected, Shard(index, count))
            raise PlaybookError(
                f"shard {index}/{count} is missing"
                + (f" (its orgs: {_names(missing)})" if missing else " (it holds no org)"),
                hint=f"give the reports of all {count} shards")


def _keys(reports: Sequence[ShardRun]) -> list[StepResult]:
    worst: dict[str, StepResult] = {}
    for report in reports:
        for key in report.run.keys:
            kept = worst.get(key.name)
            if kept is None or KEY_SEVERITY.get(key.outcome, 0) > KEY_SEVERITY.get(
                    kept.outcome, 0):
                worst[key.name] = key
    return list(worst.values())

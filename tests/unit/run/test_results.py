"""One tally for every reporter: keys, steps, ignored failures and failed logins."""

from runner.errors import ExitStatus
from runner.run.results import CheckResult, Kind, OrgResult, Outcome, RunResult, StepResult, Tally


def result(kind: Kind, outcome: Outcome, **fields: object) -> StepResult:
    return StepResult(kind, 1, "x", "org", outcome, **fields)  # type: ignore[arg-type]


def test_the_tally_counts_each_outcome_and_the_ignored_failures_among_the_failed() -> None:
    steps = [result(Kind.STEP, Outcome.OK), result(Kind.STEP, Outcome.FAILED, ignored=True),
             result(Kind.STEP, Outcome.FAILED), result(Kind.STEP, Outcome.INTERRUPTED)]
    tally = Tally.of(steps)
    assert (tally.ok, tally.failed, tally.ignored, tally.not_run) == (1, 2, 1, 1)
    assert sum(tally.values()) - tally.ignored == len(steps)


def test_an_org_with_only_ignored_failures_has_not_failed() -> None:
    org = OrgResult("uat", steps=[result(Kind.STEP, Outcome.FAILED, ignored=True)])
    assert not org.failed and org.tally.ignored == 1
    down = OrgResult("prod", unreachable=True)
    assert down.failed and down.tally.unreachable == 1


def test_the_run_tally_adds_keys_to_every_org() -> None:
    expiring = CheckResult("certificate", "days_left", "gte", 30, 9, False)
    key = result(Kind.KEY, Outcome.FAILED, checks=(expiring,))
    orgs = [OrgResult("a", steps=[result(Kind.STEP, Outcome.CHANGED)]),
            OrgResult("b", unreachable=True, steps=[result(Kind.STEP, Outcome.SKIPPED)])]
    run = RunResult("p.yml", "p", keys=[key], orgs=orgs)
    assert run.tally == Tally(changed=1, failed=1, skipped=1, unreachable=1)
    assert run.exit_status is ExitStatus.ORG_UNREACHABLE
    assert key.failed_checks == (expiring,)


def test_a_looped_step_holds_its_items_checks() -> None:
    failed = CheckResult("status", "status", "equals", "2xx", 404, False)
    item = result(Kind.ITEM, Outcome.FAILED, checks=(failed,), item="Nothing")
    step = result(Kind.STEP, Outcome.FAILED, items=(result(Kind.ITEM, Outcome.OK), item))
    assert step.all_checks == (failed,) and step.failed_checks == (failed,)

"""The line a failed playbook's pytest failure starts with: the first step that failed, read
from the run's results."""

from __future__ import annotations

from runner.pytest_plugin import headline
from runner.run.results import (
    CheckResult,
    Invocation,
    Kind,
    OrgResult,
    Outcome,
    Reason,
    RunResult,
    StepResult,
    Why,
)


def _step(name: str, org: str, outcome: Outcome, ended: float, *, ignored: bool = False,
          checks: tuple[CheckResult, ...] = (), reason: Reason | None = None) -> StepResult:
    return StepResult(Kind.STEP, 0, name, org, outcome, 1.0, checks=checks, reason=reason,
                      ignored=ignored, started_ms=ended - 1.0)


def _status(expected: int, actual: int) -> tuple[CheckResult, ...]:
    return (CheckResult("status", "status", "equals", expected, actual, False),)


def _run(*orgs: OrgResult) -> Invocation:
    return Invocation(runs=[RunResult("p.yml", "accounts", orgs=list(orgs))])


def test_the_first_failed_step_not_an_ignored_one_with_its_org_and_first_check() -> None:
    uat = OrgResult("acme-uat", steps=[
        _step("Optional probe", "acme-uat", Outcome.FAILED, 10, ignored=True,
              checks=_status(200, 404))])
    prod = OrgResult("acme-prod", steps=[
        _step("Create  the account", "acme-prod", Outcome.FAILED, 20, checks=_status(201, 400)),
        _step("Read it back", "acme-prod", Outcome.FAILED, 30, checks=(
            CheckResult("json", "Name", "equals", "Acme", None, False),))])
    assert headline(_run(uat, prod)) == ("Create  the account (acme-prod) failed — "
                                         "✗ status: expected 201, got 400")


def test_a_failure_without_a_check_says_its_reason_and_none_without_any() -> None:
    refused = OrgResult("acme-uat", login=_step(
        "log in", "acme-uat", Outcome.FAILED, 5, reason=Reason(Why.REFUSED, "invalid_grant")))
    assert headline(_run(refused)).startswith("log in (acme-uat) failed — ✗ ")  # type: ignore[union-attr]
    assert "invalid_grant" in headline(_run(refused))  # type: ignore[operator]
    fine = OrgResult("acme-uat", steps=[_step("a", "acme-uat", Outcome.OK, 1)])
    assert headline(_run(fine)) is None

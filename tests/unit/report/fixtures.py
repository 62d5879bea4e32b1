"""A small RunResult with one passing, one failing and one unreachable org, for reporter tests."""

from datetime import datetime, timezone

from runner.errors import Position
from runner.playbook.shards import Selection, fingerprint
from runner.run import results
from runner.run.results import Invocation, Kind, OrgResult, Outcome, RunResult, StepResult

SECRET_TOKEN = "00DXX0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog.39AsX.LVpxezPwuX5VAIrrbbHMuol7"
AT_CREATE = Position("playbooks/x.yml", 9, 5)
STARTED = datetime(2025, 3, 4, 5, 6, 7, 890000, tzinfo=timezone.utc)


def step(index: int, name: str, org: str, outcome: Outcome, elapsed_ms: float = 0.0,
         **fields: object) -> StepResult:
    return StepResult(Kind.STEP, index, name, org, outcome, elapsed_ms, **fields)  # type: ignore[arg-type]


def login(org: str, outcome: Outcome, elapsed_ms: float = 0.0, **fields: object) -> StepResult:
    return StepResult(Kind.LOGIN, 0, "log in", org, outcome, elapsed_ms, **fields)  # type: ignore[arg-type]


def sample_run() -> RunResult:
    good = OrgResult("alpha", elapsed_ms=120.0)
    good.login = login("alpha", Outcome.OK, 10.0)
    good.steps = [
        step(0, "versions", "alpha", Outcome.OK, 3.0),
        step(1, "create", "alpha", Outcome.CHANGED, 5.0, position=AT_CREATE),
    ]
    bad = OrgResult("beta", elapsed_ms=80.0)
    bad.login = login("beta", Outcome.OK, 9.0)
    check = results.CheckResult("json", "Name", "equals", "Acme", "Other <&>", False)
    bad.steps = [
        step(0, "versions", "beta", Outcome.OK, 4.0),
        step(1, "create", "beta", Outcome.FAILED, 6.0, checks=(check,), position=AT_CREATE,
             exchange=results.Exchange("GET", "https://x/services", 200,
                                       f'{{"token": "{SECRET_TOKEN}"}}')),
    ]
    down = OrgResult("gamma", unreachable=True, hint="check the consumer key")
    refused = results.Reason(results.Why.REFUSED, "invalid_client_id: client identifier invalid")
    down.login = login("gamma", Outcome.FAILED, reason=refused)
    unauthenticated = results.Reason(results.Why.UNAUTHENTICATED)
    down.steps = [
        step(0, "versions", "gamma", Outcome.SKIPPED, reason=unauthenticated),
        step(1, "create", "gamma", Outcome.SKIPPED, reason=unauthenticated),
    ]
    return RunResult("playbooks/x.yml", "Example", orgs=[good, bad, down], elapsed_ms=200.0,
                     sha256=fingerprint("name: Example\n"),
                     selection=Selection(("alpha", "beta", "gamma")))


def invocation(*runs: RunResult) -> Invocation:
    """The runs as one command's, started at a fixed time on host ``ci-runner``."""
    return Invocation(list(runs) or [sample_run()], started_at=STARTED, hostname="ci-runner")

"""A small RunResult with one passing and one failing org, for reporter tests."""

from runner.run.results import CheckResult, Exchange, OrgResult, Outcome, RunResult, StepResult

UNAUTHENTICATED = "the org could not authenticate"
SECRET_TOKEN = "00DXX0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog.39AsX.LVpxezPwuX5VAIrrbbHMuol7"


def sample_run() -> RunResult:
    good = OrgResult("alpha", elapsed_ms=120.0)
    good.login = StepResult(0, "log in", "alpha", Outcome.OK, 10.0)
    good.steps = [
        StepResult(0, "versions", "alpha", Outcome.OK, 3.0),
        StepResult(1, "create", "alpha", Outcome.CHANGED, 5.0),
    ]
    bad = OrgResult("beta", elapsed_ms=80.0)
    bad.login = StepResult(0, "log in", "beta", Outcome.OK, 9.0)
    check = CheckResult("json", "Name", "equals", "Acme", "Other <&>", False)
    bad.steps = [
        StepResult(0, "versions", "beta", Outcome.OK, 4.0),
        StepResult(1, "create", "beta", Outcome.FAILED, 6.0, checks=(check,),
                   reason="Name: equals 'Acme', got 'Other'",
                   exchange=Exchange("GET", "https://x/services", 200,
                                     f'{{"token": "{SECRET_TOKEN}"}}')),
    ]
    down = OrgResult("gamma", unreachable=True, hint="check the consumer key")
    refused = "could not authenticate: invalid_client_id: client identifier invalid"
    down.login = StepResult(0, "log in", "gamma", Outcome.FAILED, reason=refused)
    down.steps = [
        StepResult(0, "versions", "gamma", Outcome.SKIPPED, reason=UNAUTHENTICATED),
        StepResult(1, "create", "gamma", Outcome.SKIPPED, reason=UNAUTHENTICATED),
    ]
    return RunResult("playbooks/x.yml", "Example", orgs=[good, bad, down], elapsed_ms=200.0)

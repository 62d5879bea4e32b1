"""A lane: one login, then each step in order, with loops, conditions, polling and guards."""

from __future__ import annotations

import json
from pathlib import Path

from runner.run.results import Kind, OrgResult, Outcome, Reason, StepResult, Why
from tests.unit.fake_org import Answer, FakeOrg
from tests.unit.run.conftest import org_yaml, run, write_playbook

DESCRIBE = "/services/data/v60.0/sobjects/{}/describe"


def lane(tmp_path: Path, fake: FakeOrg, steps: str, **org: str) -> OrgResult:
    """The lane of org ``uat``; a second org, ``prod`` (without a key: it sends nothing), is
    there to be named by steps."""
    prod = org_yaml("prod", fake.base_url).replace("server.key", "absent.key")
    orgs = org_yaml("uat", fake.base_url, **org) + prod
    playbook = write_playbook(tmp_path, "name: Lane\norgs:\n" + orgs + "steps:\n" + steps)
    return run(playbook).orgs[0]


def test_a_loop_gives_a_result_per_item_and_registers_them_all(
    tmp_path: Path, fake: FakeOrg
) -> None:
    fake.script(DESCRIBE.format("Nothing"), Answer(404, [{"errorCode": "NOT_FOUND",
                                                          "message": "gone"}]))
    org = lane(tmp_path, fake, """\
  - name: Each object
    request: {path: "/services/data/v60.0/sobjects/{{ item }}/describe"}
    loop: [Account, Nothing, Contact]
    register: described
    ignore_errors: true
  - name: Counted
    assert: "described.results | map(attribute='status') | list == [200, 404, 200]"
""")
    looped, counted = org.steps
    assert [(i.kind, i.item, i.outcome) for i in looped.items] == [
        (Kind.ITEM, "Account", Outcome.OK), (Kind.ITEM, "Nothing", Outcome.FAILED),
        (Kind.ITEM, "Contact", Outcome.OK)]
    assert looped.outcome is Outcome.FAILED and looped.ignored and not org.failed
    (failed,) = looped.failed_checks
    assert (failed.subject, failed.actual, failed.message) == ("status", 404, "NOT_FOUND: gone")
    assert looped.attempts == 3 and looped.exchange is None  # each item has its own
    assert [i.exchange.status for i in looped.items if i.exchange] == [200, 404, 200]
    assert counted.outcome is Outcome.OK, counted.failed_checks


def test_when_false_skips_with_the_condition_and_orgs_limits_the_step(
    tmp_path: Path, fake: FakeOrg
) -> None:
    org = lane(tmp_path, fake, """\
  - name: Production only
    request: {path: /services/data/}
    when: org.production
  - name: Other org only
    request: {path: /services/data/}
    orgs: [prod]
""")
    assert [(s.outcome, s.reason and s.reason.why, s.reason and s.reason.detail)
            for s in org.steps] == [(Outcome.SKIPPED, Why.WHEN_FALSE, "org.production"),
                                    (Outcome.SKIPPED, Why.NOT_FOR_ORG, "")]
    assert [s.path for s in fake.seen] == ["/services/oauth2/token"]


def polled(tmp_path: Path, fake: FakeOrg, path: str, until: str) -> StepResult:
    """The result of one step that polls ``path`` up to three times until ``until`` holds."""
    (step,) = lane(tmp_path, fake, f"""\
  - name: Poll
    request: {{path: {path}}}
    until: {until}
    retries: 2
    delay: 0
""").steps
    return step


def test_until_polls_until_the_condition_holds(tmp_path: Path, fake: FakeOrg) -> None:
    job = "/services/data/v60.0/jobs/ingest/750000000000001"
    fake.script(job, Answer(200, {"state": "InProgress"}), Answer(200, {"state": "InProgress"}),
                Answer(200, {"state": "JobComplete"}))
    step = polled(tmp_path, fake, job, "response.json.state == 'JobComplete'")
    assert step.outcome is Outcome.OK and len(fake.requests_to(job)) == 3


def test_until_that_never_holds_fails_with_a_check_saying_so(
    tmp_path: Path, fake: FakeOrg
) -> None:
    step = polled(tmp_path, fake, "/services/data/", "response.json.ok == false")
    (check,) = step.failed_checks
    assert (check.subject, check.message) == ("until", "still false after 3 attempts")
    assert step.reason is None  # the check says why; reporters put it in words


def test_a_write_to_a_production_org_is_refused_before_it_is_sent(
    tmp_path: Path, fake: FakeOrg
) -> None:
    org = lane(tmp_path, fake, """\
  - name: Create
    request: {method: POST, path: /services/data/v60.0/sobjects/Account, json: {Name: x}}
    ignore_errors: true
  - name: Create, allowed
    request: {method: POST, path: /services/data/v60.0/sobjects/Account, json: {Name: y}}
    allow_write: true
""", production="true")
    refused, allowed = org.steps
    assert refused.outcome is Outcome.FAILED and refused.reason is not None
    assert refused.reason.why is Why.ERROR and "refused POST on production org" in (
        refused.reason.detail)
    assert allowed.outcome is Outcome.CHANGED
    posted = fake.requests_to("/services/data/v60.0/sobjects/Account")
    assert [json.loads(seen.body) for seen in posted] == [{"Name": "y"}]


def test_a_template_error_fails_its_step_with_where_it_is(tmp_path: Path, fake: FakeOrg) -> None:
    org = lane(tmp_path, fake, """\
  - name: Broken
    request: {path: "/services/data/{{ 1 / 0 }}"}
  - name: Not run after it
    request: {path: /services/data/}
""")
    broken, after = org.steps
    assert broken.outcome is Outcome.FAILED and broken.reason is not None
    assert broken.reason.detail.startswith(f"{tmp_path / 'playbook.yml'}:")
    assert "(request.path)" in broken.reason.detail
    assert (after.outcome, after.reason) == (Outcome.SKIPPED,
                                             Reason(Why.EARLIER_FAILURE, "Broken"))

"""The executor: keys first, one lane per org side by side, every outcome recorded, none raised."""

from __future__ import annotations

from pathlib import Path

from runner.errors import ExitStatus
from runner.run.executor import Executor, RunOptions
from runner.run.results import Kind, Outcome, Why
from tests.unit.fake_org import FakeOrg
from tests.unit.run.conftest import Recorder, org_yaml, run, write_playbook

STEPS = """\
steps:
  - name: Versions
    request: {path: /services/data/}
  - name: Limits
    request: {path: /services/data/v60.0/limits}
"""


def test_one_org_answers_and_one_cannot_be_reached(tmp_path: Path, fake: FakeOrg) -> None:
    playbook = write_playbook(tmp_path, "name: Two orgs\norgs:\n"
                              + org_yaml("near", fake.base_url)
                              + org_yaml("far", "http://127.0.0.1:1") + STEPS)
    heard = Recorder()
    result = run(playbook, heard)
    near, far = result.orgs
    assert heard.started == ["near", "far"] and {o.name for o in heard.orgs} == {"near", "far"}
    assert [s.outcome for s in near.steps] == [Outcome.OK, Outcome.OK]
    assert [s.path for s in fake.seen] == ["/services/oauth2/token", "/services/data/",
                                           "/services/data/v60.0/limits"]
    assert fake.seen[1].headers["authorization"] == f"Bearer {fake.tokens[0]}"
    assert far.unreachable and far.login is not None
    assert (far.login.kind, far.login.outcome) == (Kind.LOGIN, Outcome.FAILED)
    assert far.login.reason is not None and far.login.reason.why is Why.UNREACHABLE
    assert {(s.outcome, s.reason.why) for s in far.steps if s.reason} == {
        (Outcome.SKIPPED, Why.UNAUTHENTICATED)}
    assert result.exit_status is ExitStatus.ORG_UNREACHABLE
    assert result.tally.ok == 2 and result.tally.unreachable == 1 and result.tally.skipped == 2
    assert len(heard.steps) == 6  # two logins, four steps


def test_results_know_where_their_step_is(tmp_path: Path, fake: FakeOrg) -> None:
    playbook = write_playbook(tmp_path, "name: Positions\norgs:\n"
                              + org_yaml("near", fake.base_url) + STEPS)
    near = run(playbook).orgs[0]
    assert near.login is not None and near.login.position is not None
    assert (near.login.position.line, near.login.position.col) == (3, 3)
    assert [(s.position.line if s.position else None) for s in near.steps] == [10, 12]
    assert all(s.position and s.position.file.endswith("playbook.yml") for s in near.steps)


def test_a_key_short_of_min_days_left_fails_as_a_check(tmp_path: Path, fake: FakeOrg) -> None:
    playbook = write_playbook(tmp_path, """\
name: Expiring
keys:
  short: {private_key: made.key, certificate: made.crt, days: 5, min_days_left: 30}
orgs:
""" + org_yaml("near", fake.base_url) + STEPS)
    result = run(playbook)
    (key,) = result.keys
    assert (key.kind, key.outcome, key.position and key.position.line) == (
        Kind.KEY, Outcome.FAILED, 3)
    (check,) = key.failed_checks
    assert (check.subject, check.matcher, check.expected, check.actual) == (
        "certificate", "gte", 30, 4)
    assert result.exit_status is ExitStatus.STEP_FAILED
    assert (tmp_path / "made.key").exists()


def test_an_org_whose_key_cannot_be_loaded_logs_nothing_in(tmp_path: Path, fake: FakeOrg) -> None:
    playbook = write_playbook(tmp_path, "name: No key\norgs:\n"
                              + org_yaml("near", fake.base_url).replace("server.key", "gone.key")
                              + STEPS)
    near = run(playbook).orgs[0]
    assert near.unreachable and near.login and near.login.reason
    assert near.login.reason.why is Why.NOT_PREPARED and "gone.key" in near.login.reason.detail
    assert fake.seen == []


def test_a_stopped_run_marks_the_steps_it_did_not_run(tmp_path: Path, fake: FakeOrg) -> None:
    playbook = write_playbook(tmp_path, "name: Stopped\norgs:\n"
                              + org_yaml("near", fake.base_url) + STEPS)
    executor = Executor(playbook, RunOptions())
    executor.stop()
    result = executor.run()
    assert result.interrupted and result.exit_status is ExitStatus.INTERRUPTED
    assert {s.outcome for s in result.orgs[0].steps} == {Outcome.INTERRUPTED}

"""Checks and reasons read the same in every report."""

import json
from pathlib import Path

from runner.report import wording
from runner.run import checks
from runner.run.results import CheckResult, Kind, Outcome, Reason, StepResult, Why
from runner.secrets import register

SCHEMA = json.loads((Path(__file__).parents[3] / "schemas" / "report.schema.json").read_text())


def test_summarize_names_the_first_failures_and_counts_the_rest():
    results = checks.check_json({"totalSize": 5}, {"totalSize": 2})
    assert wording.summarize(results) == "totalSize: equals 5, got 2"
    many = checks.check_json({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}, {})
    assert wording.summarize(many).endswith("(+2 more)")


def test_a_check_in_words():
    status = CheckResult("status", "status", "equals", "2xx", 404, False, "NOT_FOUND: gone")
    assert wording.describe_check(status) == "status: expected '2xx', got 404"
    assert wording.summarize([status]) == "status: equals '2xx', got 404 (NOT_FOUND: gone)"
    field = CheckResult("json", "Name", "equals", "Acme", "Other", False)
    assert wording.describe_check(field) == "json Name: equals 'Acme', got 'Other'"


def test_a_certificate_check_says_how_many_days_are_left():
    expiring = CheckResult("certificate", "days_left", "gte", 30, 9, False,
                           "renew it and upload it to the connected app")
    expected = ("the certificate expires in 9 days (min_days_left: 30); renew it and upload it "
                "to the connected app")
    assert wording.describe_check(expiring) == expected
    assert wording.summarize([expiring]) == expected


def test_reasons_are_phrased_by_the_report_and_masked():
    secret = "s3cr3t-passphrase-value"
    register(secret)
    refused = StepResult(Kind.LOGIN, 0, "log in", "uat", Outcome.FAILED,
                         reason=Reason(Why.REFUSED, f"invalid_grant: {secret}"))
    assert wording.reason_text(refused) == "could not authenticate: invalid_grant: ***"
    skipped = StepResult(Kind.STEP, 2, "x", "uat", Outcome.SKIPPED,
                         reason=Reason(Why.WHEN_FALSE, "org.production"))
    assert wording.reason_text(skipped) == "when: org.production was false"


def test_every_reason_has_words_and_a_code_in_the_report_schema():
    assert set(wording.REASONS) == set(Why)
    codes = SCHEMA["$defs"]["step"]["properties"]["reason_code"]["enum"]
    assert set(codes) == {why.value for why in Why} | {None}

"""The line a failed playbook's pytest failure starts with: the first step that failed."""

from __future__ import annotations

from runner.pytest_plugin import headline

OUTPUT = """\
PLAY accounts  (p.yml)
orgs: acme-uat, acme-prod

  ok        log in                   acme-uat       7 ms
  failed (ignored) Optional probe    acme-uat       3 ms
             ✗ status: equals 200, got 404
  failed    Create  the account      acme-prod     12 ms
             ✗ status: equals 201, got 400
             response: [{"errorCode": "REQUIRED_FIELD_MISSING"}]
  failed    Read it back             acme-prod      4 ms
             ✗ json Name: equals Acme, got null
"""


def test_the_first_failed_step_not_an_ignored_one_with_its_org_and_first_check() -> None:
    assert headline(OUTPUT) == ("Create  the account (acme-prod) failed — "
                                "✗ status: equals 201, got 400")


def test_a_failure_without_a_check_is_named_alone_and_none_without_any() -> None:
    assert headline("  failed    log in  acme-uat     0 ms\n             login refused\n") \
        == "log in (acme-uat) failed"
    assert headline("PLAY x\n  ok        a  org  1 ms\n") is None

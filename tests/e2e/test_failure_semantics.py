"""A failed step ends that org's run; blocks, ignore_errors, failed_when and keep_going change
where a failure goes, as in Ansible.

Recipes as a Salesforce engineer writes them, run by the real CLI against a
standalone embedded org whose records the test reads back after the run: what
was (and was not) sent is proved by the org's own data, and what a person reads
by the console text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CliRun, run_cli, run_cli_inprocess, single_run
from tests.e2e.org_records import CLIENT_ID, USERNAME, StandaloneOrg, standalone_org

ACCOUNTS = "/services/data/v60.0/sobjects/Account"


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandaloneOrg]:
    with standalone_org(tmp_path_factory.mktemp("org")) as running:
        yield running


def recipe(org: StandaloneOrg, folder: Path, steps: str, *, head: str = "") -> Path:
    """A playbook for the standalone org, its steps given as YAML text."""
    path = folder / "recipe.yml"
    path.write_text(
        f"name: Recipe\n{head}"
        "orgs:\n"
        "  uat:\n"
        f"    login_url: {org.url}\n"
        f"    client_id: {CLIENT_ID}\n"
        f"    username: {USERNAME}\n"
        f"    private_key: {org.private_key}\n"
        f"steps:\n{steps}"
    )
    return path


def names(org: StandaloneOrg, prefix: str) -> list[str]:
    """The Accounts in the org whose name starts with ``prefix`` (deleted ones are in the
    recycle bin, as on Salesforce, and not listed)."""
    return [str(name) for name, deleted in org.records("Account", "Name", "IsDeleted")
            if str(name).startswith(prefix) and not deleted]


def lines(run: CliRun) -> list[str]:
    return [" ".join(line.split()) for line in run.stdout.splitlines()]


RENAME = f"""\
  - name: Rename it
    request:
      method: PATCH
      path: "{ACCOUNTS}/{{{{ made.json.id }}}}"
      json: {{Nmae: renamed}}
"""  # a field name Salesforce does not know: 400 INVALID_FIELD


def create(name: str, record: str) -> str:
    return (f"  - name: {name}\n"
            f"    request: {{method: POST, path: {ACCOUNTS}, json: {{Name: {record}}}}}\n"
            "    register: made\n")


def indented(text: str) -> str:
    return "".join("    " + line for line in text.splitlines(keepends=True))


LIFECYCLE = create("Create the account", "halt-probe") + RENAME + f"""\
  - name: Delete it
    request: {{method: DELETE, path: "{ACCOUNTS}/{{{{ made.json.id }}}}"}}
"""


def test_a_failed_step_ends_the_org_run_and_the_later_delete_is_not_sent(
    org: StandaloneOrg, tmp_path: Path,
) -> None:
    run = run_cli_inprocess(str(recipe(org, tmp_path, LIFECYCLE)))
    assert run.status == 2, run.output
    assert names(org, "halt-probe") == ["halt-probe"]  # the DELETE never reached the org
    shown = lines(run)
    assert any(line.startswith("failed Rename it uat") for line in shown)
    at = shown.index("skipped Delete it uat")
    assert shown[at + 1] == "an earlier step failed: Rename it"
    assert "undefined" not in run.stdout
    assert any(line.startswith("uat 0 1 1 1 ") for line in shown), shown  # the recap row


BLOCK = "  - name: Probe record\n    block:\n" + indented(
    create("Create the probe", "block-probe") + RENAME
    + "  - name: Never reached\n    request: {path: /services/data/}\n") + f"""\
    rescue:
      - name: Say what failed
        debug:
          msg: "{{{{ ansible_failed_task.name }}}} failed: {{{{ ansible_failed_result.msg }}}}"
    always:
      - name: Delete the probe
        request: {{method: DELETE, path: "{ACCOUNTS}/{{{{ made.json.id }}}}"}}
        when: made is succeeded
  - name: Nothing is left behind
    query: "SELECT Id FROM Account WHERE Name = 'block-probe'"
    expect: {{json: {{totalSize: 0}}}}
"""


def test_rescue_handles_the_failure_and_always_deletes_the_record(
    org: StandaloneOrg, tmp_path: Path,
) -> None:
    report = tmp_path / "r.json"
    run = run_cli_inprocess(str(recipe(org, tmp_path, BLOCK)), "--json", str(report))
    assert run.status == 0, run.output
    assert names(org, "block-probe") == []  # the always step deleted it, in the org
    shown = lines(run)
    rescued = next(at for at, line in enumerate(shown) if line.startswith("rescued Rename it uat"))
    assert shown[rescued + 1] == "✗ status: expected '2xx', got 400"
    at = shown.index("skipped Never reached uat")
    assert shown[at + 1] == "an earlier step failed: Rename it"
    debug = next(at for at, line in enumerate(shown) if line.startswith("ok Say what failed"))
    said = shown[debug + 1]
    assert said.startswith("Rename it failed: Status code was 400 and not 2xx: INVALID_FIELD")
    assert any(line.startswith("changed Delete the probe uat") for line in shown)
    assert any(line.startswith("ok Nothing is left behind uat") for line in shown)
    assert "PASSED" in run.stdout
    data = single_run(report)
    steps = data["orgs"][0]["steps"]
    assert [s["outcome"] for s in steps] == ["changed", "rescued", "skipped", "ok", "changed",
                                             "ok"]
    assert data["counts"]["rescued"] == 1


def test_always_cleans_up_after_a_failure_no_rescue_handles(
    org: StandaloneOrg, tmp_path: Path,
) -> None:
    steps = BLOCK.replace(BLOCK[BLOCK.index("    rescue:"):BLOCK.index("    always:")], "")
    run = run_cli_inprocess(str(recipe(org, tmp_path, steps.replace("block-probe",
                                                                      "always-probe"))))
    assert run.status == 2, run.output
    assert names(org, "always-probe") == []  # cleaned up although the org failed
    shown = lines(run)
    assert any(line.startswith("failed Rename it uat") for line in shown)
    assert any(line.startswith("changed Delete the probe uat") for line in shown)
    at = shown.index("skipped Nothing is left behind uat")
    assert shown[at + 1] == "an earlier step failed: Rename it"


def test_a_cleanup_that_needs_a_failed_result_is_skipped_with_that_reason(
    org: StandaloneOrg, tmp_path: Path,
) -> None:
    steps = f"""\
  - name: Probe record
    block:
      - name: Create the probe
        request: {{method: POST, path: {ACCOUNTS}, json: {{Nmae: no-name}}}}
        register: made
    always:
      - name: Delete the probe
        request: {{method: DELETE, path: "{ACCOUNTS}/{{{{ made.json.id }}}}"}}
"""
    run = run_cli_inprocess(str(recipe(org, tmp_path, steps)))
    assert run.status == 2, run.output
    shown = lines(run)
    at = shown.index("skipped Delete the probe uat")
    assert shown[at + 1] == "needs 'made', from 'Create the probe', which failed"
    assert "has no" not in run.stdout and "undefined" not in run.stdout


def test_ignore_errors_failed_when_and_changed_when(org: StandaloneOrg, tmp_path: Path) -> None:
    steps = f"""\
  - name: Describe a custom object (404 is fine here)
    request: {{path: /services/data/v60.0/sobjects/Widget__c/describe}}
    register: described
    failed_when: described.status not in [200, 404]
    changed_when: false
  - name: Create without calling it a change
    request: {{method: POST, path: {ACCOUNTS}, json: {{Name: quiet-probe}}}}
    register: quiet
    changed_when: false
  - name: A failure that does not stop the run
    request: {{path: /services/data/v60.0/sobjects/Widget__c/describe}}
    ignore_errors: true
  - name: Runs after the ignored failure
    request: {{method: DELETE, path: "{ACCOUNTS}/{{{{ quiet.json.id }}}}"}}
  - name: Fails on its own terms
    request: {{path: /services/data/}}
    register: versions
    failed_when: versions.json | length > 1
"""
    run = run_cli_inprocess(str(recipe(org, tmp_path, steps)))
    assert run.status == 2, run.output
    assert names(org, "quiet-probe") == []  # the step after the ignored failure ran
    shown = lines(run)
    assert any(line.startswith("ok Describe a custom object (404 is fine here) uat")
               for line in shown)
    assert any(line.startswith("ok Create without calling it a change uat") for line in shown)
    assert any(line.startswith("failed (ignored) A failure that does not stop the run")
               for line in shown)
    assert any(line.startswith("changed Runs after the ignored failure uat") for line in shown)
    assert "✗ failed_when: versions.json | length > 1 was true" in run.stdout


KEEP_GOING = """\
  - name: Limits
    request: {path: /services/data/v60.0/limits}
    register: limits
  - name: Broken check
    request: {path: /services/data/v60.0/sobjects/Widget__c/describe}
    register: broken
  - name: Uses the broken result
    assert: ["broken.json.name == 'Widget__c'"]
  - name: Independent check
    assert: ["limits.json.DailyApiRequests.Max > 0"]
"""


@pytest.mark.parametrize("how", ["keyword", "option", "neither"])
def test_keep_going_runs_the_independent_steps(org: StandaloneOrg, tmp_path: Path,
                                               how: str) -> None:
    head = "keep_going: true\n" if how == "keyword" else ""
    options = ["--keep-going"] if how == "option" else []
    run = run_cli_inprocess(str(recipe(org, tmp_path, KEEP_GOING, head=head)), *options)
    assert run.status == 2, run.output
    shown = lines(run)
    assert any(line.startswith("failed Broken check uat") for line in shown)
    at = shown.index("skipped Uses the broken result uat")
    if how == "neither":
        assert shown[at + 1] == "an earlier step failed: Broken check"
        assert "skipped Independent check uat" in shown
        return
    assert shown[at + 1] == "needs 'broken', from 'Broken check', which failed"
    assert any(line.startswith("ok Independent check uat") for line in shown)


def test_any_errors_fatal_and_max_fail_percentage_stop_every_org(tmp_path: Path) -> None:
    inventory = tmp_path / "orgs.yml"
    inventory.write_text(
        "orgs:\n"
        "  acme-a: {emulator: true}\n"
        "  globex:\n"
        "    emulator:\n"
        "      faults: [{path: /services/data/*/sobjects/Account/describe, status: 404}]\n"
        "  acme-c: {emulator: true}\n"
    )
    steps = ("steps:\n"
             "  - name: Versions\n"
             "    request: {path: /services/data/}\n"
             "  - name: Describe Account\n"
             "    request: {path: /services/data/v60.0/sobjects/Account/describe}\n"
             "  - name: Limits\n"
             "    request: {path: /services/data/v60.0/limits}\n")
    results = {}
    for label, head in [("fatal", "any_errors_fatal: true\n"),
                        ("over", "max_fail_percentage: 30\n"),
                        ("under", "max_fail_percentage: 50\n")]:
        playbook = tmp_path / f"{label}.yml"
        playbook.write_text(f"name: Fleet {label}\n{head}{steps}")
        report = tmp_path / f"{label}.json"
        run = run_cli("-i", str(inventory), str(playbook), "-f", "1", "--json", str(report))
        results[label] = (run, single_run(report))
    for label in ("fatal", "over"):
        run, data = results[label]
        assert run.status == 2, run.output
        orgs = {o["name"]: [s["outcome"] for s in o["steps"]] for o in data["orgs"]}
        assert orgs == {"acme-a": ["ok", "ok", "ok"], "globex": ["ok", "failed", "skipped"],
                        "acme-c": ["aborted", "aborted", "aborted"]}, label
        assert all(s["exchange"] is None for s in data["orgs"][2]["steps"])  # nothing sent
        assert data["orgs"][2]["login"]["outcome"] == "aborted"
        shown = lines(run)
        assert "aborted Versions acme-c" in shown
        why = shown[shown.index("aborted Versions acme-c") + 1]
        if label == "fatal":
            assert why == ("stopped for every org: globex failed 'Describe Account' "
                           "(any_errors_fatal)")
        else:
            assert why == ("stopped for every org: 1 of 3 orgs failed, more than "
                           "max_fail_percentage 30 %")
        assert "aborted" in run.stdout.split("RECAP")[1].splitlines()[1]
    run, data = results["under"]
    assert run.status == 2, run.output
    assert [s["outcome"] for s in data["orgs"][2]["steps"]] == ["ok", "ok", "ok"]

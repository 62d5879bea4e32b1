"""Rules that hold the same way everywhere: templated ``max_ms``, ``until`` over the register
name, a list as an ``equals`` shorthand, Ansible's quoted ``-e``, a recap that counts key
changes, and a last line that agrees with the exit status."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import run_cli
from tests.e2e.org_records import CLIENT_ID, USERNAME, StandaloneOrg, standalone_org

POLL = """\
name: Poll the API usage
vars:
  limits_path: /services/data/v60.0/limits
  slowest_ms: 600000
steps:
  - name: Usage before
    request: {path: "{{ limits_path }}"}
    register: first
    expect: {max_ms: "{{ slowest_ms }}"}
  - name: Wait until four more calls were counted
    request: {path: "{{ limits_path }}"}
    register: usage
    until: usage.json.DailyApiRequests.Remaining <= first.json.DailyApiRequests.Remaining - 4
    retries: 9
    delay: 0
  - name: The polling stopped as soon as it could
    assert: usage.json.DailyApiRequests.Remaining == first.json.DailyApiRequests.Remaining - 4
"""


def steps_of(report: Path) -> dict[str, dict[str, object]]:
    [playbook] = json.loads(report.read_text())["playbooks"]
    [org] = playbook["orgs"]
    return {step["name"]: step for step in org["steps"]}


def test_until_reads_the_register_name_and_max_ms_may_be_a_template(tmp_path: Path) -> None:
    playbook = tmp_path / "poll.yml"
    playbook.write_text(POLL)
    report = tmp_path / "r.json"
    run = run_cli(str(playbook), "--json", str(report), cwd=tmp_path)
    assert run.status == 0, run.output
    steps = steps_of(report)
    assert steps["Wait until four more calls were counted"]["attempts"] == 4
    [limit] = [c for c in steps["Usage before"]["checks"] if c["subject"] == "max_ms"]
    assert limit["expected"] == 600000.0 and limit["passed"]
    slow = run_cli(str(playbook), "-e", "slowest_ms=soon", cwd=tmp_path)
    assert slow.status == 2, slow.output
    assert re.search(r"✗ \S+poll\.yml:9:22 \(expect\.max_ms\): expected a positive number of "
                     r"milliseconds, got 'soon'", slow.stdout), slow.stdout


def test_until_with_a_misspelled_register_name_gets_a_hint_that_helps(tmp_path: Path) -> None:
    playbook = tmp_path / "poll.yml"
    playbook.write_text(POLL.replace("until: usage.json", "until: usgae.json"))
    run = run_cli(str(playbook), cwd=tmp_path)
    assert run.status == 4, run.output
    lines = run.stderr.splitlines()
    assert lines[0] == f"{playbook}:13:12: undefined variable 'usgae'; did you mean 'usage'?"
    assert lines[-1] == ("hint: until: reads this step's own result as `response` or by its "
                         "register name; other names come from vars:, -e, or earlier steps' "
                         "register")


ACCOUNTS = """\
name: Accounts of a type
steps:
  - name: Create {{ item }}
    request:
      method: POST
      path: /services/data/v60.0/sobjects/Account
      json: {Name: "Rules {{ item }}", Type: "{{ account_type }}"}
    loop: [B, A]
  - name: Both are there, in order
    query: "SELECT Name, Type FROM Account WHERE Type = '{{ account_type }}' ORDER BY Name"
    expect:
      json:
        "records[*].Name": ["Rules A", "Rules B"]
        "records[*].Type": {length: 2}
  - name: A list is compared whole
    query: "SELECT Name FROM Account WHERE Type = '{{ account_type }}' ORDER BY Name"
    expect:
      json: {"records[*].Name": ["Rules B"]}
    ignore_errors: true
"""


def run_accounts(tmp_path: Path, org: StandaloneOrg) -> tuple[str, int]:
    playbook = tmp_path / "accounts.yml"
    playbook.write_text(ACCOUNTS.replace("name: Accounts of a type", (
        "name: Accounts of a type\norgs:\n  standalone:\n"
        f"    login_url: {org.url}\n    client_id: {CLIENT_ID}\n    username: {USERNAME}\n"
        f"    private_key: {org.private_key}")))
    run = run_cli(str(playbook), "-e", 'account_type="Customer - Direct"', cwd=tmp_path)
    return run.stdout, run.status


def test_a_quoted_extra_var_and_a_bare_list_as_equals(tmp_path: Path) -> None:
    with standalone_org(tmp_path) as org:
        stdout, status = run_accounts(tmp_path, org)
    assert status == 0, stdout
    assert sorted(org.records("Account", "Name", "Type")) == [
        ("Rules A", "Customer - Direct"), ("Rules B", "Customer - Direct")]
    assert "ok        Both are there, in order" in stdout
    assert ("✗ json records[*].Name: equals ['Rules B'], got ['Rules A', 'Rules B']"
            in stdout), stdout


KEYED = """\
name: Keyed
keys:
  main: {private_key: certs/server.key, certificate: certs/server.crt}
orgs:
  embedded: {emulator: true, key: main}
steps:
  - name: Versions
    request: {path: /services/data/}
"""


def test_the_recap_counts_a_key_that_changed(tmp_path: Path) -> None:
    (tmp_path / "keyed.yml").write_text(KEYED)
    first = run_cli("keyed.yml", cwd=tmp_path)
    again = run_cli("keyed.yml", cwd=tmp_path)
    assert first.status == again.status == 0, first.output + again.output
    assert re.search(r"^  changed +key main", first.stdout, re.MULTILINE)
    assert re.search(r"^\(keys\) +0 +1 +0 +0 ", first.stdout, re.MULTILINE), first.stdout
    assert re.search(r"^\(keys\) +1 +0 +0 +0 ", again.stdout, re.MULTILINE), again.stdout
    assert re.search(r"^embedded +1 +0 +0 +0 ", first.stdout, re.MULTILINE)


def test_with_several_playbooks_the_last_line_agrees_with_the_exit_status(
    tmp_path: Path,
) -> None:
    (tmp_path / "keyed.yml").write_text(KEYED)
    (tmp_path / "failing.yml").write_text(KEYED.replace(
        "path: /services/data/}", "path: /services/data/}\n    expect: {status: 418}"))
    run = run_cli("failing.yml", "keyed.yml", cwd=tmp_path)
    assert run.status == 2, run.output
    lines = run.stdout.rstrip().splitlines()
    assert re.search(r"^failing\.yml +embedded +0 +0 +1 +0 ", run.stdout, re.MULTILINE), lines
    assert re.search(r"^keyed\.yml +embedded +1 +0 +0 +0 ", run.stdout, re.MULTILINE), lines
    assert re.fullmatch(r"FAILED: 2 playbooks, 1 did not pass \(failing\.yml\) in \S+ s",
                        lines[-1]), lines
    both = run_cli("keyed.yml", "keyed.yml", cwd=tmp_path)
    assert both.status == 0, both.output
    assert re.fullmatch(r"PASSED: 2 playbooks in \S+ s", both.stdout.rstrip().splitlines()[-1])

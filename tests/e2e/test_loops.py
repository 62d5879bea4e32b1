"""Loops you can see: a name and a label per item, each failure with its own item's response,
items in every report, Ansible's register shape, and what each item sent to the org.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli_inprocess, single_run
from tests.e2e.org_records import CLIENT_ID, USERNAME, standalone_org
from tests.junit_check import check_junit

STEPS = """\
vars:
  accounts:
    - {name: Acme, type: Customer - Direct}
    - {name: "", type: Prospect}
    - {name: Globex, type: Other}
    - {name: Initech, type: skip}
steps:
  - name: "Create {{ account.name or '(no name)' }}"
    request:
      method: POST
      path: /services/data/v60.0/sobjects/Account
      json: {Name: "{{ account.name }}", Type: "{{ account.type }}"}
    loop: "{{ accounts }}"
    loop_control: {label: "#{{ n }} {{ account.type }}", loop_var: account, index_var: n}
    when: account.type != 'skip'
    register: created
    ignore_errors: true
  - name: The register holds every item, as Ansible's does
    assert:
      - created.results | map(attribute='account') | map(attribute='name') | list
        == ['Acme', '', 'Globex', 'Initech']
      - created.results | selectattr('failed') | map(attribute='n') | list == [1]
      - created.results[0].status == 201 and created.results[1].status == 400
      - created.results[3].skipped and created.results[3].ansible_loop_var == 'account'
      - created.failed and created.changed and created.msg == 'One or more items failed'
"""


def lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The same recipe run twice against one org: as it is, and with -v."""
    folder = tmp_path_factory.mktemp("loops")
    found: dict[str, object] = {}
    with standalone_org(folder) as org:
        playbook = folder / "loop.yml"
        playbook.write_text(
            "name: Accounts from a list\n"
            "orgs:\n"
            f"  uat: {{login_url: '{org.url}', client_id: {CLIENT_ID}, username: {USERNAME},"
            f" private_key: '{org.private_key}'}}\n" + STEPS)
        found["plain"] = run_cli_inprocess(str(playbook), "--json", str(folder / "r.json"),
                                           "--junit", str(folder / "j.xml"))
        found["verbose"] = run_cli_inprocess(str(playbook), "-v")
        found["records"] = org.records("Account", "Name", "Type")
    found["report"] = single_run(folder / "r.json")
    found["junit"] = check_junit(folder / "j.xml")
    return found


def test_each_item_sends_its_own_values(runs: dict[str, object]) -> None:
    assert runs["records"] == [("Acme", "Customer - Direct"), ("Globex", "Other")] * 2


def test_only_the_failing_item_shows_by_default_with_its_own_response(
    runs: dict[str, object],
) -> None:
    run = runs["plain"]
    assert run.status == 0, run.output  # ignore_errors: the loop's failure is reported, not fatal
    shown = lines(run.stdout)
    step = next(i for i, line in enumerate(shown)
                if line.startswith("failed (ignored) Create {{ account.name or '(no name)' }}"))
    assert shown[step + 1].startswith("failed Create (no name) (#1 Prospect) uat")
    assert shown[step + 2] == "✗ status: expected '2xx', got 400"
    assert shown[step + 3].startswith('response: [{"message":"Required fields are missing: '
                                      '[Name]","errorCode":"REQUIRED_FIELD_MISSING"')
    assert not any(line.startswith("changed Create Acme") for line in shown)
    assert any(line.startswith("ok The register holds every item") for line in shown)


def test_one_line_per_item_at_v(runs: dict[str, object]) -> None:
    shown = lines(runs["verbose"].stdout)
    items = [line.split(" uat")[0] for line in shown
             if line.startswith(("changed Create", "failed Create", "skipped Create"))]
    assert items == ["changed Create Acme (#0 Customer - Direct)",
                     "failed Create (no name) (#1 Prospect)",
                     "changed Create Globex (#2 Other)",
                     "skipped Create Initech (#3 skip)"]
    skipped = shown.index(next(line for line in shown if line.startswith("skipped Create")))
    assert shown[skipped + 1] == "when: account.type != 'skip' was false"


def test_reports_carry_the_items(runs: dict[str, object]) -> None:
    report = runs["report"]
    looped = report["orgs"][0]["steps"][0]
    assert [(item["item"], item["outcome"]) for item in looped["items"]] == [
        ("#0 Customer - Direct", "changed"), ("#1 Prospect", "failed"), ("#2 Other", "changed"),
        ("#3 skip", "skipped")]
    assert [item["name"] for item in looped["items"]][:2] == ["Create Acme",
                                                              "Create (no name)"]
    failed = looped["items"][1]
    assert "REQUIRED_FIELD_MISSING" in failed["exchange"]["response_excerpt"]
    assert looped["exchange"] is None  # no step-wide excerpt to confuse with one item's
    suite = next(iter(runs["junit"]))
    case = next(case for case in suite if case.name.startswith("Create {{"))
    out = case._elem.find("system-out").text.splitlines()
    assert out[0] == "item #0 Customer - Direct: changed"
    assert out[1] == "item #1 Prospect: failed"
    assert "REQUIRED_FIELD_MISSING" in "\n".join(out[2:4])


def test_an_empty_loop_is_skipped_and_pause_spaces_items(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "p.yml").write_text(
        "name: Empty\nvars: {nothing: []}\nsteps:\n"
        "  - name: Nothing to do\n    assert: [item]\n    loop: '{{ nothing }}'\n"
        "  - name: Slowly\n    assert: ['n == item - 1']\n    loop: [1, 2]\n"
        "    loop_control: {pause: 0.05, index_var: n}\n")
    monkeypatch.chdir(tmp_path)
    run = run_cli_inprocess("p.yml", "-v")
    assert run.status == 0, run.output
    shown = lines(run.stdout)
    at = shown.index("skipped Nothing to do embedded")
    assert shown[at + 1] == "the loop has no items"
    assert [line.split(" embedded")[0] for line in shown if line.startswith("ok Slowly")] == [
        "ok Slowly", "ok Slowly (1)", "ok Slowly (2)"]


UNREGISTERED = """\
name: Unregistered loops
steps:
  - block:
      - name: Read each
        request: {path: "{{ item }}"}
        loop: [/services/data/, /services/data/v60.0/sobjects/Nope/describe]
    rescue:
      - name: What failed
        debug:
          msg: >-
            {{ ansible_failed_result.results | map(attribute='status') | list }}
            {{ ansible_failed_result.results[0].json | length > 0 }}
            {{ ansible_failed_result.results[1].item }} {{ ansible_failed_result.msg }}
  - name: Limits
    request: {path: /services/data/v60.0/limits}
    loop: [1, 2, 3]
"""


def test_a_loop_no_one_registers_still_gives_a_rescue_and_the_reports_every_item(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without ``register``, a loop keeps each item's verdict and what the reports show;
    in a block with a rescue, ``ansible_failed_result`` still holds every item's result."""
    (tmp_path / "p.yml").write_text(UNREGISTERED)
    monkeypatch.chdir(tmp_path)
    run = run_cli_inprocess("p.yml", "--json", "r.json")
    assert run.status == 0, run.output
    assert "[200, 404] True /services/data/v60.0/sobjects/Nope/describe One or more items " \
        "failed" in lines(run.stdout)
    steps = single_run(tmp_path / "r.json")["orgs"][0]["steps"]
    limits = next(step for step in steps if step["name"] == "Limits")
    assert [(item["item"], item["exchange"]["status"]) for item in limits["items"]] == [
        ("1", 200), ("2", 200), ("3", 200)]
    for item in limits["items"]:
        excerpt = item["exchange"]["response_excerpt"]
        assert excerpt.startswith('{"ConcurrentAsyncGetReportInstances"') and len(excerpt) > 500

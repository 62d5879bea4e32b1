import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from runner.errors import UsageError
from runner.report import jsonfile, junit, markdown
from runner.report.files import Target, targets, write_reports
from runner.run.results import Outcome
from runner.secrets import register
from tests.junit_check import check_junit
from tests.unit.report.fixtures import SECRET_TOKEN, invocation, login, sample_run, step

SCHEMA = json.loads((Path(__file__).parents[3] / "schemas" / "report.schema.json").read_text())


def test_json_report_follows_its_schema_and_counts_every_step():
    data = json.loads(jsonfile.render(invocation()))
    jsonschema.validate(data, SCHEMA)
    assert data["verdict"] == "unreachable" and data["exit_status"] == 3
    assert (data["version"], data["hostname"]) == (2, "ci-runner")
    assert data["started_at"] == "2025-03-04T05:06:07.890+00:00"
    (run,) = data["playbooks"]
    assert [len(org["steps"]) for org in run["orgs"]] == [2, 2, 2]
    assert run["orgs"][1]["steps"][1]["checks"][0]["actual"] == "Other <&>"


def test_reports_mask_secrets():
    register(SECRET_TOKEN)
    run = invocation()
    for text in (jsonfile.render(run), junit.render(run), markdown.render(run)):
        assert SECRET_TOKEN not in text
    assert "***" in jsonfile.render(run) and "***" in junit.render(run)


def test_junit_has_a_suite_per_org_and_a_case_per_step():
    text = junit.render(invocation())
    check_junit(text)
    root = ET.fromstring(text)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["alpha", "beta", "gamma"]
    assert [s.get("tests") for s in suites] == ["3", "3", "3"]
    assert {s.get("hostname") for s in suites} == {"ci-runner"}
    assert {s.get("file") for s in suites} == {"playbooks/x.yml"}
    beta = suites[1]
    assert beta.get("failures") == "1"
    failure = beta.find("testcase[@name='create']/failure")
    assert failure is not None and "Acme" in failure.get("message")
    assert beta.find("testcase[@name='create']").get("line") == "9"
    gamma = suites[2]
    assert gamma.get("errors") == "1" and gamma.get("skipped") == "2"
    assert "consumer key" in gamma.find("testcase[@name='log in']/error").text


def test_several_playbooks_are_one_junit_file_with_suites_named_after_each():
    other = sample_run()
    other.playbook = "playbooks/y.yml"
    text = junit.render(invocation(sample_run(), other))
    xml = check_junit(text)
    names = [suite.name for suite in xml]
    assert names == [f"{org} ({book})" for book in ("playbooks/x.yml", "playbooks/y.yml")
                     for org in ("alpha", "beta", "gamma")]
    assert xml.tests == 18 and xml.failures == 2 and xml.errors == 2


def test_markdown_lists_failing_orgs_first_with_details():
    text = markdown.render(invocation())
    rows = [line for line in text.splitlines() if line.startswith("| ") and "ok |" not in line]
    assert rows[0].startswith("| beta") or rows[0].startswith("| gamma")
    assert "### Failures" in text
    assert "client identifier invalid" in text
    assert "hint: check the consumer key" in text


def test_write_reports_creates_directories(tmp_path):
    out = tmp_path / "out"
    chosen = [Target("json", out / "r.json"), Target("junit", out / "r.xml"),
              Target("markdown", out / "r.md")]
    write_reports(invocation(), chosen, stdout=None, console=None)  # type: ignore[arg-type]
    assert all(target.path.exists() for target in chosen)


def test_a_markdown_report_given_the_step_summary_path_is_appended(tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("## Before\n")
    chosen = targets({"markdown": str(summary), "json": str(tmp_path / "r.json")},
                     step_summary=str(summary))
    assert [t.append for t in chosen] == [True, False]
    write_reports(invocation(), chosen, stdout=None, console=None)  # type: ignore[arg-type]
    write_reports(invocation(), chosen, stdout=None, console=None)  # type: ignore[arg-type]
    text = summary.read_text()
    assert text.startswith("## Before\n") and text.count("## Example") == 2


def test_only_one_report_may_go_to_standard_output():
    with pytest.raises(UsageError, match="--junit - and --json -: only one report"):
        targets({"junit": "-", "json": "-"}, step_summary=None)
    assert targets({"junit": "-", "json": "r.json"}, step_summary=None)[0].path is None


def test_the_markdown_matrix_says_how_each_login_ended():
    run = sample_run()
    stopped = run.orgs[0]
    stopped.login = login("alpha", Outcome.INTERRUPTED)
    stopped.steps = [step(n, name, "alpha", Outcome.INTERRUPTED)
                     for n, name in enumerate(["versions", "create"])]
    rows = {line.split(" | ")[0]: line.split(" | ")[1:3] for line in
            markdown.render(invocation(run)).split("### Orgs × steps")[1].splitlines()
            if line.startswith("| ") and not line.startswith("| org")}
    assert rows == {"| alpha": ["!", "!"], "| beta": ["✓", "✓ 4 ms"], "| gamma": ["✗", "–"]}

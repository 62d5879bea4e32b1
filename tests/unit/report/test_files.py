import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema

from runner.report import jsonfile, junit, markdown
from runner.report.files import write_reports
from runner.secrets import register
from tests.unit.report.fixtures import SECRET_TOKEN, sample_run

SCHEMA = json.loads((Path(__file__).parents[3] / "schemas" / "report.schema.json").read_text())


def test_json_report_follows_its_schema_and_counts_every_step():
    data = json.loads(jsonfile.render(sample_run()))
    jsonschema.validate(data, SCHEMA)
    assert data["verdict"] == "unreachable" and data["exit_status"] == 3
    assert [len(org["steps"]) for org in data["orgs"]] == [2, 2, 2]
    assert data["orgs"][1]["steps"][1]["checks"][0]["actual"] == "Other <&>"


def test_reports_mask_secrets():
    register(SECRET_TOKEN)
    run = sample_run()
    for text in (jsonfile.render(run), junit.render(run), markdown.render(run)):
        assert SECRET_TOKEN not in text
    assert "***" in jsonfile.render(run) and "***" in junit.render(run)


def test_junit_has_a_suite_per_org_and_a_case_per_step():
    root = ET.fromstring(junit.render(sample_run()))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["alpha", "beta", "gamma"]
    assert [s.get("tests") for s in suites] == ["3", "3", "3"]
    beta = suites[1]
    assert beta.get("failures") == "1"
    failure = beta.find("testcase[@name='create']/failure")
    assert failure is not None and "Acme" in failure.get("message")
    gamma = suites[2]
    assert gamma.get("errors") == "1" and gamma.get("skipped") == "2"
    assert "consumer key" in gamma.find("testcase[@name='log in']/error").text


def test_markdown_lists_failing_orgs_first_with_details():
    text = markdown.render(sample_run())
    rows = [line for line in text.splitlines() if line.startswith("| ") and "ok |" not in line]
    assert rows[0].startswith("| beta") or rows[0].startswith("| gamma")
    assert "### Failures" in text
    assert "client identifier invalid" in text
    assert "hint: check the consumer key" in text


def test_write_reports_creates_directories(tmp_path):
    paths = {"json": tmp_path / "out" / "r.json", "junit": tmp_path / "out" / "r.xml",
             "markdown": tmp_path / "out" / "r.md"}
    write_reports(sample_run(), paths)
    assert all(path.exists() for path in paths.values())

"""Reports as CI reads them: several playbooks in one file of each kind, a report on
standard output, GitHub's annotations, and markdown rendered as GitHub renders it
(cmark-gfm, raw HTML omitted) so that nothing a name holds vanishes."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import jsonschema
import pytest

from tests.conftest import REPO, run_cli_inprocess
from tests.junit_check import check_junit

SCHEMA = json.loads((REPO / "schemas" / "report.schema.json").read_text())
ODD_NAME = "Read <Account> | by `id`, *all* [fields]"
FIRST = f"""\
name: First
orgs:
  alpha: {{emulator: true}}
  beta: {{emulator: true}}
steps:
  - name: Versions
    request: {{path: /services/data/}}
  - name: "{ODD_NAME}"
    request: {{path: /services/data/v60.0/sobjects/Nothing/describe}}
  - name: Each object
    request: {{path: "/services/data/v60.0/sobjects/{{{{ item }}}}/describe"}}
    loop: [Account, "No<Such>Thing"]
keep_going: true
"""
SECOND = """\
name: Second
orgs:
  gamma: {emulator: true}
steps:
  - name: Limits
    request: {path: /services/data/v60.0/limits}
"""


@pytest.fixture
def two_playbooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "first.yml").write_text(FIRST)
    (tmp_path / "second.yml").write_text(SECOND)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return tmp_path


def test_several_playbooks_write_one_file_of_each_report(two_playbooks: Path) -> None:
    run = run_cli_inprocess("first.yml", "second.yml", "--junit", "out/j.xml",
                            "--json", "out/r.json", "--markdown", "out/m.md")
    assert run.status == 2, run.output
    assert sorted(p.name for p in (two_playbooks / "out").iterdir()) == ["j.xml", "m.md", "r.json"]
    xml = check_junit(two_playbooks / "out" / "j.xml")
    assert [suite.name for suite in xml] == [
        "alpha (first.yml)", "beta (first.yml)", "gamma (second.yml)"]
    assert {suite._elem.get("file") for suite in xml} == {"first.yml", "second.yml"}
    assert (xml.tests, xml.failures) == (4 + 4 + 2, 4)  # a login and its steps per org
    data = json.loads((two_playbooks / "out" / "r.json").read_text())
    jsonschema.validate(data, SCHEMA)
    assert [run["name"] for run in data["playbooks"]] == ["First", "Second"]
    assert [run["verdict"] for run in data["playbooks"]] == ["failed", "passed"]
    assert (data["verdict"], data["counts"]["ok"], data["counts"]["failed"]) == ("failed", 3, 4)
    text = (two_playbooks / "out" / "m.md").read_text()
    assert text.startswith("## sfjwt-run: 2 playbooks\n\n**FAILED** — 3 ok, 0 changed, 4 failed")
    assert "### First" in text and "### Second" in text


def test_a_looped_step_shows_every_item_in_junit(two_playbooks: Path) -> None:
    run_cli_inprocess("first.yml", "--junit", "j.xml")
    suite = next(iter(check_junit(two_playbooks / "j.xml")))
    looped = next(case for case in suite if case.name == "Each object")
    out = looped._elem.find("system-out").text
    assert out.splitlines()[0] == "item Account: ok"
    assert out.splitlines()[1] == "item No<Such>Thing: failed"
    assert "item No<Such>Thing: failed\n  status: expected '2xx', got 404" in looped.result[0].text


class _Text(HTMLParser):
    """The text of an HTML page, and of each table row's cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def test_markdown_shows_names_as_written_once_github_renders_it(two_playbooks: Path) -> None:
    run_cli_inprocess("first.yml", "--markdown", "m.md")
    html = cmarkgfm.github_flavored_markdown_to_html((two_playbooks / "m.md").read_text())
    assert "raw HTML omitted" not in html  # nothing was taken for a tag
    page = _Text()
    page.feed(html)
    matrix = next(rows for rows in _tables(page.rows) if rows[0][:2] == ["org", "log in"])
    assert matrix[0][3] == f"2. {ODD_NAME}"
    assert all(len(row) == len(matrix[0]) for row in matrix)  # no pipe split a cell
    assert matrix[1][4].startswith("✗ ") and matrix[1][4].endswith(", 1 of 2 items failed")
    text = "".join(page.text)
    assert f"alpha / {ODD_NAME}" in text
    assert "item No<Such>Thing: status: expected '2xx', got 404" in text


def _tables(rows: list[list[str]]) -> list[list[list[str]]]:
    """Rows grouped into tables: each table starts with its header row."""
    tables: list[list[list[str]]] = []
    for row in rows:
        if row and row[0] in ("org", "key"):
            tables.append([])
        tables[-1].append(row)
    return tables


def test_a_report_on_standard_output_sends_the_console_to_standard_error(
    two_playbooks: Path,
) -> None:
    run = run_cli_inprocess("first.yml", "second.yml", "--json", "-", "--junit", "j.xml")
    assert run.status == 2
    data = json.loads(run.stdout)  # nothing else on standard output
    jsonschema.validate(data, SCHEMA)
    assert len(data["playbooks"]) == 2
    assert "PLAY First" in run.stderr and "RECAP" in run.stderr
    assert not (two_playbooks / "-").exists()
    check_junit(two_playbooks / "j.xml")


def test_only_one_report_may_go_to_standard_output(two_playbooks: Path) -> None:
    run = run_cli_inprocess("first.yml", "--json", "-", "--markdown", "-")
    assert run.status == 5 and run.stdout == ""
    assert run.stderr.splitlines()[0] == (
        "sfjwt-run: error: --json - and --markdown -: only one report can go to standard output")


def test_github_annotations_point_at_the_failing_lines(
    two_playbooks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    run = run_cli_inprocess("first.yml", "second.yml")
    annotations = [line for line in run.stdout.splitlines() if line.startswith("::")]
    title = ODD_NAME.replace(",", "%2C")
    assert annotations == [
        f"::error file=first.yml,line=8,title=alpha%3A {title}::status: equals '2xx', got 404 "
        "(NOT_FOUND: The requested resource does not exist)",
        "::error file=first.yml,line=10,title=alpha%3A Each object::status: equals '2xx', "
        "got 404 (NOT_FOUND: The requested resource does not exist)",
        f"::error file=first.yml,line=8,title=beta%3A {title}::status: equals '2xx', got 404 "
        "(NOT_FOUND: The requested resource does not exist)",
        "::error file=first.yml,line=10,title=beta%3A Each object::status: equals '2xx', "
        "got 404 (NOT_FOUND: The requested resource does not exist)",
    ]
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    assert "::error" not in run_cli_inprocess("first.yml").stdout


def test_markdown_given_the_step_summary_is_appended_to_it(
    two_playbooks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = two_playbooks / "step-summary.md"
    summary.write_text("## An earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run_cli_inprocess("second.yml", "--markdown", str(summary))
    run_cli_inprocess("second.yml", "--markdown", "step-summary.md")
    text = summary.read_text()
    assert text.startswith("## An earlier step\n## Second\n") and text.count("## Second") == 2

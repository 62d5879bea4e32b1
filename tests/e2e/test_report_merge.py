"""Three shards of the example fleet, each its own process, merged by ``sfjwt-run report merge``,
against one process running every org; and the merges that must be refused."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from junitparser import JUnitXml

from runner.report.github import workflow_commands
from tests.conftest import PLAYBOOKS, REPO, run_cli, run_cli_inprocess, scrub

FLEET = str(REPO / "examples" / "ci" / "inventory.yml")
HEALTH = str(PLAYBOOKS / "health.yml")
SCHEMA = json.loads((REPO / "schemas" / "report.schema.json").read_text())
REPORTS = ("json", "markdown", "junit", "html")
SUFFIXES = {"json": "json", "markdown": "md", "junit": "xml", "html": "html"}
IDS = re.compile(r"\b(00D|005)[0-9A-Za-z]+")


TIMES = {"elapsed_ms", "started_ms", "started_at"}


def _without_times(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _without_times(value) for key, value in data.items() if key not in TIMES}
    if isinstance(data, list):
        return [_without_times(value) for value in data]
    return data


def _comparable_json(path: Path) -> Any:
    """The report without times, ports and the ids each embedded org makes up anew (18
    characters, 15 in an identity's URLs, or cut anywhere at the end of an excerpt)."""
    text = scrub(json.dumps(_without_times(json.loads(path.read_text())), indent=1))
    return json.loads(IDS.sub(r"\1<id>", text))


def _comparable_text(path: Path) -> str:
    text = re.sub(r'(time|timestamp)="[^"]*"', r'\1="N"', path.read_text())
    return re.sub(r" {2,}", " ", scrub(text))  # column widths follow the times


class _Structure(HTMLParser):
    """A page as its elements (tag, class) and its texts with every number made N: the
    structure, without the times and ids that differ from one run to the next."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.items.append((tag, dict(attrs).get("class") or ""))

    def handle_data(self, data: str) -> None:
        text = re.sub(r"\d+(\.\d+)?", "N", IDS.sub(r"\1<id>", scrub(data)))
        text = text.replace("< N ms", "N ms").strip()  # a time under 1 ms
        if text:
            self.items.append(("text", " ".join(text.split())))


def _html_structure(path: Path) -> list[tuple[str, str]]:
    parser = _Structure()
    parser.feed(path.read_text())
    return parser.items


def _recap(stdout: str) -> str:
    return re.sub(r" {2,}", " ", scrub(stdout[stdout.index("\nRECAP"):]))


def _files(directory: Path, stem: str) -> list[str]:
    paths = {kind: str(directory / f"{stem}.{SUFFIXES[kind]}") for kind in REPORTS}
    return [arg for kind in REPORTS for arg in (f"--{kind}", paths[kind])]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three shard processes, their merge, and a single run of every org."""
    work = tmp_path_factory.mktemp("merge")
    fleet, health = "examples/ci/inventory.yml", "playbooks/health.yml"  # as typed in REPO
    shards = [run_cli("-i", fleet, health, "--shard", f"{k}/3", "--json",
                      str(work / f"shard-{k}.json")) for k in (1, 2, 3)]
    merged = run_cli("report", "merge", *sorted(str(p) for p in work.glob("shard-*.json")),
                     *_files(work, "merged"))
    single = run_cli("-i", fleet, health, *_files(work, "single"))
    return {"work": work, "shards": shards, "merged": merged, "single": single}


def test_each_shard_ran_its_own_orgs(runs: dict[str, Any]) -> None:
    statuses = [run.status for run in runs["shards"]]
    assert statuses == [0, 2, 3], [run.output for run in runs["shards"]]
    reports = [json.loads((runs["work"] / f"shard-{k}.json").read_text()) for k in (1, 2, 3)]
    names = [[org["name"] for org in report["playbooks"][0]["orgs"]] for report in reports]
    assert names == [["acme-prod", "acme-uat", "acme-dev"],
                     ["globex-prod", "globex-uat", "initech-prod"],
                     ["initech-uat", "umbrella-prod"]]


def test_the_merge_exits_as_the_single_run(runs: dict[str, Any]) -> None:
    merged, single = runs["merged"], runs["single"]
    assert single.status == 3, single.output
    assert merged.status == 3, merged.output
    assert merged.stderr == ""


def test_the_merged_json_is_the_single_runs(runs: dict[str, Any]) -> None:
    work = runs["work"]
    merged = json.loads((work / "merged.json").read_text())
    jsonschema.validate(merged, SCHEMA)
    assert merged["playbooks"][0]["selection"] == {
        "orgs": ["acme-prod", "acme-uat", "acme-dev", "globex-prod", "globex-uat",
                 "initech-prod", "initech-uat", "umbrella-prod"],
        "shard": None}
    assert (merged["verdict"], merged["unreachable"], merged["counts"]["failed"]) == (
        "unreachable", 1, 1)
    assert _comparable_json(work / "merged.json") == _comparable_json(work / "single.json")


def test_the_merged_markdown_and_junit_are_the_single_runs(runs: dict[str, Any]) -> None:
    work = runs["work"]
    markdown = (work / "merged.md").read_text()
    assert "**UNREACHABLE** — playbooks/health.yml, 8 org(s), " in markdown
    assert "- **globex-prod** / Integration user can read Accounts" in markdown
    assert ("- **umbrella-prod** — could not authenticate: invalid\\_grant: inactive user"
            in markdown)
    assert _comparable_text(work / "merged.md") == _comparable_text(work / "single.md")
    assert _comparable_text(work / "merged.xml") == _comparable_text(work / "single.xml")
    suites = {suite.name: suite for suite in JUnitXml.fromfile(str(work / "merged.xml"))}
    assert len(suites) == 8
    assert (suites["globex-prod"].failures, suites["umbrella-prod"].errors) == (1, 1)


def test_the_merged_html_is_the_single_runs_in_structure(runs: dict[str, Any]) -> None:
    work = runs["work"]
    merged = _html_structure(work / "merged.html")
    assert merged == _html_structure(work / "single.html")
    texts = [text for tag, text in merged if tag == "text"]
    assert "umbrella-prod" in texts and "globex-prod" in texts
    assert len(merged) > 500  # the whole page: matrix, lanes, failures


def test_the_merged_recap_and_matrix_are_the_single_runs(runs: dict[str, Any]) -> None:
    merged = runs["merged"].stdout
    assert merged.startswith("MERGE Health — login, identity, API headroom, object access, "
                             "certificate  (playbooks/health.yml)\nreports: ")
    recap = _recap(merged)
    assert recap == _recap(runs["single"].stdout)
    matrix = recap.split("ORGS × STEPS")[1].splitlines()
    assert [line.split()[0] for line in matrix[2:4]] == ["globex-prod", "umbrella-prod"]
    assert recap.rstrip().endswith("FAILED in N s")


def test_annotations_come_from_the_merged_run(runs: dict[str, Any]) -> None:
    data = json.loads((runs["work"] / "merged.json").read_text())
    titles = [line.split("title=")[1].split("::")[0] for line in workflow_commands(data)]
    assert titles == ["globex-prod%3A Integration user can read Accounts",
                      "umbrella-prod%3A log in"]


def _shard_report(work: Path, shard: str, name: str, *args: str) -> Path:
    path = work / name
    run = run_cli_inprocess("-i", FLEET, *args, "--shard", shard, "--json", str(path))
    assert run.status in (0, 2, 3), run.output
    return path


def _refused(*reports: Path, out: Path) -> str:
    run = run_cli_inprocess("report", "merge", *map(str, reports), "--json", str(out))
    assert run.status == 4, run.output
    assert run.stdout == "" and not out.exists()
    assert "Traceback" not in run.stderr
    return run.stderr.splitlines()[0]


def test_merges_that_would_lie_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "merged.json"
    health = [_shard_report(tmp_path, f"{k}/2", f"health-{k}.json", HEALTH, "-l", "acme-*")
              for k in (1, 2)]
    smoke = _shard_report(tmp_path, "2/2", "smoke-2.json", str(PLAYBOOKS / "smoke.yml"),
                          "-l", "acme-*")
    assert _refused(health[0], smoke, out=out).startswith(
        f"sfjwt-run: error: {smoke}: a report of other playbooks than {health[0]}: "
        f"{PLAYBOOKS}/smoke.yml (sha256 ")
    assert _refused(*health, health[0], out=out) == (
        f"sfjwt-run: error: {health[0]}: org acme-prod was run by {health[0]} too")
    assert _refused(health[1], out=out) == (
        "sfjwt-run: error: shard 1/2 is missing (its orgs: acme-dev, acme-prod)")
    data = json.loads(health[1].read_text())
    data["version"] = 3
    future = tmp_path / "future.json"
    future.write_text(json.dumps(data))
    assert _refused(health[0], future, out=out) == (
        f"sfjwt-run: error: {future}: report format version 3; this sfjwt-run reads version 2")
    wider = _shard_report(tmp_path, "2/2", "wider-2.json", HEALTH, "-l", "acme-*,globex-uat")
    assert _refused(health[0], wider, out=out) == (
        f"sfjwt-run: error: {wider}: a report of another selection of orgs than {health[0]} "
        f"(only in {wider}: globex-uat)")


@pytest.mark.parametrize(("args", "words"), [
    (["report"], "the following arguments are required: ACTION"),
    (["report", "merge"], "the following arguments are required: REPORT"),
    (["report", "split", "a.json"], "invalid choice: 'split'"),
    (["report", "merge", "a.json", "--xml", "x"], "unrecognized arguments: --xml"),
    (["report", "merge", "a.json", "--html"], "argument --html: expected one argument"),
])
def test_bad_report_commands_are_exit_5(args: list[str], words: str) -> None:
    run = run_cli_inprocess(*args)
    assert run.status == 5
    assert words in run.stderr.splitlines()[0], run.stderr

"""``--shard K/N`` through the real CLI: listings, runs and bad values."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import PLAYBOOKS, REPO, run_cli, run_cli_inprocess, single_run

FLEET = str(REPO / "examples" / "ci" / "inventory.yml")
HEALTH = str(PLAYBOOKS / "health.yml")
ALL = ["acme-prod", "acme-uat", "acme-dev", "globex-prod", "globex-uat", "initech-prod",
       "initech-uat", "umbrella-prod"]


def _listed(stdout: str) -> list[str]:
    return re.findall(r"^    (\S+)  \(embedded org\)", stdout, flags=re.MULTILINE)


def test_list_orgs_shows_each_shard_and_the_shards_cover_the_fleet() -> None:
    listings = [run_cli_inprocess("-i", FLEET, HEALTH, "--list-orgs", "--shard", f"{k}/3")
                for k in (1, 2, 3)]
    assert [run.status for run in listings] == [0, 0, 0]
    assert "  orgs of shard 2/3 (3 of the 8 selected, by name):" in listings[1].stdout
    shards = [_listed(run.stdout) for run in listings]
    assert shards == [["acme-prod", "acme-uat", "acme-dev"],
                      ["globex-prod", "globex-uat", "initech-prod"],
                      ["initech-uat", "umbrella-prod"]]


def test_shards_apply_after_limit() -> None:
    runs = [run_cli_inprocess("-i", FLEET, HEALTH, "--list-orgs", "-l", "production",
                              "--shard", f"{k}/3") for k in (1, 2, 3)]
    assert [_listed(run.stdout) for run in runs] == [
        ["acme-prod", "globex-prod"], ["initech-prod"], ["umbrella-prod"]]
    assert "(1 of the 4 selected, by name)" in runs[2].stdout


def test_more_shards_than_orgs_leaves_the_last_ones_empty(tmp_path: Path) -> None:
    inventory = str(PLAYBOOKS / "inventory.example.yml")
    listed = run_cli_inprocess("-i", inventory, HEALTH, "--list-orgs", "--shard", "5/5")
    assert listed.status == 0
    assert "orgs of shard 5/5 (0 of the 3 selected, by name):\n    (none)" in listed.stdout
    report = tmp_path / "empty.json"
    run = run_cli_inprocess("-i", inventory, HEALTH, "--shard", "4/5", "--json", str(report))
    assert run.status == 0, run.output
    data = json.loads(report.read_text())
    assert single_run(data)["orgs"] == [] and data["verdict"] == "passed"


def test_a_shard_runs_only_its_orgs(tmp_path: Path) -> None:
    report = tmp_path / "shard-3.json"
    run = run_cli_inprocess("-i", FLEET, HEALTH, "--shard", "3/3", "--json", str(report))
    assert run.status == 3, run.output  # umbrella-prod's user is deactivated
    data = json.loads(report.read_text())
    assert [org["name"] for org in single_run(data)["orgs"]] == ["initech-uat", "umbrella-prod"]
    assert "orgs: initech-uat (embedded org), umbrella-prod (embedded org)" in run.stdout
    assert "acme-prod" not in run.stdout


def test_every_machine_cuts_the_same_shards() -> None:
    """Hash seeds and locales differ between CI machines; the shards must not."""
    seen = set()
    for seed, locale in (("0", "C"), ("1", "C.UTF-8"), ("12345", "POSIX")):
        run = run_cli("-i", FLEET, HEALTH, "--list-orgs", "--shard", "2/3",
                      env={"PYTHONHASHSEED": seed, "LC_ALL": locale})
        assert run.status == 0, run.output
        seen.add(tuple(_listed(run.stdout)))
    assert seen == {("globex-prod", "globex-uat", "initech-prod")}


@pytest.mark.parametrize(("value", "message"), [
    ("0/3", "--shard '0/3': K must be between 1 and N (3)"),
    ("4/3", "--shard '4/3': K must be between 1 and N (3)"),
    ("two/3", "--shard 'two/3': expected K/N, e.g. 2/3 for the 2nd of 3 shards"),
    ("1/0", "--shard '1/0': N must be between 1 and 1000"),
])
def test_a_bad_shard_is_exit_5_with_one_line(value: str, message: str) -> None:
    run = run_cli_inprocess("-i", FLEET, HEALTH, "--shard", value)
    assert run.status == 5
    assert run.stdout == ""
    assert run.stderr.splitlines()[0] == f"sfjwt-run: error: {message}"
    assert "Traceback" not in run.stderr


def test_check_follows_the_shard() -> None:
    plan = run_cli_inprocess("-i", FLEET, HEALTH, "--check", "--shard", "1/3")
    assert plan.status == 0, plan.output
    assert all(name in plan.stdout for name in ALL[:3])
    assert not any(name in plan.stdout for name in ALL[3:])

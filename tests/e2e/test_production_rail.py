"""Production safety rail: an org marked ``production: true`` refuses writes unless allowed.

Writes (POST, PATCH, PUT, DELETE) fail before anything is sent, naming both ways
to allow them; reads, queries and the login's own POST are untouched; a step's
``allow_write: true`` or the run's ``--allow-writes`` lets the write through.
Whether a refused write reached the org is checked by counting records after.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import run_cli, run_cli_inprocess, single_run

MARK = "Rail canary"
COUNT = f"SELECT COUNT() FROM Contact WHERE LastName = '{MARK}'"
CONTACTS = "/services/data/v60.0/sobjects/Contact"


def _write(method: str = "POST", **extra: Any) -> dict[str, Any]:
    request: dict[str, Any] = {"method": method, "path": CONTACTS}
    if method == "POST":
        request["json"] = {"LastName": MARK}
    elif method in ("PATCH", "PUT", "DELETE"):
        request["path"] = f"{CONTACTS}/{{{{ seed.json.records[0].Id }}}}"
        if method != "DELETE":
            request["json"] = {"Title": MARK}
    return {"name": f"{method} a contact", "request": request, **extra}


def _playbook(folder: Path, write: dict[str, Any], *, production: bool = True) -> Path:
    steps = [
        {"name": "read before", "query": "SELECT Id FROM Contact LIMIT 1", "register": "seed"},
        write,
        {"name": "count after", "query": COUNT, "register": "after"},
    ]
    document = {
        "name": "Production rail",
        "orgs": {"prod": {"emulator": True, "production": production}},
        "steps": steps,
        "keep_going": True,  # the count runs after a refused write, to prove nothing was sent
    }
    path = folder / "rail.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def _steps(report: Path) -> dict[str, dict[str, Any]]:
    [org] = single_run(report)["orgs"]
    return {step["name"]: step for step in org["steps"]}


@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT", "DELETE"])
def test_a_write_on_production_is_refused_and_never_sent(method: str, tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    run = run_cli_inprocess(str(_playbook(tmp_path, _write(method))), "--json", str(report))
    assert run.status == 2, run.output
    steps = _steps(report)
    refused = steps[f"{method} a contact"]
    assert refused["outcome"] == "failed"
    assert refused["exchange"] is None, "the refused request must not be sent"
    reason = refused["reason"]
    assert f"refused {method} on production org 'prod'" in reason, reason
    assert "allow_write: true" in reason and "--allow-writes" in reason, reason
    assert steps["read before"]["outcome"] == "ok"
    assert steps["count after"]["outcome"] == "ok"
    assert "Traceback" not in run.output


def test_reads_and_queries_on_production_need_no_permission(tmp_path: Path) -> None:
    read = {"name": "GET a contact", "request": {"path": CONTACTS}}
    run = run_cli_inprocess(str(_playbook(tmp_path, read)), "--json", str(tmp_path / "r.json"))
    assert run.status == 0, run.output


def test_a_refused_post_leaves_no_record(tmp_path: Path) -> None:
    playbook = _playbook(tmp_path, _write("POST", ignore_errors=True))
    report = tmp_path / "r.json"
    run = run_cli_inprocess(str(playbook), "--json", str(report))
    assert run.status == 0, run.output  # the refusal is ignored, so the count runs and passes
    steps = _steps(report)
    assert steps["POST a contact"]["outcome"] == "failed" and steps["POST a contact"]["ignored"]
    assert steps["count after"]["exchange"]["response_excerpt"].startswith('{"totalSize":0')


def test_the_step_may_allow_its_write(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    playbook = _playbook(tmp_path, _write("POST", allow_write=True))
    run = run_cli_inprocess(str(playbook), "--json", str(report))
    assert run.status == 0, run.output
    steps = _steps(report)
    assert steps["POST a contact"]["outcome"] == "changed"
    assert steps["count after"]["exchange"]["response_excerpt"].startswith('{"totalSize":1')


def test_the_run_may_allow_every_write(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    playbook = _playbook(tmp_path, _write("PATCH"))
    run = run_cli(str(playbook), "--allow-writes", "--json", str(report), cwd=tmp_path)
    assert run.status == 0, run.output
    assert _steps(report)["PATCH a contact"]["outcome"] == "changed"


def test_an_org_not_marked_production_takes_writes(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    playbook = _playbook(tmp_path, _write("POST"), production=False)
    run = run_cli_inprocess(str(playbook), "--json", str(report))
    assert run.status == 0, run.output
    assert _steps(report)["POST a contact"]["outcome"] == "changed"


def test_production_from_an_inventory_guards_only_that_org(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.yml"
    inventory.write_text(yaml.safe_dump({"orgs": {
        "live": {"emulator": True, "production": True},
        "uat": {"emulator": {"type": "sandbox"}},
    }}))
    playbook = tmp_path / "p.yml"
    playbook.write_text(yaml.safe_dump({"name": "two orgs", "steps": [_write("POST")]}))
    report = tmp_path / "r.json"
    run = run_cli_inprocess("-i", str(inventory), str(playbook), "--json", str(report))
    assert run.status == 2, run.output
    outcomes = {org["name"]: org["steps"][0]["outcome"]
                for org in single_run(report)["orgs"]}
    assert outcomes == {"live": "failed", "uat": "changed"}
    assert "refused POST on production org 'live'" in run.stdout

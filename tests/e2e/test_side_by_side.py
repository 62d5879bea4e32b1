"""Orgs run side by side: one org's pauses between tries and another's slow answers hold
up no other org (each lane waits on the hub, never on the thread they share)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli, single_run

PLAYBOOK = """\
name: Side by side
orgs:
  poller:
    emulator: true
  steady:
    emulator: {latency_ms: 100}
steps:
  - name: wait for the export
    orgs: [poller]
    request: {path: /services/data/}
    register: export
    until: export.json | length > 1000
    retries: 2
    delay: 1
    ignore_errors: true
"""
STEADY = "".join(f"""\
  - name: limits {n}
    orgs: [steady]
    request: {{path: /services/data/v60.0/limits}}
    expect: {{status: 200}}
""" for n in range(1, 6))


def _ends(org: dict[str, object]) -> dict[str, float]:
    return {step["name"]: step["started_ms"] + step["elapsed_ms"]  # type: ignore[index]
            for step in org["steps"]}  # type: ignore[attr-defined]


def test_a_pausing_org_and_a_slow_one_do_not_hold_up_each_other(tmp_path: Path) -> None:
    playbook = tmp_path / "side.yml"
    playbook.write_text(PLAYBOOK + STEADY)
    run = run_cli(str(playbook), "--json", "r.json", "--no-progress", cwd=tmp_path)
    assert run.status == 0, run.output
    lines = run.stdout.splitlines()
    ignored = next(n for n, line in enumerate(lines) if "failed (ignored) wait for the export"
                   in line and "poller" in line)
    steady_done = next(n for n, line in enumerate(lines) if "limits 5" in line)
    assert steady_done < ignored  # what a person reads: the steady org finished first
    assert "still false after 3 attempts" in run.stdout
    orgs = {org["name"]: org for org in single_run(tmp_path / "r.json")["orgs"]}
    poller, steady = _ends(orgs["poller"]), _ends(orgs["steady"])
    waited = poller["wait for the export"]
    assert waited >= 2000  # two pauses of a second between its three tries
    assert [step["outcome"] for step in orgs["steady"]["steps"]] == ["skipped", *["ok"] * 5]
    # five answers at 100 ms each: done while the poller still pauses, not after its pauses
    assert max(steady.values()) < waited - 1000, (steady, waited)

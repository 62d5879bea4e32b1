"""Orgs × steps: the cells that the console and markdown matrices share.

Failing orgs come first, so the red rows are at the top of a 500-org report.
"""

from __future__ import annotations

from runner.run.results import OrgResult, Outcome, RunResult, StepResult

SYMBOLS = {
    Outcome.OK: "✓",
    Outcome.CHANGED: "✓",
    Outcome.FAILED: "✗",
    Outcome.SKIPPED: "–",
    Outcome.INTERRUPTED: "!",
    Outcome.RESCUED: "↺",
    Outcome.ABORTED: "⊘",
}
NOT_RUN = (Outcome.SKIPPED, Outcome.INTERRUPTED, Outcome.ABORTED)


def ordered_orgs(run: RunResult) -> list[OrgResult]:
    return sorted(run.orgs, key=lambda org: (not org.failed, org.name))


def step_names(run: RunResult) -> list[str]:
    names: dict[int, str] = {}
    for org in run.orgs:
        for step in org.steps:
            names.setdefault(step.index, step.name)
    return [names[index] for index in sorted(names)]


def cell(step: StepResult | None) -> str:
    if step is None:
        return ""
    symbol = SYMBOLS[step.outcome]
    if step.ignored:
        symbol = "✗ (ignored)"
    if step.outcome in NOT_RUN:
        return symbol
    return f"{symbol} {step.elapsed_ms:.0f} ms"


def login_cell(org: OrgResult) -> str:
    """The login's symbol: ✗ for an org that could not log in, ! for a login the run stopped."""
    if org.unreachable:
        return SYMBOLS[Outcome.FAILED]
    return SYMBOLS[org.login.outcome] if org.login else SYMBOLS[Outcome.SKIPPED]


def row(org: OrgResult, indexes: list[int]) -> list[str]:
    by_index = {step.index: step for step in org.steps}
    return [login_cell(org), *(cell(by_index.get(index)) for index in indexes)]


def step_indexes(run: RunResult) -> list[int]:
    return sorted({step.index for org in run.orgs for step in org.steps})

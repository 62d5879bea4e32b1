"""What a run produced, as plain data that every reporter reads.

The executor fills these in and never prints; outcomes and exit statuses are
computed here, in one place, so the console, JUnit, JSON and markdown reports
cannot disagree about what passed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from runner.errors import ExitStatus


class Outcome(str, enum.Enum):
    """How one step ended for one org."""

    OK = "ok"
    CHANGED = "changed"
    FAILED = "failed"
    SKIPPED = "skipped"
    INTERRUPTED = "interrupted"

    @property
    def passed(self) -> bool:
        return self in (Outcome.OK, Outcome.CHANGED)


@dataclass(frozen=True)
class CheckResult:
    """One expectation: what was asked, what was there, and whether they agreed."""

    subject: str  # "status", "json", "header", "schema", "max_ms", "assert"
    expression: str
    matcher: str
    expected: Any
    actual: Any
    passed: bool
    message: str = ""


@dataclass(frozen=True)
class Exchange:
    """A redacted summary of the HTTP exchange behind a step, for reports."""

    method: str
    url: str
    status: int | None
    response_excerpt: str = ""
    curl: str = ""


@dataclass(frozen=True)
class StepResult:
    """One step for one org (or one key for the whole run)."""

    index: int
    name: str
    org: str
    outcome: Outcome
    elapsed_ms: float = 0.0
    checks: tuple[CheckResult, ...] = ()
    reason: str = ""
    exchange: Exchange | None = None
    attempts: int = 1
    ignored: bool = False
    tags: tuple[str, ...] = ()

    @property
    def failed_checks(self) -> tuple[CheckResult, ...]:
        return tuple(check for check in self.checks if not check.passed)


@dataclass
class OrgResult:
    """One org's lane: its login and its steps, in order."""

    name: str
    login: StepResult | None = None
    steps: list[StepResult] = field(default_factory=list)
    unreachable: bool = False
    hint: str | None = None
    elapsed_ms: float = 0.0

    def count(self, outcome: Outcome) -> int:
        return sum(1 for step in self.steps if step.outcome is outcome)

    @property
    def failed(self) -> bool:
        return self.unreachable or any(
            step.outcome is Outcome.FAILED and not step.ignored for step in self.steps
        )


@dataclass
class RunResult:
    """Everything a run did; the reporters' only input."""

    playbook: str
    name: str
    keys: list[StepResult] = field(default_factory=list)
    orgs: list[OrgResult] = field(default_factory=list)
    interrupted: bool = False
    elapsed_ms: float = 0.0

    @property
    def exit_status(self) -> ExitStatus:
        if self.interrupted:
            return ExitStatus.INTERRUPTED
        if any(org.unreachable for org in self.orgs):
            return ExitStatus.ORG_UNREACHABLE
        if any(org.failed for org in self.orgs) or any(
            key.outcome is Outcome.FAILED for key in self.keys
        ):
            return ExitStatus.STEP_FAILED
        return ExitStatus.OK

    def all_steps(self) -> list[StepResult]:
        return [step for org in self.orgs for step in org.steps]

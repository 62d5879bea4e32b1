"""One run of a step's action, judged; and the error a step's own template raises."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runner.errors import SfjwtError
from runner.playbook.steps import StepSpec
from runner.run.results import CheckResult, Exchange, Outcome, Reason


class StepError(SfjwtError):
    """A step's own template failed (an undefined name, a syntax slip): not ignorable."""


@dataclass
class Done:
    """One run of a step's action (one try, or one loop item), judged."""

    outcome: Outcome
    value: Any  # what register stores
    checks: tuple[CheckResult, ...] = ()
    exchange: Exchange | None = None
    attempts: int = 1
    reason: Reason | None = None
    message: str | None = None
    ignorable: bool = True

    def ignored(self, step: StepSpec) -> bool:
        return step.ignore_errors and self.ignorable and self.outcome is Outcome.FAILED


def condition_text(test: str | bool) -> str:
    """A condition as written in YAML: ``false``, not Python's ``False``."""
    return ("true" if test else "false") if isinstance(test, bool) else test

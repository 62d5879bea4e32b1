"""An org's steps in order, with Ansible's failure semantics.

A failed step ends the org's run: every later step is skipped with the reason
(the step that failed). Blocks change where a failure goes: the rest of the
block is skipped, its ``rescue`` runs when it has one (the failed step is then
``rescued`` and the org goes on), and its ``always`` runs in any case; a
failure no ``rescue`` handles moves on to the enclosing block, and at the top
it ends the run, unless ``keep_going`` lets the org go on with its next step.
``ignore_errors`` failures do not count as failures here at all.

A failure no ``rescue`` handles makes the failed step's ``register`` unusable:
a later step that reads it (an ``always`` cleanup, or any step under
``keep_going``) is skipped, saying which input failed, instead of failing on
an undefined value, unless its ``when`` tests that result (``made is
succeeded``). Every selected step gets exactly one result, except ``rescue``
steps, which have one only when their rescue runs. When the fleet is stopped
(``any_errors_fatal``, ``max_fail_percentage``), no step starts but the
``always`` steps of the blocks the org is in; an interrupted run or an org past
its deadline starts nothing more.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from runner.playbook.model import Playbook, raw_at
from runner.playbook.references import state_tests, variables_read
from runner.playbook.selection import applies_to
from runner.playbook.step_templates import names_read
from runner.playbook.steps import BlockSpec, Node, StepSpec, leaves
from runner.run import includes
from runner.run.fleet import Fleet
from runner.run.results import Kind, Outcome, Reason, StepResult, Why
from runner.run.step import StepRunner
from runner.salesforce.transfer import Interrupted

Emit = Callable[[StepResult], None]


@dataclass(frozen=True)
class Stop:
    """Why the steps after this point do not run; ``failed`` carries a step's failure."""

    outcome: Outcome  # what the steps not run are: SKIPPED, INTERRUPTED or ABORTED
    reason: Reason
    failed: StepSpec | None = None
    result: StepResult | None = None
    value: Any = None  # what the failed step registered


@dataclass(frozen=True)
class Place:
    """Where the walk is: inside a block with a rescue, inside an always section."""

    rescuable: bool = False
    cleanup: bool = False


class Flow:
    """Walks one org's steps and blocks; ``emit`` receives each result as it is made."""

    def __init__(self, playbook: Playbook, runner: StepRunner, selected: Iterable[StepSpec],
                 emit: Emit, fleet: Fleet, *, keep_going: bool, stop: threading.Event,
                 deadline: float | None = None) -> None:
        self.playbook = playbook
        self.runner = runner
        self.selected = frozenset(step.index for step in selected)
        self.emit = emit
        self.fleet = fleet
        self.keep_going = keep_going
        self.stop = stop
        self.deadline = deadline
        self.unusable: dict[str, str] = {}  # register name → the failed step it depends on
        self.org = runner.org_name

    def run(self, body: Iterable[Node]) -> None:
        self._nodes(body, Place(), top=True)

    def skip_all(self, body: Iterable[Node], outcome: Outcome, reason: Reason) -> None:
        """Every selected step (but ``rescue`` steps) not run, for one reason."""
        for result in not_run_all(body, self.selected, self.org, outcome, reason):
            self.emit(result)

    # -- the walk --------------------------------------------------------------------
    def _nodes(self, nodes: Iterable[Node], place: Place, *, top: bool = False) -> Stop | None:
        stop: Stop | None = None
        for node in nodes:
            if stop is not None and not (top and self.keep_going and stop.failed is not None):
                self.skip_all([node], stop.outcome, stop.reason)
                self._unusable_after(node, stop)
                continue
            got = self._block(node, place) if isinstance(node, BlockSpec) else \
                self._step(node, place)
            if got is not None and (stop is None or got.failed is None):
                stop = got
        return stop

    def _block(self, block: BlockSpec, place: Place) -> Stop | None:
        if not any(step.index in self.selected for step in block.leaves()):
            return None
        halted = self._halted(place)
        if halted is not None:
            self.skip_all([block], halted.outcome, halted.reason)
            return halted
        inner = replace(place, rescuable=place.rescuable or bool(block.rescue))
        stop = self._nodes(block.block, inner)
        if stop is not None and stop.failed is not None and block.rescue:
            self._remember_failure(stop)
            stop = self._nodes(block.rescue, place)
        if stop is not None and stop.outcome is not Outcome.ABORTED and stop.failed is None:
            self.skip_all(block.always, stop.outcome, stop.reason)  # interrupted, deadline
            return stop
        after = self._nodes(block.always, replace(place, cleanup=True))
        return after if after is not None else stop

    def _step(self, step: StepSpec, place: Place) -> Stop | None:
        if step.index not in self.selected:
            return None
        halted = self._halted(place)
        if halted is not None:
            self.emit(not_run(step, self.org, halted.outcome, halted.reason))
            return halted
        if not applies_to(step, self.org):
            self.emit(not_run(step, self.org, Outcome.SKIPPED, Reason(Why.NOT_FOR_ORG)))
            return None
        missing = self._missing_input(step)
        if missing is not None:
            self.emit(not_run(step, self.org, Outcome.SKIPPED, missing))
            self._mark_unusable(step, missing.detail)
            return None
        if step.include is not None:
            stop: Stop | None = includes.run_include(self, step, place)
            return stop
        try:
            result = self.runner.run(step, rescuable=place.rescuable)
        except Interrupted:
            self.emit(not_run(step, self.org, Outcome.INTERRUPTED, Reason(Why.INTERRUPTED)))
            return Stop(Outcome.INTERRUPTED, Reason(Why.INTERRUPTED))
        except Exception as exc:  # a bug met by one step must not end the run
            message = f"internal error: {type(exc).__name__}: {exc}"
            result = replace(not_run(step, self.org, Outcome.FAILED, Reason(Why.ERROR, message)),
                             ignored=step.ignore_errors)
        if step.register:
            self.unusable.pop(step.register, None)
        if result.outcome is not Outcome.FAILED or result.ignored:
            self.emit(result)
            return None
        return self._failed(step, result, place)

    def _failed(self, step: StepSpec, result: StepResult, place: Place) -> Stop:
        if place.rescuable:
            result = replace(result, outcome=Outcome.RESCUED)
        else:
            self.fleet.failed(self.org, result.name, fatal=step.any_errors_fatal)
            self._mark_unusable(step, result.name)
        self.emit(result)
        return Stop(Outcome.SKIPPED, Reason(Why.EARLIER_FAILURE, result.name), step, result,
                    self.runner.last)

    def _halted(self, place: Place) -> Stop | None:
        """A stop that applies to every step from now on: interrupted, deadline, aborted."""
        if self.stop.is_set():
            return Stop(Outcome.INTERRUPTED, Reason(Why.INTERRUPTED))
        if self.deadline is not None and time.monotonic() > self.deadline:
            return Stop(Outcome.SKIPPED, Reason(Why.DEADLINE))
        reason = self.fleet.reason
        if reason is not None and not place.cleanup:
            return Stop(Outcome.ABORTED, reason)
        return None

    # -- results of failed steps -----------------------------------------------------
    def _remember_failure(self, stop: Stop) -> None:
        """``ansible_failed_task`` and ``ansible_failed_result`` for rescue, always and after."""
        assert stop.failed is not None and stop.result is not None
        position = stop.failed.position
        self.runner.registered["ansible_failed_task"] = {
            "name": stop.result.name, "action": stop.failed.kind,
            "position": str(position) if position else "",
        }
        self.runner.registered["ansible_failed_result"] = stop.value

    def _mark_unusable(self, step: StepSpec, failed: str) -> None:
        if step.register:
            self.unusable[step.register] = failed

    def _unusable_after(self, node: Node, stop: Stop) -> None:
        """Steps skipped after a failure register nothing: their names depend on it."""
        if stop.failed is None:
            return
        for step in leaves([node], rescue=False):
            self._mark_unusable(step, stop.reason.detail)

    def _missing_input(self, step: StepSpec) -> Reason | None:
        """Why the step cannot run: it reads a result that a failure made unusable."""
        if not self.unusable:
            return None
        document = step.document or self.playbook.document
        needs = set(names_read(raw_at(document, step.path), step.path))
        tested: set[str] = set()
        for condition in step.conditions:  # the blocks' when too
            if isinstance(condition.test, str):
                needs |= variables_read(condition.test, expression=True)
                tested |= state_tests(condition.test)
        for name in sorted(needs - tested):
            if name in self.unusable:
                return Reason(Why.NEEDS_FAILED, self.unusable[name], name)
        return None


def not_run_all(body: Iterable[Node], selected: frozenset[int], org: str, outcome: Outcome,
                reason: Reason) -> list[StepResult]:
    """The results of the selected steps of ``body`` that do not run, for one reason
    (``rescue`` steps have none: they run only after a failure)."""
    return [not_run(step, org, outcome, reason) for step in leaves(body, rescue=False)
            if step.index in selected]


def not_run(step: StepSpec, org: str, outcome: Outcome, reason: Reason) -> StepResult:
    """A step that did not run for this org, and why."""
    return StepResult(Kind.STEP, step.index, step.name, org, outcome, reason=reason,
                      tags=step.tags, position=step.position)

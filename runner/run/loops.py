"""A looped step: one run per item, each judged and reported on its own, as Ansible loops.

Every item runs, even after one fails; ``when`` is evaluated for each item with
the item in scope; ``loop_control`` names the item variable (``loop_var``), an
index variable (``index_var``), what reports show for the item (``label``) and
a pause between items. Each item's result keeps its own checks and its own
exchange, so a failure is reported with that item's response. The step fails
when an item fails, is ``changed`` when one changed, and is skipped when every
item was (or the list is empty); ``register`` holds Ansible's ``results[]``.

A loop of 10,000 items keeps, for each, what the reports show (its checks, the
excerpt of its response) and not the response: the whole results are kept only
when something can read them, a ``register`` or a ``rescue``
(``ansible_failed_result``); otherwise each item's verdict is all that is kept.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any, Protocol

from runner.playbook.scope import Scope
from runner.playbook.steps import StepSpec
from runner.run.done import Done, StepError, condition_text
from runner.run.registered import as_text, loop_value, skipped_value, verdict, with_item
from runner.run.results import Kind, Outcome, Reason, StepResult, Why
from runner.salesforce import cooperative

MAX_ITEMS = 10_000
LABEL_CHARS = 200


class StepRunner(Protocol):
    """What a loop needs from the runner of its step (``runner.run.step``)."""

    stop: threading.Event

    @property
    def org_name(self) -> str: ...

    def context(self, step: StepSpec, **local: Any) -> Scope: ...

    def render(self, step: StepSpec, where: str, value: Any,
               context: Mapping[str, Any]) -> Any: ...

    def at(self, step: StepSpec, field: str) -> str: ...

    def within_deadline(self, seconds: float) -> float: ...

    def name(self, step: StepSpec, context: Mapping[str, Any]) -> str: ...

    def false_condition(self, step: StepSpec,
                        context: Mapping[str, Any]) -> str | bool | None: ...

    def attempts(self, step: StepSpec, local: Mapping[str, Any],
                 context: Scope | None = None) -> Done: ...

    def error(self, step: StepSpec, exc: StepError, *, ignorable: bool = True) -> Done: ...

    def finish(self, step: StepSpec, name: str, done: Done, started: float) -> StepResult: ...

    def skipped(self, step: StepSpec, name: str, reason: Reason) -> StepResult: ...

    def keep(self, step: StepSpec, value: Any) -> None: ...


def run_loop(runner: StepRunner, step: StepSpec, name: str, started: float, *,
             registered: bool = True) -> StepResult:
    """Every item in turn; ``registered``: whether the whole results can be read."""
    try:
        items = loop_items(runner, step)
    except StepError as exc:
        return runner.finish(step, name, runner.error(step, exc, ignorable=False), started)
    if not items:
        runner.keep(step, loop_value([]))
        return runner.skipped(step, name, Reason(Why.NO_ITEMS))
    control = step.loop_control
    results: list[StepResult] = []
    values: list[Any] = []
    for index, item in enumerate(items):
        pause = runner.within_deadline(control.pause) if index and control.pause else 0.0
        if runner.stop.is_set() or (pause and cooperative.pause(pause, runner.stop)):
            break
        result, value = _one(runner, step, item, index)
        results.append(result)
        values.append(with_item(value, control.loop_var, item, control.index_var, index)
                      if registered else verdict(value))
    runner.keep(step, loop_value(values))
    return _overall(step, name, runner.org_name, results, started)


def loop_items(runner: StepRunner, step: StepSpec) -> list[Any]:
    items = runner.render(step, "loop", step.loop, runner.context(step))
    where = runner.at(step, "loop")
    if not isinstance(items, list):
        raise StepError(f"{where}: a loop needs a list, got {as_text(items)[:80]}")
    if len(items) > MAX_ITEMS:
        raise StepError(f"{where}: {len(items)} items, more than the {MAX_ITEMS} a loop "
                        "may have")
    return items


def _one(runner: StepRunner, step: StepSpec, item: Any, index: int) -> tuple[StepResult, Any]:
    """One item: its conditions, its run (with retries), its result and what it registers."""
    started = time.monotonic()
    control = step.loop_control
    local = {control.loop_var: item}
    if control.index_var:
        local[control.index_var] = index
    context = runner.context(step, **local)
    name = runner.name(step, context)
    try:
        label = _label(runner, step, item, context)
        false = runner.false_condition(step, context)
    except StepError as exc:
        done = runner.error(step, exc, ignorable=False)
        return _item_result(runner, step, name, as_text(item)[:LABEL_CHARS], done, started), \
            done.value
    if false is not None:
        skipped = StepResult(Kind.ITEM, step.index, name, runner.org_name, Outcome.SKIPPED,
                             reason=Reason(Why.WHEN_FALSE, condition_text(false)), tags=step.tags,
                             position=step.position, item=label)
        return skipped, skipped_value(false)
    done = runner.attempts(step, local, context)
    return _item_result(runner, step, name, label, done, started), done.value


def _label(runner: StepRunner, step: StepSpec, item: Any, context: Any) -> str:
    """What reports show for an item: ``loop_control.label`` rendered, or the item itself."""
    label = step.loop_control.label
    text = as_text(item) if label is None else as_text(
        runner.render(step, "loop_control.label", label, context))
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _item_result(runner: StepRunner, step: StepSpec, name: str, label: str, done: Done,
                 started: float) -> StepResult:
    return StepResult(Kind.ITEM, step.index, name, runner.org_name, done.outcome,
                      (time.monotonic() - started) * 1000, checks=done.checks,
                      reason=done.reason, attempts=done.attempts,
                      exchange=done.exchange.masked() if done.exchange else None,
                      ignored=done.ignored(step), tags=step.tags, position=step.position,
                      item=label, message=done.message)


def _overall(step: StepSpec, name: str, org: str, items: list[StepResult],
             started: float) -> StepResult:
    outcomes = [item.outcome for item in items]
    if Outcome.FAILED in outcomes:
        outcome = Outcome.FAILED
    elif outcomes and all(o is Outcome.SKIPPED for o in outcomes):
        outcome = Outcome.SKIPPED
    else:
        outcome = Outcome.CHANGED if Outcome.CHANGED in outcomes else Outcome.OK
    reason = None
    if outcome is Outcome.SKIPPED and items[0].reason is not None:
        reason = items[0].reason
    ignorable = all(item.ignored for item in items if item.outcome is Outcome.FAILED)
    return StepResult(Kind.STEP, step.index, name, org, outcome,
                      (time.monotonic() - started) * 1000, items=tuple(items), reason=reason,
                      attempts=sum(item.attempts for item in items),
                      ignored=outcome is Outcome.FAILED and step.ignore_errors and ignorable,
                      tags=step.tags, position=step.position)

"""``include_steps`` and ``include_role`` in a walk: the include's line, then its file's tree.

As Ansible's include_tasks: the include's ``when`` is evaluated once (once per item
when it loops), its ``loop`` walks the whole file once per item whose ``when``
holds (its steps see ``item``, or ``loop_control.loop_var``, and ``index_var``),
its ``vars`` rank above registered results, and its
own result comes before the steps it runs. A failure inside ends the include
and goes on as any failure does (the enclosing block's ``rescue``, or the end
of the org's run). A name a template builds is read and checked when the step
runs, for each loop item (the name may read the item).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Protocol

from runner.errors import PlaybookError, SfjwtError
from runner.playbook.model import Playbook
from runner.playbook.stepfiles import Expansion
from runner.playbook.steps import Node, StepSpec
from runner.playbook.tree import build_included
from runner.run import loops
from runner.run.done import StepError, condition_text
from runner.run.frames import Frame
from runner.run.results import Kind, Outcome, Reason, StepResult, Why
from runner.run.step import StepRunner


class Walk(Protocol):
    """The parts of an org's walk (``runner.run.flow``) an include uses."""

    playbook: Playbook
    runner: StepRunner
    org: str

    def emit(self, result: StepResult) -> None: ...

    def skip_all(self, body: Sequence[Node], outcome: Outcome, reason: Reason) -> None: ...

    def _nodes(self, nodes: Sequence[Node], place: Any, *, top: bool = False) -> Any: ...

    def _failed(self, step: StepSpec, result: StepResult, place: Any) -> Any: ...


def run_include(walk: Walk, step: StepSpec, place: Any) -> Any:
    """Emit the include's result, then walk its steps (once per loop item); what stops the
    walk (a failure inside), or None."""
    runner, include = walk.runner, step.include
    assert include is not None
    started = time.monotonic()
    context = runner.context(step)
    name = runner.name(step, context)
    try:
        items = loops.loop_items(runner, step) if step.loop is not None else [None]
        if not items:
            return _skip(walk, step, name, Reason(Why.NO_ITEMS))
        locals_: list[dict[str, Any]] = []
        false = None
        for index, item in enumerate(items):  # when: once, or once per item (it may read it)
            local = _item_vars(step, item, index)
            false = runner.false_condition(step, runner.context(step, **local))
            if false is None:
                locals_.append(local)
        if not locals_ and false is not None:
            return _skip(walk, step, name, Reason(Why.WHEN_FALSE, condition_text(false)))
        bodies = [include.body if include.body is not None else _read(walk, step, local)
                  for local in locals_]
    except SfjwtError as exc:
        result = StepResult(Kind.STEP, step.index, name, walk.org, Outcome.FAILED,
                            _ms(started), reason=Reason(Why.ERROR, exc.message),
                            ignored=step.ignore_errors, tags=step.tags, position=step.position)
        if result.ignored:
            walk.emit(result)
            return None
        return walk._failed(step, result, place)
    walk.emit(StepResult(Kind.STEP, step.index, name, walk.org, Outcome.OK, _ms(started),
                         tags=step.tags, position=step.position))
    for local, body in zip(locals_, bodies, strict=True):
        runner.frames.append(Frame(local, include.params))
        try:
            stop = walk._nodes(body, place)
        finally:
            runner.frames.pop()
        if stop is not None:
            return stop
    return None


def _item_vars(step: StepSpec, item: Any, index: int) -> dict[str, Any]:
    """What one pass over the include's file sees of its loop: the item and its index."""
    if step.loop is None:
        return {}
    control = step.loop_control
    return {control.loop_var: item, **({control.index_var: index} if control.index_var else {})}


def _skip(walk: Walk, step: StepSpec, name: str, reason: Reason) -> None:
    """The include skipped, and with it each of its steps that is known."""
    walk.emit(walk.runner.skipped(step, name, reason))
    if step.include is not None and step.include.body is not None:
        walk.skip_all(step.include.body, Outcome.SKIPPED, reason)


def _read(walk: Walk, step: StepSpec, local: dict[str, Any]) -> tuple[Node, ...]:
    """The tree of an include whose name a template builds (for one loop item, which the
    name may read), read and checked now."""
    include = step.include
    assert include is not None
    runner = walk.runner
    target = runner.render(step, include.keyword, include.target,
                           runner.context(step, **local))
    playbook = walk.playbook
    try:
        return build_included(step, str(target), Expansion(playbook.project, playbook.base_dir))
    except PlaybookError as exc:
        raise StepError(str(exc)) from None


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000

"""Run one step for one org, as Ansible runs a task on a host.

In order: the ``when`` conditions (the enclosing blocks' then the step's own),
the action with its retries (``retries``/``delay``/``until``), then for each
try ``changed_when`` and ``failed_when`` over the step's result, known by its
``register`` name and as ``response``. Whatever happened, ``register`` stores
the result (``runner.run.registered``); a looped step runs through
``runner.run.loops``. A step never raises: an error is a failed result whose
reason names where in the playbook it happened. Errors in the step's own
templates are authoring mistakes and stay failures even under ``ignore_errors``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from runner.errors import SfjwtError
from runner.playbook.document import Document
from runner.playbook.model import Playbook, raw_at, step_files
from runner.playbook.project import FileSearch
from runner.playbook.scope import RunVars, Scope, build_scope
from runner.playbook.source import chain_text
from runner.playbook.step_templates import step_templates, strings
from runner.playbook.steps import StepSpec
from runner.playbook.templating import TemplateRenderError, evaluate, render
from runner.playbook.undefined import explained
from runner.run import actions, bodies, checks, frames, local_actions, loops
from runner.run.done import Done, StepError, condition_text
from runner.run.orgs import PreparedOrg
from runner.run.registered import (
    error_value,
    failure_message,
    skipped_value,
    step_value,
)
from runner.run.results import CheckResult, Exchange, Kind, Outcome, Reason, StepResult, Why
from runner.salesforce.cooperative import pause
from runner.salesforce.http import OrgClient
from runner.salesforce.transfer import Interrupted


@dataclass(frozen=True)
class Settings:
    """What a step runner needs from the run."""

    vars: RunVars
    allow_writes: bool = False
    verbosity: int = 0
    deadline: float | None = None  # time.monotonic() value after which the lane stops
    origin: float | None = None  # time.monotonic() value when the run started


class StepRunner:
    """Runs steps for one org; ``registered`` holds what they registered and set."""

    def __init__(self, playbook: Playbook, org: PreparedOrg, client: OrgClient,
                 settings: Settings, stop: threading.Event) -> None:
        self.playbook = playbook
        self.org = org
        self.client = client
        self.settings = settings
        self.stop = stop
        self.registered: dict[str, Any] = {}
        self.last: Any = None  # what the last step registered, or would have
        self.frames: list[frames.Frame] = []  # the includes the steps run inside
        self._files: dict[int, tuple[StepSpec, FileSearch]] = {}  # each step's, found once

    @property
    def org_name(self) -> str:
        return self.org.name

    def context(self, step: StepSpec, **local: Any) -> Scope:
        """What the step's templates see now; ``local`` adds the loop variable or ``response``."""
        known = self._files.get(id(step))
        if known is None or known[0] is not step:
            known = self._files[id(step)] = (step, step_files(self.playbook, step))
        return build_scope(self.settings.vars, self.org.spec, facts=self.org.variables,
                           registered=self.registered, step_vars=step.vars,
                           **frames.where(self.playbook, step, self.frames, local, known[1]))

    # -- the step ----------------------------------------------------------------------
    def run(self, step: StepSpec, *, rescuable: bool = False) -> StepResult:
        """The step's result; ``rescuable``: a ``rescue`` may read what it registers
        (``ansible_failed_result``) even when it has no ``register`` of its own."""
        started = time.monotonic()
        context = self.context(step)
        name = self.name(step, context)
        if step.loop is not None:
            return loops.run_loop(self, step, name, started,
                                  registered=step.register is not None or rescuable)
        try:
            false = self.false_condition(step, context)
        except StepError as exc:
            done = self.error(step, exc, ignorable=False)
            return self.finish(step, name, done, started)
        if false is not None:
            self.keep(step, skipped_value(false))
            return self.skipped(step, name, Reason(Why.WHEN_FALSE, condition_text(false)))
        if step.debug is not None and step.debug.verbosity > self.settings.verbosity:
            self.keep(step, skipped_value(None, "Verbosity threshold not met."))
            return self.skipped(step, name, Reason(Why.VERBOSITY, str(step.debug.verbosity)))
        return self.finish(step, name, self.attempts(step, {}, context), started)

    def finish(self, step: StepSpec, name: str, done: Done, started: float) -> StepResult:
        self.keep(step, done.value)
        origin = self.settings.origin
        return StepResult(Kind.STEP, step.index, name, self.org.name, done.outcome,
                          _ms(started), checks=done.checks, reason=done.reason,
                          exchange=done.exchange, attempts=done.attempts,
                          ignored=done.ignored(step), tags=step.tags, position=step.position,
                          message=done.message,
                          started_ms=None if origin is None else (started - origin) * 1000)

    def skipped(self, step: StepSpec, name: str, reason: Reason) -> StepResult:
        return StepResult(Kind.STEP, step.index, name, self.org.name, Outcome.SKIPPED,
                          reason=reason, tags=step.tags, position=step.position)

    def keep(self, step: StepSpec, value: Any) -> None:
        self.last = value
        if step.register:
            self.registered[step.register] = value

    def name(self, step: StepSpec, context: Mapping[str, Any]) -> str:
        """The step's name rendered, or as written where it cannot be (as Ansible does)."""
        try:
            return str(render(step.name, context))
        except TemplateRenderError:
            return step.name

    def false_condition(self, step: StepSpec, context: Mapping[str, Any]) -> str | bool | None:
        """The first ``when`` (a block's or the step's) that is false, or None."""
        for condition in step.conditions:
            if not self.condition(condition.test, condition.path, context, condition.document):
                return condition.test
        return None

    # -- one action, with its retries ---------------------------------------------------
    def attempts(self, step: StepSpec, local: Mapping[str, Any],
                 context: Scope | None = None) -> Done:
        """Run once, or poll with ``retries``/``delay``/``until``; never raises.
        ``context``: the step's context as it stands (built for its name and ``when``),
        used for the first run; every later run sees what changed since."""
        tries = step.retries + 1 if step.until or step.retries else 1
        runs = sent = 0  # runs of the step; HTTP attempts, the client's own retries included
        while True:
            runs += 1
            try:
                if context is None or runs > 1:
                    context = self.context(step, **local)
                action = self.perform(step, context)
            except Interrupted:
                raise  # the run was stopped: not the step's failure
            except StepError as exc:
                return self.error(step, exc, ignorable=False, attempts=sent)
            except SfjwtError as exc:
                return self.error(step, exc, attempts=sent + getattr(exc, "attempts", 1))
            sent += action.attempts
            try:
                done = self.judged(step, action, local, runs=runs)
                finished = self._finished(step, done, local)
                if finished or runs >= tries or pause(self.within_deadline(step.delay), self.stop):
                    break
            except StepError as exc:
                return self.error(step, exc, ignorable=False, exchange=action.exchange,
                                  attempts=sent)
        if step.until and not finished:
            check = CheckResult("until", step.until, "true", True, False, False,
                                f"still false after {runs} attempts")
            done = self.judged(step, action, local, check, runs=runs)
        return done if done.attempts == sent else replace(done, attempts=sent)

    def within_deadline(self, seconds: float) -> float:
        """A wait cut short at the org's deadline (``--org-timeout``)."""
        deadline = self.settings.deadline
        return seconds if deadline is None else max(0.0, min(seconds, deadline - time.monotonic()))

    def _finished(self, step: StepSpec, done: Done, local: Mapping[str, Any]) -> bool:
        if not step.until:
            return done.outcome is not Outcome.FAILED
        context = self.context(step, **local, **self.own(step, done.value))
        return self.condition(step.until, (*step.path, "until"), context, step.document)

    def judged(self, step: StepSpec, action: actions.ActionResult, local: Mapping[str, Any],
               exhausted: CheckResult | None = None, *, runs: int = 1) -> Done:
        """The outcome from the checks, then ``changed_when`` and ``failed_when`` (in that
        order, over the result as ``register`` would hold it), then ``until`` running out."""
        checks = tuple(action.checks)
        changed, passed = action.wrote, action.passed
        label = step.register or "response"
        first = step_value(action.registered, failed=not passed, changed=changed, label=label)
        if step.changed_when is not None or step.failed_when is not None:
            context = self.context(step, **local, **self.own(step, first))
        if step.changed_when is not None:
            changed = self.all_true(step.changed_when, (*step.path, "changed_when"), context,
                                    step.document)
        if step.failed_when is not None:
            failed = self.all_true(step.failed_when, (*step.path, "failed_when"), context,
                                   step.document)
            passed = not failed
            shown = " and ".join(str(test) for test in step.failed_when)
            checks = (*checks, CheckResult("failed_when", shown, "false", False, failed, passed))
        if exhausted is not None:
            checks, passed = (*checks, exhausted), False
        value = step_value(action.registered, failed=not passed, changed=changed, label=label,
                           attempts=runs,
                           msg=None if passed else failure_message(checks))
        if passed and action.facts:
            self.registered.update(action.facts)
        outcome = Outcome.FAILED if not passed else Outcome.CHANGED if changed else Outcome.OK
        return Done(outcome, value, checks, action.exchange, action.attempts,
                    message=action.message)

    def own(self, step: StepSpec, value: Any) -> dict[str, Any]:
        """The step's own result by its register name and as ``response``."""
        own = {"response": value}
        if step.register:
            own[step.register] = value
        return own

    def error(self, step: StepSpec, exc: SfjwtError, *, ignorable: bool = True,
              attempts: int = 0, exchange: Exchange | None = None) -> Done:
        value = error_value(exc.message, step.register or "response")
        return Done(Outcome.FAILED, value, exchange=exchange, attempts=max(attempts, 1),
                    reason=Reason(Why.ERROR, exc.message), ignorable=ignorable)

    def perform(self, step: StepSpec, context: Scope) -> actions.ActionResult:
        """The step's action, its templates rendered in ``context``."""
        try:
            if step.kind == "assert" and step.assertion is not None:
                return local_actions.perform_assert(step.assertion, context)
            if step.kind == "debug" and step.debug is not None:
                return local_actions.perform_debug(step.debug, context)
            if step.kind == "set_fact" and step.facts is not None:
                return local_actions.perform_set_fact(step.facts, context)
        except TemplateRenderError as exc:
            raw = raw_at(step.document or self.playbook.document, step.path)
            sources = [(text, is_expression) for path, text, is_expression
                       in step_templates(raw, step.path) if path[len(step.path)] == step.kind]
            message = explained(exc, sources, context)
            raise StepError(f"{self.at(step, step.kind)}: {message}") from None
        expect = self._render_expect(step, context)
        whole = self.settings.verbosity >= 2
        if step.kind == "query" and step.query is not None:
            soql = self.render(step, "query", step.query.soql, context)
            done = actions.perform_query(
                self.client, replace(step.query, soql=str(soql)), expect,
                api_version=str(self.org.variables["api_version"]), timeout=step.timeout,
                max_bytes=step.max_response_bytes, whole=whole,
            )
            return bodies.save(step, done, context, self.playbook.base_dir, self.at)
        assert step.request is not None
        request = step.request
        if not request.as_written:
            request = replace(
                request,
                path=_text(self.render(step, "request.path", request.path, context)),
                url=_text(self.render(step, "request.url", request.url, context)),
                params=self.render(step, "request.params", request.params, context),
                headers=self.render(step, "request.headers", request.headers, context),
                json=self.render(step, "request.json", request.json, context),
                body=self.render(step, "request.body", request.body, context),
            )  # a request with nothing to render is sent as written
        request = bodies.file_body(step, request, context, self.at)
        if request.body is not None and not isinstance(request.body, str):
            raise StepError(f"{self.at(step, 'request.body')}: expected text, got "
                            f"{type(request.body).__name__} (json: sends a value as JSON)")
        actions.check_write(self.org.spec, request.method,
                            step.allow_write or self.settings.allow_writes)
        done = actions.perform_request(self.client, request, expect, timeout=step.timeout,
                                       max_bytes=step.max_response_bytes, whole=whole)
        return bodies.save(step, done, context, self.playbook.base_dir, self.at)

    def _render_expect(self, step: StepSpec, context: Mapping[str, Any]) -> Any:
        if step.expect is None:
            return None
        expect = step.expect
        if expect.as_written:
            return expect  # nothing to render
        max_ms = self.render(step, "expect.max_ms", step.expect.max_ms, context)
        if max_ms is not None and checks.milliseconds(max_ms) is None:
            raise StepError(f"{self.at(step, 'expect.max_ms')}: expected a positive "
                            f"number of milliseconds, got {max_ms!r}")
        return replace(
            step.expect,
            status=self.render(step, "expect.status", step.expect.status, context),
            headers=self.render(step, "expect.headers", step.expect.headers, context),
            json=self.render(step, "expect.json", step.expect.json, context),
            max_ms=checks.milliseconds(max_ms),
        )

    # -- templates -------------------------------------------------------------------
    def render(self, step: StepSpec, where: str, value: Any, context: Mapping[str, Any]) -> Any:
        try:
            return render(value, context)
        except TemplateRenderError as exc:
            sources = [(text, False) for _, text in strings(value, ())]
            message = explained(exc, sources, context)
            raise StepError(f"{self.at(step, where)}: {message}") from None

    def condition(self, test: str | bool, path: tuple[str | int, ...],
                  context: Mapping[str, Any], document: Document | None = None) -> bool:
        if isinstance(test, bool):
            return test
        try:
            return bool(evaluate(test, context))
        except TemplateRenderError as exc:
            message = explained(exc, [(test, True)], context)
            raise StepError(f"{self.where(path, document=document)}: {message}") from None

    def all_true(self, tests: tuple[str | bool, ...], path: tuple[str | int, ...],
                 context: Mapping[str, Any], document: Document | None = None) -> bool:
        """A list of conditions means all of them (as Ansible reads one)."""
        return all(self.condition(test, path, context, document) for test in tests)

    def where(self, path: tuple[str | int, ...], field: str = "", *,
              document: Document | None = None) -> str:
        """``file:line:col (field)`` of a place in the playbook (or in ``document``, a file
        it pulls in)."""
        full = (*path, *field.split(".")) if field else path
        position = (document or self.playbook.document).position_of(full, key=False)
        shown = field or str(full[-1])
        return f"{position} ({shown})" if position else shown

    def at(self, step: StepSpec, field: str) -> str:
        """``file:line:col (field)`` of one of a step's fields, in its own file, and the
        imports, includes and roles that led there."""
        chain = step.source.chain if step.source is not None else ()
        return self.where(step.path, field, document=step.document) + chain_text(chain)


def _text(value: Any) -> str | None:
    """A rendered path or URL as text: ``"{{ record.id }}"`` may render to a number."""
    return None if value is None else str(value)


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000

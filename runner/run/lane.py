"""One org's lane: log in once, then run the steps in order.

A lane never raises: a refused login, a dropped connection or a failed check
becomes a ``StepResult``; steps after a failed login are marked skipped with
the reason, so every step of every org has exactly one outcome.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from runner.errors import AuthenticationError, SfjwtError
from runner.playbook.model import OrgSpec, Playbook, StepSpec
from runner.playbook.scope import RunVars, Scope, build_scope
from runner.playbook.selection import applies_to
from runner.playbook.templating import TemplateRenderError, evaluate, render
from runner.run import actions, checks
from runner.run.orgs import PreparedOrg
from runner.run.results import CheckResult, Kind, OrgResult, Outcome, Reason, StepResult, Why
from runner.salesforce.auth import Token
from runner.salesforce.http import OrgClient
from runner.salesforce.token_cache import TokenCache
from runner.salesforce.transfer import DEFAULT_MAX_BYTES, Bounds, Interrupted
from runner.salesforce.watchdog import Cancel

StepListener = Callable[[StepResult], None]
LABEL_CHARS = 200


@dataclass(frozen=True)
class LaneSettings:
    """Run-wide settings every lane shares."""

    vars: RunVars
    steps: tuple[StepSpec, ...]
    allow_writes: bool = False
    verify: bool | str = True
    deadline: float | None = None  # time.monotonic() value after which the lane stops
    token_cache: TokenCache | None = None
    origin: float | None = None  # time.monotonic() value when the run started


class Lane:
    """Runs the steps for one org; owns that org's HTTP client."""

    def __init__(
        self,
        playbook: Playbook,
        org: PreparedOrg,
        settings: LaneSettings,
        stop: threading.Event,
        listener: StepListener,
    ) -> None:
        self.playbook = playbook
        self.org = org
        self.settings = settings
        self.stop = stop
        self.listener = listener
        self.registered: dict[str, Any] = {}
        self.result = OrgResult(org.name)

    # -- the lane --------------------------------------------------------
    def run(self) -> OrgResult:
        started = time.monotonic()
        cancel = self.stop if isinstance(self.stop, Cancel) else None
        client = OrgClient(
            self.org.credentials,
            verify=self.settings.verify,
            timeout=self.org.spec.timeout,
            insecure_http=self.org.spec.insecure_http,
            bounds=Bounds(self.org.spec.max_response_bytes or DEFAULT_MAX_BYTES,
                          self.settings.deadline, cancel),
            instance_hosts=self.org.spec.instance_hosts,
        )
        cache = self.settings.token_cache
        try:
            token = self._login(client)
            for step in self.settings.steps:
                self._emit(self._run_or_skip(step, client, token))
        finally:
            if cache is not None and client.token is not None:
                cache.put(self.org.credentials, client.token)
            client.close()
            self.result.elapsed_ms = (time.monotonic() - started) * 1000
        return self.result

    def _emit(self, result: StepResult) -> None:
        result = self._stamped(result)
        self.result.steps.append(result)
        self.listener(result)

    def _offset(self, started: float) -> float | None:
        """A ``time.monotonic()`` value as milliseconds after the run started."""
        origin = self.settings.origin
        return None if origin is None else (started - origin) * 1000

    def _stamped(self, result: StepResult) -> StepResult:
        """A result that just ended, with when it started if it does not say."""
        if result.started_ms is not None:
            return result
        ended = self._offset(time.monotonic())
        return result if ended is None else replace(
            result, started_ms=max(0.0, ended - result.elapsed_ms))

    def _login(self, client: OrgClient) -> Token | None:
        started = time.monotonic()
        cache = self.settings.token_cache
        token = cache.get(self.org.credentials) if cache is not None else None
        reason = None if token is None else Reason(Why.CACHED_TOKEN)
        outcome = Outcome.OK
        if token is not None and cache is not None:
            try:
                client.adopt(token)
            except SfjwtError:  # a cached instance URL that is refused now: log in afresh
                cache.drop(self.org.credentials)
                token, reason = None, None
        if token is None:
            try:
                token = client.authenticate()
            except Interrupted:
                outcome, reason = Outcome.INTERRUPTED, Reason(Why.INTERRUPTED)
            except Exception as exc:  # a bug met by one org must not end the run
                error = exc if isinstance(exc, SfjwtError) else _internal(exc)
                self.result.unreachable = True
                self.result.hint = error.hint
                why = Why.REFUSED if isinstance(error, AuthenticationError) else Why.UNREACHABLE
                outcome, reason = Outcome.FAILED, Reason(why, error.message)
        self.result.login = self._stamped(login_result(self.org.spec, outcome, _ms(started),
                                                       reason))
        self.listener(self.result.login)
        return token

    def _run_or_skip(self, step: StepSpec, client: OrgClient, token: Token | None) -> StepResult:
        if self.stop.is_set():
            return not_run(step, self.org.name, Why.INTERRUPTED)
        if token is None:
            return not_run(step, self.org.name, Why.UNAUTHENTICATED)
        if self.settings.deadline is not None and time.monotonic() > self.settings.deadline:
            return not_run(step, self.org.name, Why.DEADLINE)
        if not applies_to(step, self.org.name):
            return not_run(step, self.org.name, Why.NOT_FOR_ORG)
        started = time.monotonic()
        try:
            return self._run_step(step, client, started)
        except Interrupted:
            return not_run(step, self.org.name, Why.INTERRUPTED)
        except SfjwtError as exc:
            attempts = getattr(exc, "attempts", 1)  # a NetworkError counts its retries
            return self._result(step, Kind.STEP, Outcome.FAILED, started, attempts=attempts,
                                reason=Reason(Why.ERROR, exc.message),
                                ignored=step.ignore_errors)
        except Exception as exc:  # a bug met by one step must not end the run
            return self._result(step, Kind.STEP, Outcome.FAILED, started,
                                reason=Reason(Why.ERROR, _internal(exc).message),
                                ignored=step.ignore_errors)

    def _result(
        self, step: StepSpec, kind: Kind, outcome: Outcome, started: float, **fields: Any
    ) -> StepResult:
        return StepResult(kind, step.index, step.name, self.org.name, outcome, _ms(started),
                          tags=step.tags, position=step.position,
                          started_ms=self._offset(started), **fields)

    # -- one step ----------------------------------------------------------
    def context(self, **local: Any) -> Scope:
        """What this org's templates see now; ``local`` adds ``item`` or ``response``."""
        return build_scope(self.settings.vars, self.org.spec, facts=self.org.variables,
                           registered=self.registered, local=local)

    def _run_step(self, step: StepSpec, client: OrgClient, started: float) -> StepResult:
        if step.when is not None and not self._condition(step, "when", step.when, self.context()):
            return not_run(step, self.org.name, Why.WHEN_FALSE, str(step.when))
        if step.loop is None:
            done = self._attempts(step, client, None)
            if step.register:
                self.registered[step.register] = done.registered
            return self._acted(step, Kind.STEP, done, started)
        items: list[StepResult] = []
        registered: list[Any] = []
        for item in self._loop_items(step):
            item_started = time.monotonic()
            done = self._attempts(step, client, item)
            registered.append(done.registered)
            items.append(self._acted(step, Kind.ITEM, done, item_started, item=_label(item)))
        if step.register:
            self.registered[step.register] = {"results": registered}
        outcome = _outcome(passed=all(item.outcome.passed for item in items),
                           wrote=any(item.outcome is Outcome.CHANGED for item in items))
        return self._result(step, Kind.STEP, outcome, started, items=tuple(items),
                            exchange=items[-1].exchange if items else None,
                            attempts=sum(item.attempts for item in items),
                            ignored=step.ignore_errors and outcome is Outcome.FAILED)

    def _acted(
        self, step: StepSpec, kind: Kind, done: actions.ActionResult, started: float,
        **fields: Any,
    ) -> StepResult:
        outcome = _outcome(passed=done.passed, wrote=done.wrote)
        return self._result(step, kind, outcome, started, checks=tuple(done.checks),
                            exchange=done.exchange, attempts=done.attempts,
                            ignored=step.ignore_errors and not done.passed, **fields)

    def _loop_items(self, step: StepSpec) -> list[Any]:
        items = self._render(step, "loop", step.loop, self.context())
        if not isinstance(items, list):
            raise SfjwtError(f"loop: expected a list, got {type(items).__name__}")
        return items

    def _attempts(self, step: StepSpec, client: OrgClient, item: Any) -> actions.ActionResult:
        """Run once, or poll with ``retries``/``delay``/``until``."""
        tries = step.retries + 1 if step.until or step.retries else 1
        result = self._perform(step, client, item)
        made = result.attempts
        for _ in range(tries - 1):
            if self._done(step, result, item):
                break
            if self.stop.wait(self._within_deadline(step.delay)):
                break
            result = self._perform(step, client, item)
            made += result.attempts
        result.attempts = made  # every request the polling made, not only the last one's
        if step.until and not self._done(step, result, item):
            result.checks.append(
                CheckResult("until", step.until, "true", True, False, False,
                            f"still false after {tries} attempts")
            )
        return result

    def _within_deadline(self, seconds: float) -> float:
        deadline = self.settings.deadline
        return seconds if deadline is None else max(0.0, min(seconds, deadline - time.monotonic()))

    def _done(self, step: StepSpec, result: actions.ActionResult, item: Any) -> bool:
        if step.until:
            own = {step.register: result.registered} if step.register else {}
            context = self.context(item=item, response=result.registered, **own)
            return self._condition(step, "until", step.until, context)
        return result.passed

    def _perform(self, step: StepSpec, client: OrgClient, item: Any) -> actions.ActionResult:
        context = self.context(item=item)
        expect = self._render_expect(step, context)
        if step.kind == "assert":
            return actions.perform_assert(step.assertions, context)
        if step.kind == "query" and step.query is not None:
            soql = self._render(step, "query", step.query.soql, context)
            query = replace(step.query, soql=str(soql))
            return actions.perform_query(
                client, query, expect,
                api_version=str(self.org.variables["api_version"]), timeout=step.timeout,
                max_bytes=step.max_response_bytes,
            )
        assert step.request is not None
        request = replace(
            step.request,
            path=_text(self._render(step, "request.path", step.request.path, context)),
            url=_text(self._render(step, "request.url", step.request.url, context)),
            params=self._render(step, "request.params", step.request.params, context),
            headers=self._render(step, "request.headers", step.request.headers, context),
            json=self._render(step, "request.json", step.request.json, context),
            body=self._render(step, "request.body", step.request.body, context),
        )
        if request.body is not None and not isinstance(request.body, str):
            raise SfjwtError(f"{self._where(step, 'request.body')}: expected text, got "
                             f"{type(request.body).__name__} (json: sends a value as JSON)")
        actions.check_write(self.org.spec, request.method,
                            step.allow_write or self.settings.allow_writes)
        return actions.perform_request(client, request, expect, timeout=step.timeout,
                                       max_bytes=step.max_response_bytes)

    def _render_expect(self, step: StepSpec, context: Mapping[str, Any]) -> Any:
        if step.expect is None:
            return None
        max_ms = self._render(step, "expect.max_ms", step.expect.max_ms, context)
        if max_ms is not None and checks.milliseconds(max_ms) is None:
            raise SfjwtError(f"{self._where(step, 'expect.max_ms')}: expected a positive "
                             f"number of milliseconds, got {max_ms!r}")
        return replace(
            step.expect,
            status=self._render(step, "expect.status", step.expect.status, context),
            headers=self._render(step, "expect.headers", step.expect.headers, context),
            json=self._render(step, "expect.json", step.expect.json, context),
            max_ms=checks.milliseconds(max_ms),
        )

    def _render(self, step: StepSpec, where: str, value: Any, context: Mapping[str, Any]) -> Any:
        try:
            return render(value, context)
        except TemplateRenderError as exc:
            raise SfjwtError(f"{self._where(step, where)}: {exc.message}") from None

    def _condition(self, step: StepSpec, where: str, value: str | bool, context: Any) -> bool:
        if isinstance(value, bool):
            return value
        try:
            return bool(evaluate(value, context))
        except TemplateRenderError as exc:
            raise SfjwtError(f"{self._where(step, where)}: {exc.message}") from None

    def _where(self, step: StepSpec, field: str) -> str:
        path: tuple[str | int, ...] = ("steps", step.index, *field.split("."))
        position = self.playbook.document.position_of(path, key=False)
        return f"{position} ({field})" if position else field


def _internal(exc: Exception) -> SfjwtError:
    """An exception that is not this project's own, as one line naming it as a bug."""
    return SfjwtError(f"internal error: {type(exc).__name__}: {exc}")


def _text(value: Any) -> str | None:
    """A rendered path or URL as text: ``"{{ record.id }}"`` may render to a number."""
    return None if value is None else str(value)


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000


def _outcome(*, passed: bool, wrote: bool) -> Outcome:
    if not passed:
        return Outcome.FAILED
    return Outcome.CHANGED if wrote else Outcome.OK


def _label(item: Any) -> str:
    """A loop item as text for reports: strings as they are, other values as JSON-ish repr."""
    text = item if isinstance(item, str) else repr(item)
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def login_result(
    spec: OrgSpec, outcome: Outcome, elapsed_ms: float = 0.0, reason: Reason | None = None
) -> StepResult:
    """The result of an org's login, placed at its ``orgs:`` entry."""
    return StepResult(Kind.LOGIN, 0, "log in", spec.name, outcome, elapsed_ms, reason=reason,
                      position=spec.position)


def not_run(step: StepSpec, org: str, why: Why, detail: str = "") -> StepResult:
    """A step that did not run for this org, and why."""
    outcome = Outcome.INTERRUPTED if why is Why.INTERRUPTED else Outcome.SKIPPED
    return StepResult(Kind.STEP, step.index, step.name, org, outcome, reason=Reason(why, detail),
                      tags=step.tags, position=step.position)

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
from runner.playbook.model import Playbook, StepSpec
from runner.playbook.scope import RunVars, Scope, build_scope
from runner.playbook.selection import applies_to
from runner.playbook.templating import TemplateRenderError, evaluate, render
from runner.run import actions, checks
from runner.run.orgs import PreparedOrg
from runner.run.results import CheckResult, OrgResult, Outcome, StepResult
from runner.salesforce.auth import Token
from runner.salesforce.http import OrgClient
from runner.salesforce.token_cache import TokenCache
from runner.secrets import redact

StepListener = Callable[[StepResult], None]


@dataclass(frozen=True)
class LaneSettings:
    """Run-wide settings every lane shares."""

    vars: RunVars
    steps: tuple[StepSpec, ...]
    allow_writes: bool = False
    verify: bool | str = True
    deadline: float | None = None  # time.monotonic() value after which the lane stops
    token_cache: TokenCache | None = None


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
        client = OrgClient(
            self.org.credentials,
            verify=self.settings.verify,
            timeout=self.org.spec.timeout,
            insecure_http=self.org.spec.insecure_http,
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
        self.result.steps.append(result)
        self.listener(result)

    def _login(self, client: OrgClient) -> Token | None:
        started = time.monotonic()
        cache = self.settings.token_cache
        cached = cache.get(self.org.credentials) if cache is not None else None
        if cached is not None:
            client.adopt(cached)
            login = StepResult(0, "log in", self.org.name, Outcome.OK, _ms(started),
                               reason="cached token")
            self.result.login = login
            self.listener(login)
            return cached
        try:
            token = client.authenticate()
        except SfjwtError as exc:
            self.result.unreachable = True
            self.result.hint = redact(exc.hint) if exc.hint else None
            kind = "authenticate" if isinstance(exc, AuthenticationError) else "reach the org"
            reason = redact(f"could not {kind}: {exc.message}")
            login = StepResult(0, "log in", self.org.name, Outcome.FAILED, _ms(started),
                               reason=reason)
            self.result.login = login
            self.listener(login)
            return None
        login = StepResult(0, "log in", self.org.name, Outcome.OK, _ms(started))
        self.result.login = login
        self.listener(login)
        return token

    def _run_or_skip(self, step: StepSpec, client: OrgClient, token: Token | None) -> StepResult:
        if token is None:
            return self._skipped(step, "the org could not authenticate")
        if self.stop.is_set():
            return self._marked(step, Outcome.INTERRUPTED, "the run was interrupted")
        if self.settings.deadline is not None and time.monotonic() > self.settings.deadline:
            return self._skipped(step, "the org passed its deadline (--org-timeout)")
        if not applies_to(step, self.org.name):
            return self._skipped(step, "not for this org")
        started = time.monotonic()
        try:
            return self._run_step(step, client, started)
        except SfjwtError as exc:
            attempts = getattr(exc, "attempts", 1)  # a NetworkError counts its retries
            return self._failed(step, started, redact(exc.message), attempts)

    def _skipped(self, step: StepSpec, reason: str) -> StepResult:
        return self._marked(step, Outcome.SKIPPED, reason)

    def _marked(self, step: StepSpec, outcome: Outcome, reason: str) -> StepResult:
        return StepResult(step.index, step.name, self.org.name, outcome, reason=reason,
                          tags=step.tags)

    def _failed(
        self, step: StepSpec, started: float, reason: str, attempts: int = 1
    ) -> StepResult:
        return StepResult(
            step.index, step.name, self.org.name, Outcome.FAILED, _ms(started),
            reason=reason, attempts=attempts, ignored=step.ignore_errors, tags=step.tags,
        )

    # -- one step ----------------------------------------------------------
    def context(self, **local: Any) -> Scope:
        """What this org's templates see now; ``local`` adds ``item`` or ``response``."""
        return build_scope(self.settings.vars, self.org.spec, facts=self.org.variables,
                           registered=self.registered, local=local)

    def _run_step(self, step: StepSpec, client: OrgClient, started: float) -> StepResult:
        if step.when is not None and not self._condition(step, "when", step.when, self.context()):
            return self._skipped(step, f"when: {step.when} was false")
        items = self._loop_items(step)
        outcomes = [self._attempts(step, client, item) for item in items]
        if step.register:
            self.registered[step.register] = (
                outcomes[0].registered if step.loop is None
                else {"results": [o.registered for o in outcomes]}
            )
        all_checks = tuple(c for o in outcomes for c in o.checks)
        passed = all(o.passed for o in outcomes)
        outcome = Outcome.OK
        if not passed:
            outcome = Outcome.FAILED
        elif any(o.wrote for o in outcomes):
            outcome = Outcome.CHANGED
        return StepResult(
            step.index, step.name, self.org.name, outcome, _ms(started),
            checks=all_checks,
            reason="" if passed else _first_failure(all_checks),
            exchange=outcomes[-1].exchange if outcomes else None,
            attempts=sum(o.attempts for o in outcomes),
            ignored=step.ignore_errors and not passed,
            tags=step.tags,
        )

    def _loop_items(self, step: StepSpec) -> list[Any]:
        if step.loop is None:
            return [None]
        items = self._render(step, "loop", step.loop, self.context())
        if not isinstance(items, list):
            raise SfjwtError(f"loop: expected a list, got {type(items).__name__}")
        return items

    def _attempts(self, step: StepSpec, client: OrgClient, item: Any) -> actions.ActionResult:
        """Run once, or poll with ``retries``/``delay``/``until``."""
        tries = step.retries + 1 if step.until or step.retries else 1
        result = self._perform(step, client, item)
        for _ in range(tries - 1):
            if self._done(step, result, item):
                break
            if self.stop.wait(step.delay):
                break
            result = self._perform(step, client, item)
        if step.until and not self._done(step, result, item):
            result.checks.append(
                CheckResult("until", step.until, "true", True, False, False,
                            f"still false after {tries} attempts")
            )
        return result

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
        self._guard_writes(step, request.method)
        return actions.perform_request(client, request, expect, timeout=step.timeout)

    def _render_expect(self, step: StepSpec, context: Mapping[str, Any]) -> Any:
        if step.expect is None:
            return None
        return replace(
            step.expect,
            status=self._render(step, "expect.status", step.expect.status, context),
            headers=self._render(step, "expect.headers", step.expect.headers, context),
            json=self._render(step, "expect.json", step.expect.json, context),
        )

    def _guard_writes(self, step: StepSpec, method: str) -> None:
        if (
            self.org.spec.production
            and method.upper() not in ("GET", "HEAD")
            and not (step.allow_write or self.settings.allow_writes)
        ):
            raise actions.WriteRefused(
                f"refused {method} on production org {self.org.name!r}: "
                "add allow_write: true to the step or run with --allow-writes"
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


def _text(value: Any) -> str | None:
    """A rendered path or URL as text: ``"{{ record.id }}"`` may render to a number."""
    return None if value is None else str(value)


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000


def _first_failure(results: tuple[CheckResult, ...]) -> str:
    return redact(checks.summarize(results))

"""One org's lane: log in once, then run the steps in order (``runner.run.flow``).

A lane never raises: a refused login, a dropped connection or a failed check
becomes a ``StepResult``; steps after a failed login are marked skipped with
the reason, so every step of every org has exactly one outcome.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from runner.errors import AuthenticationError, SfjwtError
from runner.playbook.model import OrgSpec, Playbook
from runner.playbook.scope import RunVars
from runner.playbook.steps import Node, StepSpec
from runner.run.fleet import Fleet
from runner.run.flow import Flow
from runner.run.orgs import PreparedOrg
from runner.run.results import Kind, OrgResult, Outcome, Reason, StepResult, Why
from runner.run.step import Settings, StepRunner
from runner.salesforce.auth import Token
from runner.salesforce.http import OrgClient
from runner.salesforce.token_cache import TokenCache
from runner.salesforce.transfer import DEFAULT_MAX_BYTES, Bounds, Interrupted
from runner.salesforce.watchdog import Cancel

StepListener = Callable[[StepResult], None]


@dataclass(frozen=True)
class LaneSettings:
    """Run-wide settings every lane shares."""

    vars: RunVars
    steps: tuple[StepSpec, ...]  # the selected steps (tags, --start-at-step)
    body: tuple[Node, ...] = ()  # the steps and blocks as written
    allow_writes: bool = False
    verify: bool | str = True
    deadline: float | None = None  # time.monotonic() value after which the lane stops
    token_cache: TokenCache | None = None
    origin: float | None = None  # time.monotonic() value when the run started
    keep_going: bool = False
    verbosity: int = 0


class Lane:
    """Runs the steps for one org; owns that org's HTTP client."""

    def __init__(
        self,
        playbook: Playbook,
        org: PreparedOrg,
        settings: LaneSettings,
        stop: threading.Event,
        listener: StepListener,
        fleet: Fleet,
    ) -> None:
        self.playbook = playbook
        self.org = org
        self.settings = settings
        self.stop = stop
        self.listener = listener
        self.fleet = fleet
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
            self._run(client)
        finally:
            if cache is not None and client.token is not None:
                cache.put(self.org.credentials, client.token)
            client.close()
            self.result.elapsed_ms = (time.monotonic() - started) * 1000
        return self.result

    def _run(self, client: OrgClient) -> None:
        settings = self.settings
        runner = StepRunner(self.playbook, self.org, client,
                            Settings(settings.vars, settings.allow_writes, settings.verbosity,
                                     settings.deadline, settings.origin), self.stop)
        flow = Flow(self.playbook, runner, settings.steps, self._emit, self.fleet,
                    keep_going=settings.keep_going, stop=self.stop, deadline=settings.deadline)
        body = settings.body or settings.steps
        aborted = self.fleet.reason
        if aborted is not None:  # the run was stopped before this org's turn came
            self.result.login = self._stamped(login_result(self.org.spec, Outcome.ABORTED,
                                                           reason=aborted))
            self.listener(self.result.login)
            flow.skip_all(body, Outcome.ABORTED, aborted)
        elif self._login(client) is not None:
            flow.run(body)
        elif self.stop.is_set():
            flow.skip_all(body, Outcome.INTERRUPTED, Reason(Why.INTERRUPTED))
        else:
            self.fleet.unreachable(self.org.name, fatal=self.playbook.any_errors_fatal)
            flow.skip_all(body, Outcome.SKIPPED, Reason(Why.UNAUTHENTICATED))

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

def login_result(
    spec: OrgSpec, outcome: Outcome, elapsed_ms: float = 0.0, reason: Reason | None = None
) -> StepResult:
    """The result of an org's login, placed at its ``orgs:`` entry."""
    return StepResult(Kind.LOGIN, 0, "log in", spec.name, outcome, elapsed_ms, reason=reason,
                      position=spec.position)


def _internal(exc: Exception) -> SfjwtError:
    """An exception that is not this project's own, as one line naming it as a bug."""
    return SfjwtError(f"internal error: {type(exc).__name__}: {exc}")


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000

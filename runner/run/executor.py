"""Run a validated playbook: keys first, then one lane per org, side by side.

``run`` always returns a ``RunResult``. Rejected logins, network errors and
failed checks are recorded in it, never raised past it; only listeners (the
report code) print.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import partial
from typing import Protocol

from runner.errors import SfjwtError
from runner.playbook.model import KeySpec, OrgSpec, Playbook
from runner.playbook.origins import Layer
from runner.playbook.scope import RunVars, build_scope
from runner.playbook.shards import Selection, fingerprint
from runner.playbook.steps import StepSpec
from runner.run.embedded import EmbeddedOrgs
from runner.run.fleet import Fleet
from runner.run.flow import not_run_all
from runner.run.lane import Lane, LaneSettings, login_result
from runner.run.orgs import (
    KeyFiles,
    OrgPlan,
    PreparedOrg,
    key_files,
    key_pair_for,
    passphrase_from_env,
    plan_org,
    prepared_org,
)
from runner.run.results import (
    CheckResult,
    Kind,
    OrgResult,
    Outcome,
    Reason,
    RunResult,
    StepResult,
    Why,
)
from runner.salesforce import keys as keymod
from runner.salesforce.cooperative import Hub
from runner.salesforce.token_cache import TokenCache
from runner.salesforce.watchdog import Cancel


class RunListener(Protocol):
    """Receives results as they happen; the console report is one."""

    def run_started(self, playbook: Playbook, orgs: Sequence[str]) -> None: ...

    def step_finished(self, result: StepResult) -> None: ...

    def org_finished(self, result: OrgResult) -> None: ...


class SilentListener:
    """A listener that ignores everything (for library use and tests)."""

    def run_started(self, playbook: Playbook, orgs: Sequence[str]) -> None:
        pass

    def step_finished(self, result: StepResult) -> None:
        pass

    def org_finished(self, result: OrgResult) -> None:
        pass


@dataclass(frozen=True)
class RunOptions:
    """What the command line decided about this run."""

    forks: int = 10
    extra_vars: Layer = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    steps: tuple[StepSpec, ...] | None = None  # after tag and start-at filters
    allow_writes: bool = False
    verify: bool | str = True
    org_timeout: float | None = None
    token_cache: TokenCache | None = None
    keep_going: bool = False  # --keep-going (or the playbook's keep_going)
    verbosity: int = 0
    selection: Selection | None = None  # without it: every org of the playbook, no shard


class Executor:
    """Runs one playbook once; ``stop()`` may be called from another thread."""

    def __init__(
        self, playbook: Playbook, options: RunOptions, listener: RunListener | None = None
    ) -> None:
        self.playbook = playbook
        self.options = options
        self.listener: RunListener = listener or SilentListener()
        self._stop = Cancel()  # an Event that also stops requests under way
        self._lock = threading.Lock()
        self._origin = time.monotonic()
        self._key_files = KeyFiles()  # the orgs' own key files, each loaded once
        self._fleet = Fleet(len(playbook.orgs),
                            max_fail_percentage=playbook.max_fail_percentage)

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> RunResult:
        started = self._origin = time.monotonic()
        orgs = self.playbook.orgs
        result = RunResult(str(self.playbook.path), self.playbook.name,
                           started_at=datetime.now(timezone.utc).astimezone(),
                           sha256=fingerprint(self.playbook.document.text),
                           selection=self.options.selection or Selection(tuple(orgs)))
        self.listener.run_started(self.playbook, list(orgs))
        embedded = EmbeddedOrgs()
        try:
            if any(spec.is_emulated for spec in orgs.values()):
                embedded.start()  # its process gets ready while the keys load
            key_pairs = self._prepare_keys(result)
            result.orgs = self._run_lanes(orgs, key_pairs, embedded)
        finally:
            embedded.stop()
        result.interrupted = self._stop.is_set()
        result.elapsed_ms = (time.monotonic() - started) * 1000
        return result

    # -- keys ----------------------------------------------------------------
    def _prepare_keys(self, result: RunResult) -> dict[str, keymod.KeyPair]:
        key_pairs: dict[str, keymod.KeyPair] = {}
        for spec in self.playbook.keys.values():
            started = time.monotonic()
            checks: tuple[CheckResult, ...] = ()
            reason = None
            try:
                pair, changed = self._ensure_key(spec)
                key_pairs[spec.name] = pair
                checks = self._expiry_checks(spec, pair)
                outcome = Outcome.CHANGED if changed else Outcome.OK
                if not all(check.passed for check in checks):
                    outcome = Outcome.FAILED
            except SfjwtError as exc:
                outcome, reason = Outcome.FAILED, Reason(Why.ERROR, exc.message)
            step = StepResult(Kind.KEY, -1, f"key {spec.name}", "", outcome,
                              (time.monotonic() - started) * 1000, checks=checks, reason=reason,
                              position=spec.position,
                              started_ms=(started - self._origin) * 1000)
            result.keys.append(step)
            self.listener.step_finished(step)
        return key_pairs

    def _ensure_key(self, spec: KeySpec) -> tuple[keymod.KeyPair, bool]:
        private_key, certificate = key_files(spec, build_scope(self._run_vars()))
        return keymod.ensure_key_pair(
            private_key=private_key,
            certificate=certificate,
            generate=spec.generate,
            bits=spec.bits,
            days=spec.days,
            subject=spec.subject,
            passphrase=passphrase_from_env(spec.passphrase_env),
            passphrase_env=spec.passphrase_env,
        )

    @staticmethod
    def _expiry_checks(spec: KeySpec, pair: keymod.KeyPair) -> tuple[CheckResult, ...]:
        """``min_days_left`` as a check on the certificate's days left, when both are known."""
        days_left = pair.days_left()
        if spec.min_days_left is None or days_left is None:
            return ()
        return (CheckResult("certificate", "days_left", "gte", spec.min_days_left, days_left,
                            days_left >= spec.min_days_left,
                            "renew it and upload it to the connected app"),)

    # -- lanes ---------------------------------------------------------------
    def _run_vars(self) -> RunVars:
        return RunVars.of(self.playbook, self.options.extra_vars, self.options.env)

    def _settings(self) -> LaneSettings:
        steps = self.options.steps if self.options.steps is not None else self.playbook.steps
        return LaneSettings(
            vars=self._run_vars(),
            steps=steps,
            body=self.playbook.body,
            allow_writes=self.options.allow_writes,
            verify=self.options.verify,
            token_cache=self.options.token_cache,
            origin=self._origin,
            keep_going=self.options.keep_going or self.playbook.keep_going,
            verbosity=self.options.verbosity,
        )

    def _run_lanes(
        self,
        orgs: Mapping[str, OrgSpec],
        key_pairs: Mapping[str, keymod.KeyPair],
        embedded: EmbeddedOrgs,
    ) -> list[OrgResult]:
        """Prepare every org first (the emulated ones added to the embedded org in one go,
        before any lane competes for the CPU), then run the lanes side by side: greenlets
        on this thread, each waiting on the network while the others run."""
        settings = self._settings()
        prepared: dict[str, PreparedOrg | SfjwtError] = {}
        plans: list[OrgPlan] = []
        for spec in orgs.values():
            try:
                plans.append(self._plan(spec, key_pairs, settings))
            except SfjwtError as exc:
                prepared[spec.name] = exc
        served = embedded.register_many([plan.registration() for plan in plans
                                         if plan.emulator is not None])
        for plan in plans:  # options the embedded org refuses raised InvalidEmbeddedOrg (exit 4)
            answer = served.get(plan.spec.name)
            prepared[plan.spec.name] = answer if isinstance(answer, SfjwtError) else \
                prepared_org(plan, answer)
        forks = max(1, min(self.options.forks, len(orgs) or 1))
        lanes = Hub().run([partial(self._run_org, spec, prepared[spec.name], settings)
                           for spec in orgs.values()], limit=forks)
        return [lane.result() for lane in lanes]

    def _run_org(
        self, spec: OrgSpec, prepared: PreparedOrg | SfjwtError, settings: LaneSettings
    ) -> OrgResult:
        if isinstance(prepared, SfjwtError):
            return self._unpreparable(spec, settings.steps, prepared)
        if self.options.org_timeout:
            settings = replace(settings, deadline=time.monotonic() + self.options.org_timeout)
        org_result = Lane(self.playbook, prepared, settings, self._stop, self._emit,
                          self._fleet).run()
        self.listener.org_finished(org_result)
        return org_result

    def _plan(
        self,
        spec: OrgSpec,
        key_pairs: Mapping[str, keymod.KeyPair],
        settings: LaneSettings,
    ) -> OrgPlan:
        if spec.key and spec.key not in key_pairs:
            raise SfjwtError(f"its key {spec.key!r} could not be prepared")
        scope = build_scope(settings.vars, spec)
        key_pair = key_pair_for(spec, key_pairs, scope, self._key_files)
        return plan_org(spec, key_pair=key_pair, scope=scope)

    def _unpreparable(
        self, spec: OrgSpec, steps: Sequence[StepSpec], exc: SfjwtError
    ) -> OrgResult:
        org_result = OrgResult(spec.name, unreachable=True, hint=exc.hint)
        now = (time.monotonic() - self._origin) * 1000
        org_result.login = replace(login_result(spec, Outcome.FAILED,
                                                reason=Reason(Why.NOT_PREPARED, exc.message)),
                                   started_ms=now)
        self._emit(org_result.login)
        self._fleet.unreachable(spec.name, fatal=self.playbook.any_errors_fatal)
        selected = frozenset(step.index for step in steps)
        for result in not_run_all(self.playbook.body or steps, selected, spec.name,
                                  Outcome.SKIPPED, Reason(Why.UNAUTHENTICATED)):
            skipped = replace(result, started_ms=now)
            org_result.steps.append(skipped)
            self._emit(skipped)
        self.listener.org_finished(org_result)
        return org_result

    def _emit(self, result: StepResult) -> None:
        with self._lock:
            self.listener.step_finished(result)

"""What a run produced, as plain data that every reporter reads.

The executor fills these in and never prints or phrases anything; outcomes,
the tally and the exit status are computed here, in one place, so the console,
JUnit, JSON and markdown reports cannot disagree about what passed.

The types, for code that reads a run:

- ``Invocation``: every playbook one command ran (``runs``, in order), when and on
  which host it started: what each report file holds; its ``exit_status`` is the
  worst of its runs'.
- ``RunResult``: one playbook run: ``keys`` (results of kind ``KEY``), ``orgs``
  (one ``OrgResult`` each, in playbook order), ``started_at`` (wall clock),
  ``interrupted``, ``exit_status`` and ``tally`` (every key and step of every org,
  counted once).
- ``OrgResult``: one org's lane: ``login`` (kind ``LOGIN``), ``steps`` (kind
  ``STEP``, one per selected step in the order they ran; a block's ``rescue``
  steps only when they ran), ``unreachable``, ``aborted``, ``hint`` and its
  ``tally``.
- ``StepResult``: one key, login, step or loop item (``kind``), where it comes
  from (``position``: file:line:col of its ``keys:``/``orgs:`` entry or step),
  its ``outcome``, its ``checks``, the ``exchange`` behind it, and — when it did
  not pass or did not run for a reason other than its checks — a ``reason``;
  ``started_ms`` says when it started, in milliseconds after its run started
  (``None`` when not known), so that ``started_ms + elapsed_ms`` is when it ended.
  A looped step holds one result of kind ``ITEM`` per item in ``items``;
  ``all_checks`` and ``failed_checks`` include theirs. ``message`` is what a
  ``debug`` step (or an assert's ``success_msg``) says.
- ``CheckResult``: one expectation as a record: subject (status, json, header,
  schema, max_ms, assert, until, failed_when, certificate), expression, matcher,
  expected, actual, passed, message, and for an assert the ``values`` of the
  names its expression reads.
- ``Reason``: why, as a ``Why`` code and the detail it needs (a condition, an
  error's message); ``runner.report.wording`` puts it in words.
- ``Tally``: counts per outcome; ``failed`` includes ``ignored`` failures and
  ``unreachable`` counts logins that failed.

Values are kept as they came (secrets included): every output masks them on
the way out.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from runner.errors import ExitStatus, Position
from runner.playbook.shards import Selection
from runner.run.exchange import Exchange as Exchange  # reporters find it here


class Outcome(str, enum.Enum):
    """How one result ended."""

    OK = "ok"
    CHANGED = "changed"
    FAILED = "failed"
    SKIPPED = "skipped"
    INTERRUPTED = "interrupted"
    RESCUED = "rescued"  # failed inside a block whose rescue then ran
    ABORTED = "aborted"  # not run: any_errors_fatal or max_fail_percentage stopped every org

    @property
    def passed(self) -> bool:
        return self in (Outcome.OK, Outcome.CHANGED)


class Kind(str, enum.Enum):
    """What a result is about."""

    KEY = "key"
    LOGIN = "login"
    STEP = "step"
    ITEM = "item"  # one item of a looped step


class Why(str, enum.Enum):
    """Why a result failed or did not run, when its checks do not say it."""

    ERROR = "error"  # the action or key raised; detail: the error's message
    REFUSED = "refused"  # login: the token endpoint refused the assertion
    UNREACHABLE = "unreachable"  # login: the network failed
    NOT_PREPARED = "not_prepared"  # login: the org's settings or key could not be prepared
    CACHED_TOKEN = "cached_token"  # login passed with a token from --token-cache
    UNAUTHENTICATED = "unauthenticated"  # skipped: the org could not log in
    NOT_FOR_ORG = "not_for_org"  # skipped: the step's orgs: does not name this org
    WHEN_FALSE = "when_false"  # skipped; detail: the condition
    DEADLINE = "deadline"  # skipped: the org passed --org-timeout
    INTERRUPTED = "interrupted"  # the run was stopped
    EARLIER_FAILURE = "earlier_failure"  # skipped; detail: the name of the step that failed
    NEEDS_FAILED = "needs_failed"  # skipped; name: the variable, detail: the step that failed
    ABORTED = "aborted"  # any_errors_fatal; detail: the org, name: the step that failed
    TOO_MANY_FAILED = "too_many_failed"  # max_fail_percentage; detail: "failed/targeted",
    #                                      name: the percentage
    VERBOSITY = "verbosity"  # debug skipped; detail: the -v count it needs
    NO_ITEMS = "no_items"  # a loop over an empty list


@dataclass(frozen=True)
class Reason:
    """Why, as data: reporters phrase it."""

    why: Why
    detail: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)  # one per loop item: no __dict__ each
class CheckResult:
    """One expectation: what was asked, what was there, and whether they agreed."""

    subject: str  # "status", "json", "header", "schema", "max_ms", "assert", "until", ...
    expression: str
    matcher: str
    expected: Any
    actual: Any
    passed: bool
    message: str = ""
    values: tuple[tuple[str, Any], ...] = ()  # an assert: each name it reads, and its value


@dataclass(frozen=True, slots=True)  # one per loop item: no __dict__ each
class StepResult:
    """One key, login, step or loop item, for one org (keys: for the whole run)."""

    kind: Kind
    index: int  # the step's index in the playbook; -1 for keys, 0 for logins
    name: str
    org: str
    outcome: Outcome
    elapsed_ms: float = 0.0
    checks: tuple[CheckResult, ...] = ()
    reason: Reason | None = None
    exchange: Exchange | None = None
    attempts: int = 1
    ignored: bool = False
    tags: tuple[str, ...] = ()
    position: Position | None = None
    item: str | None = None  # kind ITEM: the loop item's label
    items: tuple[StepResult, ...] = ()  # a looped step: one result per item
    started_ms: float | None = None  # when it started, in ms after the run started
    message: str | None = None  # what a debug step (or an assert's success_msg) says

    @property
    def all_checks(self) -> tuple[CheckResult, ...]:
        return self.checks + tuple(c for item in self.items for c in item.all_checks)

    @property
    def failed_checks(self) -> tuple[CheckResult, ...]:
        return tuple(check for check in self.all_checks if not check.passed)


@dataclass(frozen=True)
class Tally:
    """How many results ended how: the one count every reporter shows."""

    ok: int = 0
    changed: int = 0
    failed: int = 0  # ignored failures included
    ignored: int = 0
    skipped: int = 0
    interrupted: int = 0
    unreachable: int = 0  # logins that failed (not counted as steps)
    rescued: int = 0
    aborted: int = 0

    @classmethod
    def of(cls, results: Iterable[StepResult], *, unreachable: int = 0) -> Tally:
        counts = {outcome: 0 for outcome in Outcome}
        ignored = 0
        for result in results:
            counts[result.outcome] += 1
            ignored += result.outcome is Outcome.FAILED and result.ignored
        return cls(counts[Outcome.OK], counts[Outcome.CHANGED], counts[Outcome.FAILED], ignored,
                   counts[Outcome.SKIPPED], counts[Outcome.INTERRUPTED], unreachable,
                   counts[Outcome.RESCUED], counts[Outcome.ABORTED])

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(a + b for a, b in zip(self.values(), other.values(), strict=True)))

    def values(self) -> Iterator[int]:
        yield from (self.ok, self.changed, self.failed, self.ignored, self.skipped,
                    self.interrupted, self.unreachable, self.rescued, self.aborted)

    @property
    def not_run(self) -> int:
        """Skipped or interrupted: what a recap calls skipped."""
        return self.skipped + self.interrupted


@dataclass
class OrgResult:
    """One org's lane: its login and its steps, in order."""

    name: str
    login: StepResult | None = None
    steps: list[StepResult] = field(default_factory=list)
    unreachable: bool = False
    hint: str | None = None
    elapsed_ms: float = 0.0

    @property
    def tally(self) -> Tally:
        return Tally.of(self.steps, unreachable=int(self.unreachable))

    @property
    def failed(self) -> bool:
        tally = self.tally
        return self.unreachable or tally.failed > tally.ignored

    @property
    def aborted(self) -> bool:
        """Stopped by ``any_errors_fatal`` or ``max_fail_percentage`` before its last step."""
        login = self.login is not None and self.login.outcome is Outcome.ABORTED
        return login or any(step.outcome is Outcome.ABORTED for step in self.steps)


@dataclass
class RunResult:
    """Everything a run did; the reporters' only input."""

    playbook: str
    name: str
    keys: list[StepResult] = field(default_factory=list)
    orgs: list[OrgResult] = field(default_factory=list)
    interrupted: bool = False
    elapsed_ms: float = 0.0
    started_at: datetime | None = None  # wall clock, with its time zone
    sha256: str = ""  # the playbook's fingerprint, so that shards of one run can be told apart
    selection: Selection | None = None  # every org -l selected, and the shard this run took

    @property
    def tally(self) -> Tally:
        """Keys and every org's steps; unreachable counts the orgs that could not log in."""
        total = Tally.of(self.keys)
        for org in self.orgs:
            total += org.tally
        return total

    @property
    def exit_status(self) -> ExitStatus:
        if self.interrupted:
            return ExitStatus.INTERRUPTED
        if any(org.unreachable for org in self.orgs):
            return ExitStatus.ORG_UNREACHABLE
        if any(org.failed or org.aborted for org in self.orgs) or any(
            key.outcome is Outcome.FAILED for key in self.keys
        ):
            return ExitStatus.STEP_FAILED
        return ExitStatus.OK


SEVERITY = (ExitStatus.OK, ExitStatus.STEP_FAILED, ExitStatus.ORG_UNREACHABLE,
            ExitStatus.INTERRUPTED)


def worst(statuses: Iterable[ExitStatus]) -> ExitStatus:
    """The most serious of several exit statuses (OK when there are none)."""
    def rank(status: ExitStatus) -> int:
        return SEVERITY.index(status) if status in SEVERITY else len(SEVERITY)

    return max(statuses, key=rank, default=ExitStatus.OK)


@dataclass
class Invocation:
    """Every playbook one command ran, in order: what each report file holds."""

    runs: list[RunResult] = field(default_factory=list)
    started_at: datetime | None = None  # wall clock, with its time zone
    hostname: str = ""
    stopped: bool = False  # a signal came outside any run (between two, or a second one)

    @property
    def tally(self) -> Tally:
        total = Tally()
        for run in self.runs:
            total += run.tally
        return total

    @property
    def exit_status(self) -> ExitStatus:
        return ExitStatus.INTERRUPTED if self.stopped else worst(r.exit_status for r in self.runs)

    @property
    def interrupted(self) -> bool:
        return self.stopped or any(run.interrupted for run in self.runs)

    @property
    def elapsed_ms(self) -> float:
        return sum(run.elapsed_ms for run in self.runs)

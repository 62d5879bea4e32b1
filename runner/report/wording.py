"""How checks and reasons are put in words: one phrasing that every report (console, JUnit,
markdown, JSON) uses, so a failure reads the same wherever it is read. Every text is masked."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from runner.run.results import CheckResult, Reason, StepResult, Tally, Why
from runner.secrets import redact

VALUE_CHARS = 120
SUMMARY_CHECKS = 3

REASONS = {
    Why.ERROR: "{detail}",
    Why.REFUSED: "could not authenticate: {detail}",
    Why.UNREACHABLE: "could not reach the org: {detail}",
    Why.NOT_PREPARED: "could not log in: {detail}",
    Why.CACHED_TOKEN: "cached token",
    Why.UNAUTHENTICATED: "the org could not authenticate",
    Why.NOT_FOR_ORG: "not for this org",
    Why.WHEN_FALSE: "when: {detail} was false",
    Why.DEADLINE: "the org passed its deadline (--org-timeout)",
    Why.INTERRUPTED: "the run was interrupted",
    Why.EARLIER_FAILURE: "an earlier step failed: {detail}",
    Why.NEEDS_FAILED: "needs {name!r}, from {detail!r}, which failed",
    Why.ABORTED: "stopped for every org: {detail} failed {name!r} (any_errors_fatal)",
    Why.TOO_MANY_FAILED: "stopped for every org: {failed} of {targeted} orgs failed, more "
                         "than max_fail_percentage {name} %",
    Why.VERBOSITY: "shown with -{vs} or more (verbosity: {detail})",
    Why.NO_ITEMS: "the loop has no items",
}
CAUSED_BY_FAILURE = frozenset({Why.EARLIER_FAILURE, Why.NEEDS_FAILED, Why.ABORTED,
                               Why.TOO_MANY_FAILED})
"""Reasons every report shows, whatever the verbosity: they say why a step did not run."""


def short(value: Any) -> str:
    """A value as a person reads it in one line: repr, redacted, cut."""
    text = redact(repr(value))
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def describe_check(check: CheckResult) -> str:
    """One line: what was checked, what was expected and what was there."""
    if check.subject == "status":
        return f"status: expected {short(check.expected)}, got {short(check.actual)}"
    if check.subject in ("assert", "failed_when"):
        said = f"{redact(check.message)}: " if check.message else f"{check.subject}: "
        line = f"{said}{redact(check.expression)} was {_verdict(check.actual)}"
        values = ", ".join(f"{redact(path)} = {redact(value)}" for path, value in check.values)
        return f"{line} ({values})" if values else line
    if check.subject == "until":
        return f"until: {redact(check.expression)} {check.message}"
    if check.subject == "certificate":
        return (f"the certificate expires in {check.actual} days (min_days_left: "
                f"{check.expected}); {check.message}")
    label = f"{check.subject} {redact(check.expression)}"
    line = f"{label}: {check.matcher} {short(check.expected)}, got {short(check.actual)}"
    return f"{line} ({redact(check.message)})" if check.message else line


def _verdict(value: Any) -> str:
    """A condition's value as Jinja2 and YAML write it: true, false, none, or the value."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "none"}[value]
    return short(value)


def summarize(checks: Iterable[CheckResult]) -> str:
    """One line naming the first few failed checks (with what Salesforce said, if anything)."""
    failed = [check for check in checks if not check.passed]
    parts = [_in_brief(check) for check in failed[:SUMMARY_CHECKS]]
    more = f" (+{len(failed) - SUMMARY_CHECKS} more)" if len(failed) > SUMMARY_CHECKS else ""
    return redact("; ".join(parts) + more)


def _in_brief(check: CheckResult) -> str:
    if check.subject in ("certificate", "assert", "failed_when", "until"):
        return describe_check(check)
    line = f"{check.expression}: {check.matcher} {check.expected!r}, got {check.actual!r}"
    return line + (f" ({check.message})" if check.message else "")


def describe_reason(reason: Reason) -> str:
    failed, _, targeted = reason.detail.partition("/")
    words = REASONS[reason.why].format(detail=reason.detail, name=reason.name, failed=failed,
                                       targeted=targeted, vs="v" * _count(reason.detail))
    return redact(words)


def _count(text: str) -> int:
    return int(text) if text.isdigit() else 0


def reason_text(result: StepResult) -> str:
    """Why a result failed or did not run, in one line; empty when it passed on its own."""
    if result.reason is not None:
        return describe_reason(result.reason)
    return summarize(result.failed_checks)


RECAP_COLUMNS = ("ok", "changed", "failed", "skipped")


def recap_counts(tally: Tally) -> tuple[int, int, int, int]:
    """A recap row: ok, changed, failed (a failed login counts), skipped (interrupted too)."""
    return tally.ok, tally.changed, tally.failed + tally.unreachable, tally.not_run


EXTRA_COLUMNS = ("rescued", "aborted")
"""Columns a recap shows only when some org has such a result."""


def extra_columns(tallies: Iterable[Tally]) -> tuple[str, ...]:
    """The extra columns a recap needs: ``rescued`` and ``aborted`` when any org has one."""
    listed = list(tallies)
    return tuple(name for name in EXTRA_COLUMNS
                 if any(getattr(tally, name) for tally in listed))


def extra_counts(tally: Tally, columns: Iterable[str]) -> tuple[int, ...]:
    return tuple(getattr(tally, name) for name in columns)

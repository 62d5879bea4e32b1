"""How a check is put in words: one phrasing that every report (console, JUnit, markdown,
JSON) uses, so a failure reads the same wherever it is read."""

from __future__ import annotations

from typing import Any

from runner.run.results import CheckResult
from runner.secrets import redact

VALUE_CHARS = 120


def short(value: Any) -> str:
    """A value as a person reads it in one line: repr, redacted, cut."""
    text = redact(repr(value))
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def describe_check(check: CheckResult) -> str:
    """One line: what was checked, what was expected and what was there."""
    if check.subject == "status":
        return f"status: expected {short(check.expected)}, got {short(check.actual)}"
    if check.subject == "assert":
        return f"assert: {redact(check.expression)} is {short(check.actual)}"
    if check.subject == "until":
        return f"until: {redact(check.expression)} {check.message}"
    label = f"{check.subject} {redact(check.expression)}"
    line = f"{label}: {check.matcher} {short(check.expected)}, got {short(check.actual)}"
    return f"{line} ({redact(check.message)})" if check.message else line

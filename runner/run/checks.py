"""Evaluate an ``expect:`` block against a response: every mismatch, not the first.

Pure functions over already-rendered expectations. Each check keeps the
expression, the expected and the actual value, so reports can say exactly what
differed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import jsonschema
from jmespath.exceptions import JMESPathError

from runner.playbook.expressions import compile_expression
from runner.run.results import CheckResult

_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}

_STATUS_CLASS = re.compile(r"^[1-5]xx$", re.IGNORECASE)


def status_matches(expected: Any, status: int) -> bool:
    """``200``, ``[200, 201]`` or a class such as ``"2xx"``."""
    if isinstance(expected, (list, tuple)):
        return any(status_matches(item, status) for item in expected)
    if isinstance(expected, str):
        if _STATUS_CLASS.match(expected):
            return str(status)[0] == expected[0]
        return expected.strip().isdigit() and int(expected) == status
    return isinstance(expected, int) and expected == status


def _compare(op: str, actual: Any, expected: Any) -> tuple[bool, str]:
    numeric = isinstance(actual, (int, float)) and not isinstance(actual, bool)
    if not numeric or not isinstance(expected, (int, float)):
        return False, f"{op} needs numbers, got {type(actual).__name__}"
    ok = {
        "gte": actual >= expected,
        "gt": actual > expected,
        "lte": actual <= expected,
        "lt": actual < expected,
    }[op]
    return ok, ""


def _contains(actual: Any, expected: Any) -> tuple[bool, str]:
    if isinstance(actual, str):
        return isinstance(expected, str) and expected in actual, ""
    if isinstance(actual, (list, dict)):
        return expected in actual, ""
    return False, f"contains needs a string, list or object, got {type(actual).__name__}"


def _length(actual: Any, expected: Any) -> tuple[bool, str]:
    if not isinstance(actual, (str, list, dict)):
        return False, f"length needs a string, list or object, got {type(actual).__name__}"
    size = len(actual)
    if isinstance(expected, Mapping):
        failures = [c for c in apply_matchers("length", size, expected) if not c.passed]
        return not failures, "; ".join(f"{c.matcher} {c.expected!r}" for c in failures)
    return size == expected, f"length is {size}"


def _matches(actual: Any, expected: Any) -> tuple[bool, str]:
    if actual is None:
        return False, "no value"
    try:
        return re.search(str(expected), str(actual)) is not None, ""
    except re.error as exc:
        return False, f"invalid regular expression: {exc}"


def _check_one(op: str, actual: Any, expected: Any) -> tuple[bool, str]:
    if op == "equals":
        return actual == expected, ""
    if op == "not_equals":
        return actual != expected, ""
    if op == "exists":
        return (actual is not None) == bool(expected), ""
    if op == "type":
        test = _JSON_TYPES.get(str(expected))
        return (test(actual), "") if test else (False, f"unknown type {expected!r}")
    if op in ("gte", "gt", "lte", "lt"):
        return _compare(op, actual, expected)
    if op == "contains":
        return _contains(actual, expected)
    if op == "length":
        return _length(actual, expected)
    if op == "one_of":
        options = expected if isinstance(expected, list) else [expected]
        return actual in options, ""
    if op == "matches":
        return _matches(actual, expected)
    return False, f"unknown matcher {op!r}"


def apply_matchers(
    expression: str, actual: Any, matcher: Any, *, subject: str = "json"
) -> list[CheckResult]:
    """Check one value against a matcher mapping (or a bare scalar meaning ``equals``)."""
    spec = matcher if isinstance(matcher, Mapping) else {"equals": matcher}
    results = []
    for op, expected in spec.items():
        passed, note = _check_one(op, actual, expected)
        results.append(CheckResult(subject, expression, op, expected, actual, passed, note))
    return results


def check_status(expected: Any, status: int) -> CheckResult:
    passed = status_matches(expected, status)
    return CheckResult("status", "status", "equals", expected, status, passed)


def check_json(expectations: Mapping[str, Any], body: Any) -> list[CheckResult]:
    results: list[CheckResult] = []
    for expression, matcher in expectations.items():
        try:
            actual = compile_expression(expression).search(body)
        except JMESPathError as exc:
            message = str(exc).splitlines()[0]
            results.append(CheckResult("json", expression, "valid", True, None, False, message))
            continue
        results.extend(apply_matchers(expression, actual, matcher))
    return results


def check_headers(
    expectations: Mapping[str, Any], headers: Mapping[str, str]
) -> list[CheckResult]:
    lowered = {name.lower(): value for name, value in headers.items()}
    results: list[CheckResult] = []
    for name, matcher in expectations.items():
        actual = lowered.get(name.lower())
        results.extend(apply_matchers(name, actual, matcher, subject="header"))
    return results


def check_schema(schema: Mapping[str, Any], body: Any) -> list[CheckResult]:
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema)
    try:
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    except Exception as exc:  # a $ref that resolves nowhere or to itself, an unknown type, ...
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return [CheckResult("schema", "$", "schema", "valid", None, False,
                            f"the schema could not be applied: {reason}")]
    if not errors:
        return [CheckResult("schema", "$", "schema", "valid", "valid", True)]
    return [
        CheckResult(
            "schema",
            "$" + "".join(f"[{p!r}]" for p in error.absolute_path),
            "schema",
            error.validator,
            error.instance,
            False,
            error.message,
        )
        for error in errors[:20]
    ]


def milliseconds(value: Any) -> float | None:
    """A rendered ``max_ms`` as a positive number of milliseconds ("2000" counts), or None."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < float("inf") else None


def check_elapsed(max_ms: float, elapsed_ms: float) -> CheckResult:
    return CheckResult(
        "max_ms", "elapsed", "lte", max_ms, round(elapsed_ms, 1), elapsed_ms <= max_ms
    )

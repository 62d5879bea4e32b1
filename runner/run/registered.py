"""What ``register`` stores, shaped as Ansible's results are.

Every step registers a mapping, whatever happened to it: the action's own keys
(``status``, ``headers``, ``json``, ``text``, ``elapsed_ms``, ``url``,
``method`` for requests and queries) and Ansible's ``failed`` and ``changed``
(and ``msg`` when it failed, ``attempts`` when it was retried). A skipped step
registers ``{changed: false, skipped: true, skip_reason, false_condition}``; a
looped step ``{results: [...], changed, failed, skipped, msg}``, each entry
holding its item under the loop variable's name. Registered values are data:
templates read them and never render them again.

A template that asks a registered value for a key it lacks is told so in the
user's words (``'made' has no key 'id' (it has: status, ...)``), never with the
name of a Python class.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from runner.run.results import CheckResult

SKIP_REASON = "Conditional result was False"


class StepValue(Mapping[str, Any]):
    """A step's result as templates see it: the action's keys under Ansible's own."""

    __slots__ = ("_base", "_extra", "_label")

    def __init__(self, base: Mapping[str, Any], extra: Mapping[str, Any], label: str) -> None:
        self._base = base
        self._extra = dict(extra)
        self._label = label  # the name templates know it by, for messages

    def __getitem__(self, key: str) -> Any:
        if key in self._extra:
            return self._extra[key]
        return self._base[key]

    def __iter__(self) -> Iterator[str]:
        yield from dict.fromkeys([*self._base, *self._extra])

    def __len__(self) -> int:
        return len(dict.fromkeys([*self._base, *self._extra]))

    def __repr__(self) -> str:
        return json.dumps(plain(self), default=str)

    __str__ = __repr__

    def named(self, label: str) -> StepValue:
        """The same value, known to templates by another name."""
        return StepValue(self._base, self._extra, label)

    def _describe_missing(self, key: str) -> str:
        return f"{self._label!r} has no key {key!r} (it has: {', '.join(self)})"


def plain(value: Any, depth: int = 0) -> Any:
    """A value as plain JSON-ready data: mappings become dicts, sequences lists."""
    if depth > 64:
        return "…"
    if isinstance(value, Mapping):
        return {str(key): plain(value[key], depth + 1) for key in value}
    if isinstance(value, (list, tuple)):
        return [plain(item, depth + 1) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def as_text(value: Any) -> str:
    """A value as a person reads it: text as it is, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(plain(value), ensure_ascii=False, default=str)


def step_value(
    base: Mapping[str, Any], *, failed: bool, changed: bool, label: str, attempts: int = 1,
    msg: str | None = None, extra: Mapping[str, Any] | None = None,
) -> StepValue:
    """What a step that ran registers."""
    own: dict[str, Any] = {"failed": failed, "changed": changed, "skipped": False}
    if attempts > 1:
        own["attempts"] = attempts
    if msg is not None:
        own["msg"] = msg
    return StepValue(base, {**own, **(extra or {})}, label)


def error_value(message: str, label: str) -> StepValue:
    """What a step that could not run to its end registers (an error, no answer)."""
    return StepValue({}, {"failed": True, "changed": False, "msg": message}, label)


def skipped_value(condition: str | bool | None, reason: str = SKIP_REASON) -> dict[str, Any]:
    """What a skipped step registers (Ansible's shape)."""
    value: dict[str, Any] = {"changed": False, "failed": False, "skipped": True,
                             "skip_reason": reason}
    if condition is not None:
        value["false_condition"] = condition
    return value


def loop_value(results: list[Any]) -> dict[str, Any]:
    """What a looped step registers: every item's result, and the loop's verdict."""
    states = [_state(result) for result in results]
    failed = "failed" in states
    skipped = bool(results) and all(state == "skipped" for state in states)
    if not results:
        msg = "No items in the list"
    elif failed:
        msg = "One or more items failed"
    else:
        msg = "All items skipped" if skipped else "All items completed"
    changed = any(_get(result, "changed") for result in results)
    return {"results": results, "changed": changed, "failed": failed, "skipped": skipped or
            not results, "msg": msg}


VERDICTS = {(failed, changed, skipped): MappingProxyType(
    {"failed": failed, "changed": changed, "skipped": skipped})
    for failed in (False, True) for changed in (False, True) for skipped in (False, True)}


def verdict(value: Any) -> Mapping[str, bool]:
    """What ``loop_value`` reads of an item's result, and nothing else: one of eight shared
    mappings, for a loop whose whole results nothing can read."""
    return VERDICTS[bool(_get(value, "failed")), bool(_get(value, "changed")),
                    bool(_get(value, "skipped"))]


def _state(result: Any) -> str:
    if _get(result, "failed"):
        return "failed"
    return "skipped" if _get(result, "skipped") else "ok"


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, Mapping) else None


def failure_message(checks: Iterable[CheckResult], reason: str | None = None) -> str:
    """``msg`` of a failed result: its first failed check, as Ansible's modules say it."""
    for check in checks:
        if check.passed:
            continue
        if check.message and check.subject in ("assert", "failed_when", "until"):
            return check.message
        if check.subject == "status":
            said = f": {check.message}" if check.message else ""
            return f"Status code was {check.actual} and not {check.expected}{said}"
        if check.subject in ("assert", "failed_when"):
            return f"{check.subject}: {check.expression} was {as_text(check.actual)}"
        return (f"{check.subject} {check.expression}: {check.matcher} "
                f"{as_text(check.expected)}, got {as_text(check.actual)}")
    return reason or "failed"


def with_item(value: Any, loop_var: str, item: Any, index_var: str | None,
              index: int) -> Any:
    """A loop item's result as ``results[]`` holds it: with its item (and index)."""
    own: dict[str, Any] = {loop_var: item, "ansible_loop_var": loop_var}
    if index_var:
        own.update({index_var: index, "ansible_index_var": index_var})
    if isinstance(value, StepValue):
        return StepValue(value._base, {**value._extra, **own}, f"{value._label}.results[{index}]")
    return {**value, **own}

"""The actions that send nothing: ``assert``, ``debug`` and ``set_fact``, as Ansible has them.

A failed assert keeps, for each false condition, the value of every variable
path the condition reads (``limits.json.DailyApiRequests.Remaining = 12``), so
the report shows why it was false without a second run. Conditions are checked
in order; one that cannot be evaluated after a false one is not reported (as
Ansible stops at the first false one, a guard such as ``x is defined`` keeps
working), while every false one is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runner.playbook.references import value_paths
from runner.playbook.step_parts import AssertSpec, DebugSpec
from runner.playbook.templating import TemplateRenderError, evaluate, render
from runner.run.actions import ActionResult
from runner.run.registered import as_text
from runner.run.results import CheckResult

VALUE_CHARS = 200
NOT_DEFINED = "VARIABLE IS NOT DEFINED!"


def perform_assert(spec: AssertSpec, context: Mapping[str, Any]) -> ActionResult:
    """Every condition of ``that``; the result registers Ansible's keys."""
    checks: list[CheckResult] = []
    for expression in spec.that:
        try:
            value = evaluate(expression, context)
        except TemplateRenderError:
            if any(not check.passed for check in checks):
                break  # the conditions after a false one are not needed
            raise
        passed = bool(value)
        values = () if passed else values_read(expression, context)
        checks.append(CheckResult("assert", expression, "true", True, value, passed,
                                  values=values))
    failed = [check for check in checks if not check.passed]
    registered: dict[str, Any] = {"failed": bool(failed), "changed": False,
                                  "passed": not failed}
    message = None
    if failed:
        said = _text(spec.fail_msg, context) if spec.fail_msg is not None else None
        if said is not None:
            checks[checks.index(failed[0])] = _with_message(failed[0], said)
        registered.update(msg=said or "Assertion failed", assertion=failed[0].expression,
                          evaluated_to=False,
                          failed_assertions=[check.expression for check in failed])
    else:
        said = _text(spec.success_msg, context) if spec.success_msg is not None else None
        registered["msg"] = said or "All assertions passed"
        message = None if spec.quiet else said
    return ActionResult(registered=registered, checks=checks, message=message)


def values_read(expression: str, context: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """``(path, value as text)`` for each variable path the expression reads."""
    found = []
    for path in value_paths(expression):
        try:
            value = evaluate(path, context)
        except TemplateRenderError:
            found.append((path, "undefined"))
            continue
        if callable(value):  # a Jinja2 global such as range: not a value
            continue
        text = as_text(value) if not isinstance(value, str) else repr(value)
        found.append((path, text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"))
    return tuple(found)


def _with_message(check: CheckResult, message: str) -> CheckResult:
    return CheckResult(check.subject, check.expression, check.matcher, check.expected,
                       check.actual, check.passed, message, check.values)


def _text(template: Any, context: Mapping[str, Any]) -> str:
    return as_text(render(template, context))


def perform_debug(spec: DebugSpec, context: Mapping[str, Any]) -> ActionResult:
    """The message, or ``VAR = value``; an undefined ``var`` says so and does not fail."""
    if spec.var is None:
        value = render(spec.msg, context)
        return ActionResult(registered={"failed": False, "changed": False, "msg": value},
                            message=as_text(value))
    try:
        value = evaluate(spec.var, context)
    except TemplateRenderError as exc:
        if not exc.message.startswith("undefined variable"):
            raise
        value = NOT_DEFINED
    return ActionResult(registered={"failed": False, "changed": False, spec.var: value},
                        message=f"{spec.var} = {as_text(value)}")


def perform_set_fact(facts: Mapping[str, Any], context: Mapping[str, Any]) -> ActionResult:
    """The variables rendered now; the lane keeps them for the org's later steps."""
    rendered = {name: render(value, context) for name, value in facts.items()}
    return ActionResult(registered={"failed": False, "changed": False,
                                    "ansible_facts": rendered}, facts=rendered)

"""assert, debug and set_fact: what they register and say, with no network."""

from __future__ import annotations

import pytest

from runner.playbook.step_parts import AssertSpec, DebugSpec
from runner.playbook.templating import TemplateRenderError
from runner.run import local_actions


def test_an_assert_reports_every_false_condition_with_the_values_it_read() -> None:
    done = local_actions.perform_assert(
        AssertSpec(("total >= 2", "name == 'x'", "limits.left > limits.max * share")),
        {"total": 3, "name": "y", "limits": {"left": 12, "max": 15000}, "share": 0.1})
    assert [(c.expression, c.actual, c.passed) for c in done.checks] == [
        ("total >= 2", True, True), ("name == 'x'", False, False),
        ("limits.left > limits.max * share", False, False)]
    assert done.checks[1].values == (("name", "'y'"),)
    assert done.checks[2].values == (("limits.left", "12"), ("limits.max", "15000"),
                                     ("share", "0.1"))
    assert done.registered == {
        "failed": True, "changed": False, "passed": False, "msg": "Assertion failed",
        "assertion": "name == 'x'", "evaluated_to": False,
        "failed_assertions": ["name == 'x'", "limits.left > limits.max * share"]}


def test_fail_msg_and_success_msg_are_rendered() -> None:
    spec = AssertSpec(("n > 100",), fail_msg="n too small: {{ n }}", success_msg="n is {{ n }}")
    failed = local_actions.perform_assert(spec, {"n": 5})
    assert failed.registered["msg"] == "n too small: 5"
    assert failed.checks[0].message == "n too small: 5" and failed.message is None
    passed = local_actions.perform_assert(spec, {"n": 500})
    assert passed.registered["msg"] == passed.message == "n is 500"


def test_a_condition_that_cannot_be_read_after_a_false_one_is_not_needed() -> None:
    """Ansible stops at the first false condition: ``x is defined`` guards what follows."""
    done = local_actions.perform_assert(AssertSpec(("x is defined", "x.y > 1")), {})
    assert [c.passed for c in done.checks] == [False]
    with pytest.raises(TemplateRenderError):
        local_actions.perform_assert(AssertSpec(("x.y > 1",)), {})


def test_debug_shows_a_message_or_a_variable_and_an_undefined_one_without_failing() -> None:
    said = local_actions.perform_debug(DebugSpec(msg="made {{ n }}"), {"n": 3})
    assert said.message == "made 3" and said.registered["msg"] == "made 3"
    shown = local_actions.perform_debug(DebugSpec(var="r.json"), {"r": {"json": {"a": [1]}}})
    assert shown.message == 'r.json = {"a": [1]}'
    missing = local_actions.perform_debug(DebugSpec(var="nothing.here"), {})
    assert missing.message == "nothing.here = VARIABLE IS NOT DEFINED!"
    assert missing.passed


def test_set_fact_renders_now() -> None:
    done = local_actions.perform_set_fact({"id": "{{ made.id }}", "n": "{{ 1 + 2 }}"},
                                          {"made": {"id": "001x"}})
    assert done.facts == {"id": "001x", "n": 3}

"""What a step or block inherits: every field of ``Inherited`` passes down to what it holds."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from runner.playbook.loader import load_text
from runner.playbook.origins import Defined, Origin
from runner.playbook.step_parts import (
    NO_LOOP_CONTROL,
    LoopControl,
    expect_spec,
    loop_control,
    request_spec,
)
from runner.playbook.steps import Condition, Inherited, own_of


def test_every_inherited_field_passes_down_to_a_step_that_adds_nothing() -> None:
    document = load_text("steps:\n  - debug: {msg: hi}\n", "pb.yml")
    origin = Origin(Path("."))
    outer = Inherited(conditions=(Condition("a", ("when",), document),), tags=("t",),
                      vars={"x": Defined(1, origin)}, ignore_errors=True,
                      any_errors_fatal=True, orgs=("o",), section="rescue", rescue_scope=True)
    assert {field.name for field in fields(Inherited)} == {
        "conditions", "tags", "vars", "ignore_errors", "any_errors_fatal", "orgs", "section",
        "rescue_scope"}, "a new field: pass it down in own_of"
    assert own_of({"debug": {"msg": "hi"}}, ("steps", 0), document, outer) == outer
    own = own_of({"when": "b", "tags": ["t", "u"], "ignore_errors": False}, ("steps", 0),
                 document, outer)
    assert [condition.test for condition in own.conditions] == ["a", "b"]
    assert (own.tags, own.ignore_errors, own.section, own.rescue_scope) == \
        (("t", "u"), False, "rescue", True)


def test_a_step_without_loop_control_has_the_default_one() -> None:
    assert loop_control({}) == NO_LOOP_CONTROL == LoopControl()
    assert loop_control({"loop_var": "row"}).loop_var == "row"


@pytest.mark.parametrize("raw, as_written", [
    ({"method": "GET", "path": "/services/data"}, True),
    ({"method": "GET", "path": "/sobjects/Account/{{ id }}"}, False),
    ({"method": "POST", "path": "/x", "json": {"Name": "{{ base }}-x"}}, False),
    ({"method": "POST", "path": "/x", "json": {"{{ field }}": 1}}, False),
    ({"method": "GET", "path": "/x", "headers": {"X-Trace": "{% if a %}1{% endif %}"}}, False),
    ({"method": "POST", "path": "/x", "body": "plain text"}, True),
])
def test_a_request_is_sent_as_written_only_when_nothing_in_it_is_a_template(
    raw: dict[str, object], as_written: bool
) -> None:
    assert request_spec(raw).as_written is as_written


@pytest.mark.parametrize("raw, as_written", [
    ({"status": 200, "json": {"Name": "Acme"}}, True),
    ({"status": "{{ expected }}"}, False),
    ({"json": {"Name": "{{ base }}-x"}}, False),
    ({"status": 200, "max_ms": 500}, False),  # max_ms is checked when the step runs
])
def test_expectations_are_used_as_written_only_when_nothing_in_them_is_a_template(
    raw: dict[str, object], as_written: bool
) -> None:
    assert expect_spec(raw).as_written is as_written

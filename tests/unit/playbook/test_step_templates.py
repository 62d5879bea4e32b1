"""Where a step's templates are: a field that holds one text is read as the walk of nested
values reads it, for every field a step may have and for generated steps."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from runner.playbook.document import JsonPath
from runner.playbook.step_templates import (
    EXPRESSION_FIELDS,
    NAME_FIELDS,
    names_read,
    step_templates,
    strings,
)


def _walked(step: Mapping[str, Any], base: JsonPath) -> Iterator[tuple[JsonPath, str, bool]]:
    """Every field walked as nested values, a text field too."""
    for field, value in step.items():
        path = (*base, field)
        if field in NAME_FIELDS:
            continue
        if field in EXPRESSION_FIELDS:
            yield from ((where, text, True) for where, text in strings(value, path))
        elif field == "assert":
            if isinstance(value, Mapping):
                for key, item in value.items():
                    yield from ((where, text, key == "that")
                                for where, text in strings(item, (*path, key)))
            else:
                yield from ((where, text, True) for where, text in strings(value, path))
        elif field == "debug" and isinstance(value, Mapping):
            for key, item in value.items():
                yield from ((where, text, key == "var")
                            for where, text in strings(item, (*path, key)))
        elif field == "loop_control" and isinstance(value, Mapping):
            yield from ((where, text, False)
                        for where, text in strings(value.get("label"), (*path, "label")))
        else:
            yield from ((where, text, False) for where, text in strings(value, path))


FIELDS = st.sampled_from(["name", "when", "until", "failed_when", "changed_when", "assert",
                          "debug", "loop_control", "query", "request", "loop", "register",
                          "vars", "save", "tags"])
TEXTS = st.sampled_from(["{{ a }}", "b > 1", "plain", "{{ c.d }} and {{ e }}"])
VALUES = st.recursive(TEXTS | st.integers(0, 3) | st.booleans(), lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(["that", "msg", "var", "label", "path", "x"]), inner,
                    max_size=3)), max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(step=st.dictionaries(FIELDS, VALUES, max_size=6))
def test_a_text_field_is_read_as_the_walk_reads_it(step: dict[str, Any]) -> None:
    base = ("steps", 3)
    assert list(step_templates(step, base)) == list(_walked(step, base))


def test_every_kind_of_field() -> None:
    step = {"name": "{{ n }}", "when": "a > 1", "assert": "b", "debug": "{{ c }}",
            "loop_control": "x", "query": "SELECT {{ d }}", "until": ["e", "f"],
            "request": {"path": "/{{ g }}"}, "register": "r"}
    assert list(step_templates(step, ())) == list(_walked(step, ()))
    assert names_read(step, ()) == {"a", "b", "c", "d", "e", "f", "g"}

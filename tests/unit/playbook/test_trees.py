"""A text of plain text and ``{{ }}`` expressions, put together from its expressions' trees,
is the tree Jinja2 makes of the whole text: for every template of the repository, tricky
ones and generated ones."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import TemplateSyntaxError, nodes

from runner.playbook.templating import ENVIRONMENT
from runner.playbook.trees import parsed, undeclared
from tests.unit.playbook.test_undeclared import EXPRESSIONS, _templates

EDGES = [
    "a\r\nb {{ x }}\r\n", "{{ x }}{{ y }}", "{{}}", "{{ x", "x }}", "{{ x }} {{", "{{ '}}' }}",
    "{{- x -}}", "{{ x +}}", "{{ {'a': 1} }}", "{{\n  a\n  | upper\n}}", "{{ x }}\n",
    "{{ 9 ** 9 }}", "{{ a. }}", "{{ 1 + }}", "  {{ a }}  {{ b }}  ", "{{ '}}{{' }}",
    "{{ \"it's\" }}", "{{ 'a\\'b' }}", "{{ '}}' ~ x }}{{ y }}", "}} {{ x }} {{",
    "{{ (1).a }} {{ x }}", "a {{ x | nosuch }} {{ y }}",
]


def _same_as_jinja(source: str) -> None:
    try:
        expected = ENVIRONMENT.parse(source)
    except TemplateSyntaxError as exc:  # the same refusal, in the same words
        assert parsed(source) == f"template syntax error: {exc.message}", source
        return
    assert parsed(source) == expected, source
    # and reads the same, twice: Jinja2's own analysis compiles some trees, folding them
    names = undeclared(ENVIRONMENT.parse(source))
    tree = parsed(source)
    assert isinstance(tree, nodes.Template)
    assert undeclared(tree) == names == undeclared(tree), source
    assert parsed(source) == expected, source


def test_the_repository_s_templates_and_the_edges() -> None:
    for source in [*_templates(), *EDGES]:
        _same_as_jinja(source)


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.one_of(
    EXPRESSIONS.map(lambda e: "{{ " + e + " }}"),
    st.sampled_from(["text ", "-", "\n", "\r\n", "{", "}", "}}", "'", '"']),
), max_size=5))
def test_generated_texts(parts: list[str]) -> None:
    _same_as_jinja("".join(parts))

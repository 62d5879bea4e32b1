"""The names a template reads, found without compiling it, are the ones Jinja2's own analysis
finds, for every template of the repository and for generated ones."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import TemplateAssertionError, TemplateError, meta

from runner.playbook.summaries import syntax_error
from runner.playbook.templating import ENVIRONMENT
from runner.playbook.trees import parsed, undeclared

REPO = Path(__file__).resolve().parents[3]
TRICKY = [
    "{{ self }}", "{{ loop.index }}", "{{ super() }}", "{{ caller }}", "{{ range(3) | list }}",
    "{{ lipsum(1) }}", "{{ namespace(a=1).a }}", "{{ a.b[c] ~ d(e=f) if g else h }}",
    "{{ x is defined and y is not none }}", "{{ [a, {'k': b}, (c,)] }}", "{{ '{{ q }}' }}",
    "{% for i in items %}{{ i }}{{ j }}{% endfor %}", "{% set k = v %}{{ k }}{{ w }}",
    "{% if a %}{{ b }}{% else %}{{ c }}{% endif %}", "{% raw %}{{ z }}{% endraw %}{{ y }}",
    "{% macro m(p) %}{{ p }}{{ q }}{% endmacro %}{{ m(r) }}", "text only", "{# c #}{{ n }}",
    "{{ query('file', name) | first }}", "{{ x | nosuch }}", "{{ x is nosuch }}",
    "{{ (1).a if x else y }}", "{{ 'abc'.upper() ~ z }}", "{{ lookup('env', 'HOME') }}",
    "{{ x.y }}{{ x }}",
]


def _templates() -> list[str]:
    found = set(TRICKY)
    for path in (REPO / "playbooks").rglob("*.yml"):
        found |= set(re.findall(r"[^\n\"']*\{[{%][^\n\"']*", path.read_text(encoding="utf-8")))
    return sorted(found)


def _agree(source: str) -> None:
    """The same names, or the same error: a template Jinja2 cannot compile fails alike."""
    if isinstance(parsed(source), str):
        return
    fresh = ENVIRONMENT.parse(source)  # Jinja2's analysis folds constants in the tree it reads
    try:
        expected = meta.find_undeclared_variables(ENVIRONMENT.parse(source))
    except TemplateError as exc:  # a template Jinja2 refuses to compile reads nothing; an
        assert undeclared(fresh) == frozenset(), source  # unknown name is the syntax check's
        if isinstance(exc, TemplateAssertionError):  # (its folding may fail before it)
            assert syntax_error(source) is not None, source
        return
    assert undeclared(fresh) == expected, source


def test_every_template_of_the_recipes_and_the_tricky_ones() -> None:
    templates = _templates()
    assert len(templates) > 40
    for source in templates:
        _agree(source)


NAMES = st.sampled_from(["a", "b", "self", "loop", "range", "lipsum", "env", "vars", "item"])
ATOMS = NAMES | st.sampled_from(["1", "'s'", "none", "true", "[1, 2]"])
EXPRESSIONS = st.recursive(ATOMS, lambda inner: st.one_of(
    st.tuples(inner, st.sampled_from([" + ", " ~ ", " and ", " == ", " in "]), inner)
    .map("".join),
    st.tuples(inner, NAMES).map(lambda pair: f"{pair[0]}.{pair[1]}"),
    st.tuples(inner, inner).map(lambda pair: f"{pair[0]}[{pair[1]}]"),
    st.tuples(inner, st.sampled_from(["upper", "default(x)", "map(attribute='n')"]))
    .map(lambda pair: f"({pair[0]}) | {pair[1]}"),
    st.tuples(NAMES, inner).map(lambda pair: f"{pair[0]}({pair[1]}, k={pair[1]})"),
    st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} if {t[1]} else {t[2]}"),
), max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.one_of(EXPRESSIONS.map(lambda e: "{{ " + e + " }}"),
                                st.sampled_from(["text ", "-", "\n"])), max_size=4))
def test_generated_templates(parts: list[str]) -> None:
    _agree("".join(parts))


def test_the_globals_are_the_environment_s() -> None:
    assert {"range", "lipsum", "namespace"} <= set(ENVIRONMENT.globals)

"""What the checks read of a template, put together from its expressions' answers (and
shared between expressions that differ only in whole numbers), is what Jinja2's parse of
the whole text says: the same syntax error in the same words, the same first unknown
filter or test, the same names and keys; for the repository's templates, tricky ones,
number-bearing ones and generated ones."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import TemplateSyntaxError, nodes

from runner.playbook.references import references
from runner.playbook.suggest import did_you_mean
from runner.playbook.summaries import number_shape, summary, syntax_error
from runner.playbook.templating import ENVIRONMENT
from runner.playbook.trees import undeclared
from tests.unit.playbook.test_trees import EDGES
from tests.unit.playbook.test_undeclared import EXPRESSIONS, _templates

NUMBERED = [
    "{{ 1 + 17 % 5 }}", "{{ 1 + 18 % 5 }}", "{{ 1 + 0 % 5 }}", "{{ x[17] }}", "{{ x[3] }}",
    "{{ vars[17] }}", "{{ vars[2] }}", "{{ x.17 }}", "{{ x.2 }}", "{{ 007 }}", "{{ 0 }}",
    "{{ 1_000 }}", "{{ 0x1f }}", "{{ 0b101 }}", "{{ 1.5 }}", "{{ 2.5 }}", "{{ 1e5 }}",
    "{{ 15 | int }}", "{{ 16 | nosuch }}", "{{ '17' ~ 18 }}", "{{ '18' ~ 19 }}",
    "{{ \"a'1\" ~ 2 }}", "{{ 1 2 }}", "{{ 2 3 }}", "{{ 99999999999999999999 }}",
    "{{ 9" + "9" * 5000 + " }}", "{{ 8 }}{{ 1 + 2 }}", "{{ x if 1 else 2 }}",
    "{{ x if 3 else 4 }}", "{{ range(5) }}", "{{ 5.a }}", "{{ (5).a }}", "{{ (6).a }}",
    "{{ lookup('file', 1) }}", "{{ 'a' 1 }}", "{{ 'a' 2 }}", "{{ x[1:2] }}", "{{ -1 }}",
    "{{ a +1 }}", "{{ a+2 }}", "{{ a\n+ 3 }}", "{{ a\n+ 4 }}", "{{ x1 }}", "{{ x2 }}",
    "{{ 1x }}", "{{ 2x }}", "{{ 1 is divisibleby 3 }}", "{{ 2 is divisibleby 4 }}",
    "{{ 'é' ~ 1 }}", "{{ 'é' ~ 2 }}", "{{ vars['a'] ~ 1 }}", "{{ vars['b'] ~ 1 }}",
    "{{ vars['17'] }}", "{{ vars['18'] }}", "{{ env[\"1\"] ~ 1 }}", "{{ env[\"2\"] ~ 1 }}",
]


def _slow(source: str, *, expression: bool = False) -> tuple[str | None, frozenset[str],
                                                              frozenset[tuple[str, str]]]:
    """(problem, names, keys) from Jinja2's parse of the whole text, walked here."""
    text = "{{ " + source + " }}" if expression else source
    if not expression and "{{" not in text and "{%" not in text and "{#" not in text:
        return None, frozenset(), frozenset()
    try:
        tree = ENVIRONMENT.parse(text)
    except TemplateSyntaxError as exc:
        return f"template syntax error: {exc.message}", frozenset(), frozenset()
    except ValueError as exc:
        return f"template syntax error: {str(exc).split(':')[0].lower()}", frozenset(), \
            frozenset()
    problem = None
    for node in tree.find_all((nodes.Filter, nodes.Test)):
        kind, known = (("filter", ENVIRONMENT.filters) if isinstance(node, nodes.Filter)
                       else ("test", ENVIRONMENT.tests))
        if node.name not in known:
            problem = f"template error: no {kind} named {node.name!r}" \
                f"{did_you_mean(node.name, known)}"
            break
    keys = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        target = node.node
        if isinstance(target, nodes.Name) and target.name in ("vars", "env", "org"):
            if isinstance(node, nodes.Getattr):
                keys.add((target.name, node.attr))
            elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                keys.add((target.name, node.arg.value))
    return problem, undeclared(tree), frozenset(keys)


def _same_as_slow(source: str, *, expression: bool = False) -> None:
    problem, names, keys = _slow(source, expression=expression)
    assert syntax_error(source, expression=expression) == problem, source
    found = references(source, expression=expression)
    assert (found.names, found.keys) == (names, keys), source


def test_the_repository_s_templates_the_edges_and_the_numbers() -> None:
    for source in [*_templates(), *EDGES, *NUMBERED, *NUMBERED]:
        _same_as_slow(source)
        if source.startswith("{{ ") and source.endswith(" }}") and source.count("{{") == 1:
            _same_as_slow(source[3:-3], expression=True)


def test_a_text_s_answers_are_its_expressions_in_order() -> None:
    text = "a {{ x | nosuch }} b {{ y is nosuch }} {{ vars.who }} {{ env['HOME'] }}"
    found = summary(text)
    assert found.problem == syntax_error("{{ x | nosuch }}")
    assert found.keys == {("vars", "who"), ("env", "HOME")}
    assert summary("{{ x | nosuch }} {{ 1 + }}").problem == syntax_error("{{ 1 + }}")


def test_numbers_share_a_shape_and_strings_names_and_dots_do_not() -> None:
    assert number_shape(" 1 + 17 % 5 ") == number_shape(" 1 + 18 % 5 ") == " 0 + 0 % 0 "
    assert number_shape(" x[17] ") == " x[0] "
    for unlike in [" '17' ", ' "a 1" ', " x17 ", " x.17 ", " 1.5 ", " 1e5 ", " 1_0 ",
                   " 017 ", " 0x1f ", " 1" + "0" * 18 + " "]:
        assert number_shape(unlike) == unlike, unlike
    assert number_shape(" 'é' ~ 1 ") is None
    assert number_shape(" a\\b ") is None


NUMBERS = st.one_of(st.integers(0, 10**20).map(str),
                    st.sampled_from(["00", "07", "1_0", "0x1f", "1.5", "1e3", "-3"]))


@settings(max_examples=300, deadline=None)
@given(expression=EXPRESSIONS, fills=st.lists(NUMBERS, min_size=2, max_size=2),
       glue=st.sampled_from([" + ", "[", ".", " ", "", " if x else ", "|int + ", "'",
                             " ~ vars['"]))
def test_generated_expressions_with_numbers(expression: str, fills: list[str],
                                            glue: str) -> None:
    for fill in fills:  # the second may be answered from the first's shape
        close = {"[": " ]", " ~ vars['": "']"}.get(glue, "")
        source = "{{ " + expression + glue + fill + close + " }}"
        _same_as_slow(source)
        _same_as_slow(f"n {fill} {source} {{{{ {fill} }}}}")


def test_many_distinct_numbers_parse_once_per_shape() -> None:
    texts = [f"step {n} {{{{ 1 + {n} % 5 }}}} {{{{ prefix }}}}" for n in range(50)]
    for text in itertools.chain(texts, reversed(texts)):
        _same_as_slow(text)

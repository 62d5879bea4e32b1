"""Templates are held to their limits: sizes checked before and after, time at every turn."""

import pytest

from runner.playbook import limits
from runner.playbook.templating import ENVIRONMENT, TemplateRenderError, evaluate, render_string


@pytest.mark.parametrize(("template", "words"), [
    ("{{ 9 ** (9 ** 9) }}", "9 ** 387,420,489 would have more than 1,000 digits"),
    ("{{ (10 ** 600) * (10 ** 600) }}", "a number of more than 1,000 digits"),
    ("{{ [0] * 10 ** 7 }}", "more than 1,000,000 items"),
    ("{{ 3 * 'abcd' * 10 ** 6 }}", "a text of more than 10,000,000 characters"),
    ("{{ '%*d' % (10 ** 9, 1) }}", "a width of 1,000,000,000"),
    ("{{ '{:{w}}'.format(1, w=10 ** 9) }}", "a width of 1,000,000,000"),
    ("{{ 'x'.zfill(10 ** 9) }}", "a width of 1,000,000,000"),
    ("{{ ('a' * 1000).replace('a', 'b' * 100000) }}", "a text of more than 10,000,000"),
    ("{{ ('a\t' * 10000).expandtabs(10000) }}", "a text of more than 10,000,000"),
    ("{{ ('a' * 10 ** 6).translate({97: 'bbbbbbbbbbbbbbbbbbbb'}) }}", "a text of more than"),
    ("{{ (['x' * 10 ** 6] * 11) | join }}", "a text of more than 10,000,000"),
    ("{{ '-'.join(['x' * 10 ** 6] * 11) }}", "a text of more than 10,000,000"),
    ("{{ ('a' * 10 ** 7) | wordwrap(1) }}", "more than 1,000,000 items"),
    ("{{ [1] | batch(10 ** 9, 0) | list }}", "a width of 1,000,000,000"),
    ("{{ '%s' | format('x') | indent(10 ** 7) }}", "a text of more than 10,000,000"),
    ("{{ lipsum(5, max=10 ** 6) }}", "lipsum: at most 100 paragraphs"),
    ("{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n - 1) }}{% endif %}{% endmacro %}{{ d('a', 40) }}",
     "a text of more than 10,000,000"),
    ("{% for i in range(11) %}{{ 'x' * 10 ** 6 }}{% endfor %}", "a text of more than"),
])
def test_what_would_be_too_large_is_refused_before_it_is_made(template: str, words: str) -> None:
    with pytest.raises(TemplateRenderError, match="template limit") as caught:
        render_string(template, {})
    assert words in caught.value.message


def test_everything_made_counts_towards_one_allowance(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_MADE", 1000)
    assert render_string("{{ ('x' * 400) | length }}", {}) == 400
    with pytest.raises(TemplateRenderError, match="made more than 1,000 characters"):
        render_string("{% for i in range(10) %}{{ ('x' * 200) | length }}{% endfor %}", {})


@pytest.mark.parametrize("template", [
    "{% for i in range(10 ** 5) %}{% for j in range(10 ** 5) %}{% endfor %}{% endfor %}",
    "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}",
    "{{ range(10 ** 5) | map('string') | map('upper') | map('lower') | select | list"
    " | map('length') | sum + (range(10 ** 5) | list | length) * 0 }}"
    "{% for i in range(10 ** 5) %}{% for x in range(10 ** 5) | select %}{% endfor %}{% endfor %}",
])
def test_time_is_checked_at_every_turn(template: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "SECONDS", 0.1)
    with pytest.raises(TemplateRenderError, match=r"took more than 0\.1 s"):
        render_string(template, {})


def test_nothing_is_computed_while_compiling() -> None:
    """Jinja2 folds constants while compiling; the operators are kept for run time."""
    code = ENVIRONMENT.compile("{{ 9 ** (9 ** 9) }}{{ 'x' | center(10 ** 9) }}", raw=True)
    assert "environment.call_binop(context, '**', 9, 9)" in code
    assert "387420489" not in code


def test_ordinary_templates_keep_their_values() -> None:
    assert render_string("{{ 2 ** 10 }}", {}) == 1024
    assert render_string("{{ -(7 // 2) }} {{ 7 % 3 }} {{ 1 / 4 }} {{ 'ab' * 2 }}", {}) == \
        "-3 1 0.25 abab"
    assert evaluate("[1, 2] * 2 + [3]", {}) == [1, 2, 1, 2, 3]
    assert render_string("{% for x in 'abc' %}{{ loop.index }}/{{ loop.length }} {% endfor %}",
                         {}) == "1/3 2/3 3/3 "
    assert render_string("{% set ns = namespace(n=0) %}{% for i in range(4) %}"
                         "{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}", {}) == "6"
    assert render_string("{{ '%05d|%-3s|' % (42, 'a') }}{{ '{:>4}'.format(7) }}", {}) == \
        "00042|a  |   7"


def test_filters_registered_later_are_held_too() -> None:
    ENVIRONMENT.filters["test_repeat"] = lambda value, times: value * times
    try:
        with pytest.raises(TemplateRenderError, match="a text of more than"):
            render_string("{{ 'ab' | test_repeat(10 ** 7) }}", {})
    finally:
        del ENVIRONMENT.filters["test_repeat"]

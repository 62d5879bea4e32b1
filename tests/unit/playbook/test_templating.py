import pytest

from runner.playbook.references import references
from runner.playbook.summaries import syntax_error
from runner.playbook.templating import (
    TemplateRenderError,
    evaluate,
    has_template,
    render,
    render_string,
)


def undeclared_names(source: str, *, expression: bool = False) -> set[str]:
    return set(references(source, expression=expression).names)


@pytest.mark.parametrize("value", [
    "/services/data/v60.0/limits", None, 200, {}, {"Accept": "application/json"},
    {"q": ["a", {"b": 1}]}, "^\\d{3}$",
])
def test_a_value_without_templates_renders_equal_to_itself(value):
    assert not has_template(value)
    assert render(value, {"x": 1}) == value


@pytest.mark.parametrize("value", [
    "/sobjects/{{ name }}", {"{{ key }}": 1}, {"a": ["{% if x %}y{% endif %}"]},
    ["{# note #}"], (200, 201),
])
def test_a_template_anywhere_or_a_tuple_needs_rendering(value):
    assert has_template(value)


def test_plain_strings_are_left_alone():
    assert render_string("/services/data/", {}) == "/services/data/"


def test_a_lone_expression_keeps_its_type():
    assert render_string("{{ n }}", {"n": 5}) == 5
    assert render_string("{{ items }}", {"items": [1, 2]}) == [1, 2]


def test_mixed_text_renders_to_a_string():
    assert render_string("/v{{ n }}.0", {"n": 60}) == "/v60.0"


def test_nested_structures_render_every_string():
    context = {"api": "v60.0", "id": "001"}
    value = {"path": "/{{ api }}/x", "params": {"id": "{{ id }}"}, "list": ["{{ api }}", 3]}
    assert render(value, context) == {
        "path": "/v60.0/x",
        "params": {"id": "001"},
        "list": ["v60.0", 3],
    }


def test_undefined_variable_names_the_variable():
    with pytest.raises(TemplateRenderError, match="'found' is undefined"):
        render_string("/x/{{ found.json.Id }}", {})


def test_undefined_attribute_is_an_error_too():
    with pytest.raises(TemplateRenderError, match="undefined"):
        render_string("{{ found.missing }}", {"found": {}})


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ x.__dict__ }}",
    ],
)
def test_sandbox_refuses_escapes(template):
    class Thing:
        pass

    with pytest.raises(TemplateRenderError) as caught:
        render_string(template, {"x": Thing(), "cycler": object()})
    assert "sandbox" in caught.value.message or "undefined" in caught.value.message


def test_sandbox_is_immutable():
    with pytest.raises(TemplateRenderError, match="sandbox"):
        render_string("{{ items.append(3) }}", {"items": [1]})


def test_evaluate_returns_native_values():
    assert evaluate("found.status == 200", {"found": {"status": 200}}) is True


def test_syntax_errors_are_reported_not_raised():
    assert "syntax" in syntax_error("{{ broken(")
    assert syntax_error("{{ fine }}") is None
    assert "syntax" in syntax_error("a ==", expression=True)


def test_unknown_filters_and_tests_are_syntax_errors_not_crashes():
    assert syntax_error("{{ x | tojsn }}") == \
        "template error: no filter named 'tojsn'; did you mean 'tojson'?"
    assert syntax_error("x is definedd", expression=True) == \
        "template error: no test named 'definedd'; did you mean 'defined'?"
    assert syntax_error("{% for i in x %}{{ i | nosuch }}{% endfor %}") is not None
    assert undeclared_names("{% for i in x %}{{ i | nosuch }}{% endfor %}") == set()


def test_undeclared_names_lists_top_level_names():
    assert undeclared_names("{{ a.b }}/{{ c[0] }}") == {"a", "c"}
    assert undeclared_names("x > y", expression=True) == {"x", "y"}
    assert undeclared_names("no templates") == set()

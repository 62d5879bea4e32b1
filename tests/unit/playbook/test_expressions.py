"""Expressions and schemas are checked as written, before a run."""

from runner.playbook import expressions


def test_invalid_expression_is_described():
    assert "invalid JMESPath" in expressions.expression_error("records[")
    assert expressions.expression_error("records[0]") is None


def test_invalid_schema_names_where():
    found = expressions.schema_error({"type": "objekt"})
    assert found is not None
    assert "not a valid JSON Schema" in found[1]
    assert expressions.schema_error({"type": "object"}) is None

"""The JMESPath expressions and JSON Schemas a playbook's ``expect:`` holds, as written.

Compiled once and shared: the checks before a run say which one is invalid and
where, and the checks during a run evaluate the same compiled expression.
jsonschema is imported when a schema is checked: a syntax check of a playbook
without ``expect.schema`` does without it (``runner.playbook.validation``).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import jmespath
from jmespath.exceptions import JMESPathError


@lru_cache(maxsize=2048)
def compile_expression(expression: str) -> Any:
    """Compile a JMESPath expression once; raises JMESPathError when invalid."""
    return jmespath.compile(expression)


def expression_error(expression: str) -> str | None:
    """Why a JMESPath expression does not compile, or None."""
    try:
        compile_expression(expression)
    except JMESPathError as exc:
        return f"invalid JMESPath expression {expression!r}: {str(exc).splitlines()[0]}"
    except RecursionError:
        return "invalid JMESPath expression: nested too deeply"
    return None


def schema_error(schema: Mapping[str, Any]) -> tuple[tuple[str | int, ...], str] | None:
    """(where, what) when ``expect.schema`` is not a valid JSON Schema, for checks before a run."""
    jsonschema = importlib.import_module("jsonschema")  # only a playbook with a schema needs it
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.exceptions.SchemaError as exc:
        return tuple(exc.absolute_path), f"expect.schema is not a valid JSON Schema: {exc.message}"
    return None

"""Validate loaded documents against the JSON Schemas in ``schemas/``, with jsonschema.

``runner.playbook.validation`` passes valid documents first, without this module;
a document it finds at fault comes here for its message.

jsonschema reports every failure of every ``oneOf`` branch; users need one
message, on the key at fault, saying what was expected. So errors are ranked
here: the first problem in the file wins, then the deepest error under it;
inside ``oneOf``/``anyOf`` the branch that fits the value best is followed.
A schema may carry two keywords of its own that validators ignore:
``x-expected`` (a phrase describing valid values, used when a value fits no
branch) and ``x-because`` (why a conditional ``then`` applies).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from runner.errors import PlaybookError
from runner.playbook.document import Document, JsonPath, format_path
from runner.playbook.suggest import did_you_mean
from runner.playbook.validation import schema_dir as schema_dir
from runner.playbook.validation import schema_names as schema_names

BRANCHING = frozenset({"oneOf", "anyOf"})
SHAPE = frozenset({
    "type", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "minLength", "maxLength", "enum", "const", "minItems", "minProperties", "anyOf", "oneOf",
})
PRIORITY = {"additionalProperties": 6, "propertyNames": 6, "type": 5, "enum": 4, "const": 4,
            "required": 2, "not": 2, "dependentSchemas": 2, "oneOf": 1, "anyOf": 1}
TYPE_WORDS = {"object": "a mapping", "array": "a list", "string": "a string",
              "integer": "an integer", "number": "a number", "boolean": "true or false",
              "null": "null"}


@lru_cache(maxsize=1)
def registry() -> Registry:
    """Every packaged ``*.schema.json``, registered under its file name.

    The schemas carry no ``$id``: a ``$ref`` such as ``playbook.schema.json#/$defs/org``
    is relative, so it resolves to the file next to the referring one wherever the
    schemas are read from (this registry, a copy in a project, check-jsonschema), offline.
    """
    pairs = [
        (path.name, Resource.from_contents(json.loads(path.read_text(encoding="utf-8")),
                                           default_specification=DRAFT202012))
        for path in sorted(schema_dir().glob("*.schema.json"))
    ]
    return Registry().with_resources(pairs)


def load_schema(name: str) -> dict[str, Any]:
    """The parsed schema ``schemas/<name>.schema.json``."""
    try:
        contents = registry().contents(f"{name}.schema.json")
    except LookupError:
        raise PlaybookError(f"no schema named {name!r} in {schema_dir()}") from None
    return dict(contents)


@lru_cache(maxsize=8)
def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(name), registry=registry())


def validate(document: Document, schema: str = "playbook") -> None:
    """Raise one positioned PlaybookError for the most useful schema error, if any."""
    errors = list(_validator(schema).iter_errors(document.data))
    if errors:
        raise _to_error(document, best_error(document, errors))


def validate_all(document: Document, schema: str = "playbook") -> list[PlaybookError]:
    """One PlaybookError per distinct problem, in file order."""
    found: dict[str, PlaybookError] = {}
    errors = [_resolve(error) for error in _validator(schema).iter_errors(document.data)]
    for error in sorted(errors, key=lambda e: _place(document, e)):
        problem = _to_error(document, error)
        found.setdefault(str(problem), problem)
    return list(found.values())


def best_error(document: Document, errors: Iterable[ValidationError]) -> ValidationError:
    """The first problem in the file, refined to the deepest error beneath it."""
    resolved = [_resolve(error) for error in errors]
    first = min(resolved, key=lambda e: (_place(document, e), -_priority(e)))
    prefix = _effective_path(first)
    family = [e for e in resolved if _effective_path(e)[: len(prefix)] == prefix]
    return min(family, key=lambda e: (-len(_effective_path(e)), _place(document, e), -_priority(e)))


def _priority(error: ValidationError) -> int:
    return PRIORITY.get(str(error.validator), 3)


def _place(document: Document, error: ValidationError) -> tuple[int, int]:
    position = document.position_of(_effective_path(error))
    return (position.line, position.col) if position else (0, 0)


def _effective_path(error: ValidationError) -> JsonPath:
    """Where the error belongs: an unknown or badly named key is its own place."""
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        extras = _extra_keys(error)
        return (*path, extras[0]) if extras else path
    if _in_property_names(error):
        return (*path, error.instance)
    return path


def _in_property_names(error: ValidationError) -> bool:
    return "propertyNames" in error.relative_schema_path and isinstance(error.instance, str)


def _extra_keys(error: ValidationError) -> list[str]:
    allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    return [key for key in error.instance if key not in allowed]


def _resolve(error: ValidationError) -> ValidationError:
    """Follow oneOf/anyOf into the branch that fits best, unless the value fits none."""
    if error.validator not in BRANCHING or not error.context or _required_branches(error):
        return error
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    best = min(branches.values(), key=_branch_misfit)
    candidate = _resolve(max(best, key=lambda e: (len(e.relative_path), _priority(e))))
    own_level = len(candidate.absolute_path) == len(error.absolute_path)
    if _expected(error) and own_level and candidate.validator in SHAPE:
        return error
    return candidate


def _branch_misfit(errors: Sequence[ValidationError]) -> tuple[bool, int, int]:
    """Lower is better: the value's type fits, the errors are deep, and few."""
    wrong_type = any(e.validator in ("type", "const") and not e.relative_path for e in errors)
    return wrong_type, -max(len(e.relative_path) for e in errors), len(errors)


def _expected(error: ValidationError) -> str | None:
    schema = error.schema if isinstance(error.schema, dict) else {}
    value = schema.get("x-expected")
    return str(value) if value else None


def _to_error(document: Document, error: ValidationError) -> PlaybookError:
    path = _effective_path(error)
    message, hint, at = _describe(error)
    where = format_path(tuple(error.absolute_path)) if error.absolute_path else ""
    text = f"{where}: {message}" if where else message
    return document.error(at if at is not None else path, text, hint=hint)


def _describe(error: ValidationError) -> tuple[str, str | None, JsonPath | None]:
    """(message, hint, position path override) for one error."""
    path = tuple(error.absolute_path)
    kind = error.validator
    expected = _expected(error)
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        return _unknown_key(error)
    if _in_property_names(error):
        name = error.schema.get("title", "name") if isinstance(error.schema, dict) else "name"
        return f"{error.instance!r} is not a valid {name} ({expected})", None, None
    if expected and kind in SHAPE:
        return _not_valid(error, expected), None, None
    if kind == "required":
        return _missing(error)
    if kind in BRANCHING:
        return _branching(error, path)
    if kind == "not":
        return _conflict(error, path)
    if kind == "type":
        wanted = _type_words(error.validator_value)
        templated = isinstance(error.instance, str) and "{{" in error.instance
        hint = "templates are rendered only in string values; write a literal here"
        return f"expected {wanted}, got {_kind(error.instance)}", hint if templated else None, None
    if kind in ("enum", "const"):
        return _enum(error), None, None
    return error.message, None, None


def _unknown_key(error: ValidationError) -> tuple[str, str | None, JsonPath | None]:
    extra = _extra_keys(error)[0]
    allowed = sorted(error.schema.get("properties", {}))
    message = f"unknown key {extra!r}{did_you_mean(extra, allowed)}"
    return message, "allowed keys here: " + ", ".join(allowed), None


def _not_valid(error: ValidationError, expected: str) -> str:
    path = [part for part in error.absolute_path if isinstance(part, str)]
    schema = error.schema if isinstance(error.schema, dict) else {}
    name = path[-1] if path else schema.get("title", "value")
    if isinstance(error.instance, (dict, list)):
        return f"expected {expected}, got {_kind(error.instance)}"
    return f"{_show(error.instance)} is not a valid {name} ({expected})"


def _missing(error: ValidationError) -> tuple[str, str | None, JsonPath | None]:
    present = error.instance if isinstance(error.instance, dict) else {}
    missing = [key for key in error.validator_value if key not in present]
    name = missing[0] if missing else "?"
    schema_path = list(error.relative_schema_path)
    if "dependentSchemas" in schema_path:
        needer = str(schema_path[schema_path.index("dependentSchemas") + 1])
        return f"{needer!r} needs {name!r}", None, (*error.absolute_path, needer)
    because = error.schema.get("x-because") if isinstance(error.schema, dict) else None
    suffix = f" for {because}" if because else ""
    return f"missing required key {name!r}{suffix}", None, None


def _required_branches(error: ValidationError) -> list[str] | None:
    names = []
    for branch in error.validator_value:
        if not isinstance(branch, dict) or set(branch) != {"required"}:
            return None
        names.extend(branch["required"])
    return names


def _branching(error: ValidationError, path: JsonPath) -> tuple[str, str | None, JsonPath | None]:
    names = _required_branches(error)
    present = error.instance if isinstance(error.instance, dict) else {}
    if names is None:
        return error.message, None, None
    given = [name for name in names if name in present]
    if len(given) > 1:
        return f"{given[0]!r} and {given[1]!r} cannot be used together", None, (*path, given[1])
    because = error.schema.get("x-because") if isinstance(error.schema, dict) else None
    suffix = f" for {because}" if because else ""
    return f"needs one of {_quoted_choice(names)}{suffix}", None, None


def _conflict(error: ValidationError, path: JsonPath) -> tuple[str, str | None, JsonPath | None]:
    inner = error.validator_value if isinstance(error.validator_value, dict) else {}
    because = error.schema.get("x-because") if isinstance(error.schema, dict) else None
    if because and not inner and path:  # a key refused outright, and why
        return f"{path[-1]!r} cannot be used here: {because}", None, None
    schema_path = list(error.relative_schema_path)
    if "dependentSchemas" in schema_path and set(inner) == {"required"}:
        first = str(schema_path[schema_path.index("dependentSchemas") + 1])
        other = inner["required"][0]
        return f"{first!r} and {other!r} cannot be used together", None, (*path, other)
    return error.message, None, None


def _enum(error: ValidationError) -> str:
    allowed = error.validator_value if error.validator == "enum" else [error.validator_value]
    shown = ", ".join(_show(value) for value in allowed)
    words = [str(value) for value in allowed]
    suggestion = did_you_mean(str(error.instance), words) if isinstance(error.instance, str) else ""
    return f"{_show(error.instance)} is not one of {shown}{suggestion}"


def _quoted_choice(names: Sequence[str]) -> str:
    quoted = [repr(name) for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _type_words(types: Any) -> str:
    names = types if isinstance(types, list) else [types]
    return " or ".join(TYPE_WORDS.get(str(name), str(name)) for name in names)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, (dict, list)) and not value:
        return "an empty mapping" if isinstance(value, dict) else "an empty list"
    kinds: dict[type, str] = {dict: "a mapping", list: "a list", str: "a string"}
    return kinds.get(type(value), "null")


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return _kind(value)
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."

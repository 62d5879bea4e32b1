"""A strict check of JSON Schema files, equivalent to Ajv's ``strict: true`` in Python.

JSON Schema tells validators to ignore what they do not know, so a misspelled
keyword or a ``required`` name that no ``properties`` declares silently checks
nothing. Ajv's strict mode refuses such schemas; SchemaStore validates schemas
with it. This module applies the same rules, for machines without Node:

- the schema is valid against the 2020-12 meta-schema;
- every keyword belongs to a 2020-12 vocabulary (read from the meta-schemas), or is
  one of the annotations the caller declares (as ``ajv.addKeyword`` would);
- every ``format`` is one the specification defines;
- a keyword that applies to one type (``properties``, ``minLength``, ...) sits where
  ``type`` allows that type, here or in a parent at the same place in the instance
  (Ajv's ``strictTypes``); ``if`` has a ``then`` or ``else``, and both have an ``if``;
- every ``required`` name is declared by ``properties`` here or in such a parent
  (Ajv's ``strictRequired``, without its dependence on keyword order);
- no property name is matched by a ``patternProperties`` pattern too;
- every ``$ref`` resolves among the given files, with no network;
- every ``examples`` entry and ``default`` is valid against its own schema.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from jsonschema_specifications import REGISTRY as META
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

DIALECT = "https://json-schema.org/draft/2020-12/schema"
FORMATS = frozenset({
    "date-time", "date", "time", "duration", "email", "idn-email", "hostname", "idn-hostname",
    "ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uuid", "uri-template",
    "json-pointer", "relative-json-pointer", "regex",
})
TYPED = {
    "object": {"properties", "patternProperties", "additionalProperties", "propertyNames",
               "required", "dependentRequired", "dependentSchemas", "minProperties",
               "maxProperties", "unevaluatedProperties"},
    "array": {"items", "prefixItems", "contains", "minItems", "maxItems", "uniqueItems",
              "minContains", "maxContains", "unevaluatedItems"},
    "string": {"pattern", "minLength", "maxLength", "format"},
    "number": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"},
}
SAME_PLACE_ONE = ("not", "if", "then", "else")
SAME_PLACE_MANY = ("allOf", "anyOf", "oneOf")
INSTANCE_ONE = ("additionalProperties", "propertyNames", "items", "contains",
                "unevaluatedItems", "unevaluatedProperties", "contentSchema")
INSTANCE_MAP = ("properties", "patternProperties")
ALL_TYPES = frozenset({"object", "array", "string", "number", "integer", "boolean", "null"})


def vocabulary() -> frozenset[str]:
    """Every keyword of the 2020-12 vocabularies, as their meta-schemas list them."""
    root = META.contents(DIALECT)
    found: set[str] = set()
    for part in root["allOf"]:
        found.update(META.contents(f"https://json-schema.org/draft/2020-12/{part['$ref']}")
                     ["properties"])
    return frozenset(found)


@dataclass(frozen=True)
class Place:
    """A subschema, where it is, and what its parents at the same instance place declare."""

    node: Any
    pointer: str
    types: frozenset[str] | None
    declared: frozenset[str]


def check_files(schemas: Mapping[str, dict[str, Any]], annotations: frozenset[str] = frozenset()
                ) -> list[str]:
    """Every strict-mode problem of ``schemas`` (file name → parsed schema); [] when clean."""
    registry = Registry().with_resources(
        (name, Resource.from_contents(body, default_specification=DRAFT202012))
        for name, body in schemas.items()
    )
    known = vocabulary() | annotations
    problems: list[str] = []
    for name, body in schemas.items():
        try:
            Draft202012Validator.check_schema(body)
        except SchemaError as exc:  # the rules below assume a well-formed schema
            problems.append(f"{name}: not a valid 2020-12 schema: {exc.message}")
            continue
        if body.get("$schema") != DIALECT:
            problems.append(f"{name}: $schema must be {DIALECT}")
        resolver = registry.resolver(base_uri=name)
        root = Draft202012Validator(body, registry=registry)
        for place in walk(Place(body, "#", None, frozenset())):
            found = check(place, known, resolver, root)
            problems += [f"{name}{place.pointer}: {problem}" for problem in found]
    return problems


def walk(place: Place) -> Iterator[Place]:
    """``place`` and every subschema under it, with what parents at the same place declare."""
    node = place.node
    if not isinstance(node, dict):
        return
    yield place
    types = _types_here(node, place.types)
    declared = place.declared | set(node.get("properties", {}))
    same = [(key, node[key]) for key in SAME_PLACE_ONE if key in node]
    same += [(f"{key}/{i}", sub) for key in SAME_PLACE_MANY for i, sub in enumerate(
        node.get(key, []))]
    same += [(f"dependentSchemas/{k}", sub) for k, sub in node.get("dependentSchemas", {}).items()]
    for where, sub in same:
        yield from walk(Place(sub, f"{place.pointer}/{where}", types, declared))
    fresh = [(key, node[key]) for key in INSTANCE_ONE if key in node]
    fresh += [(f"{key}/{k}", sub) for key in INSTANCE_MAP for k, sub in node.get(key, {}).items()]
    fresh += [(f"prefixItems/{i}", sub) for i, sub in enumerate(node.get("prefixItems", []))]
    fresh += [(f"$defs/{k}", sub) for k, sub in node.get("$defs", {}).items()]
    for where, sub in fresh:
        yield from walk(Place(sub, f"{place.pointer}/{where}", None, frozenset()))


def _types_here(node: dict[str, Any], inherited: frozenset[str] | None) -> frozenset[str] | None:
    own = node.get("type")
    if own is None:
        return inherited
    mine = frozenset([own] if isinstance(own, str) else own)
    return mine if inherited is None else mine & (inherited | _integer_of(inherited))


def _integer_of(types: frozenset[str]) -> frozenset[str]:
    return frozenset({"integer"}) if "number" in types else frozenset()


def check(place: Place, known: frozenset[str], resolver: Any,
          root: Draft202012Validator) -> list[str]:
    """The problems of one subschema."""
    node = place.node
    problems = [f"unknown keyword {key!r}" for key in node if key not in known]
    if "format" in node and node["format"] not in FORMATS:
        problems.append(f"unknown format {node['format']!r}")
    problems += _type_problems(node, _types_here(node, place.types), place.types)
    declared = place.declared | set(node.get("properties", {}))
    problems += [f"required {name!r} is not declared in properties"
                 for name in node.get("required", []) if name not in declared]
    if "if" in node and not ("then" in node or "else" in node):
        problems.append("'if' without 'then' or 'else' is ignored")
    problems += [f"{key!r} without 'if' is ignored" for key in ("then", "else")
                 if key in node and "if" not in node]
    for pattern in node.get("patternProperties", {}):
        problems += [f"property {name!r} also matches patternProperties {pattern!r}"
                     for name in node.get("properties", {}) if re.search(pattern, name)]
    if "$ref" in node:
        try:
            resolver.lookup(node["$ref"])
        except Unresolvable as exc:
            problems.append(f"$ref {node['$ref']!r} does not resolve: {exc}")
    problems += _example_problems(node, root)
    return problems


def _type_problems(node: dict[str, Any], types: frozenset[str] | None,
                   inherited: frozenset[str] | None) -> list[str]:
    if types is not None and not types:
        return [f"type {node.get('type')!r} contradicts the parent's {sorted(inherited or [])}"]
    problems = []
    for kind, keywords in TYPED.items():
        applicable = types is not None and (kind in types or (kind == "number"
                                                                and "integer" in types))
        problems += [f"{key!r} needs type {kind!r} here or in a parent at this place"
                     for key in sorted(keywords & set(node)) if not applicable]
    return problems


def _example_problems(node: dict[str, Any], root: Draft202012Validator) -> list[str]:
    samples = [("examples", value) for value in node.get("examples", [])]
    if "default" in node:
        samples.append(("default", node["default"]))
    if not samples:
        return []
    shape = {key: value for key, value in node.items() if key not in ("examples", "default")}
    validator = root.evolve(schema=shape)
    problems = []
    for label, value in samples:
        errors = list(validator.iter_errors(value))
        if errors:
            problems.append(f"{label} {value!r} is invalid: {errors[0].message}")
    return problems

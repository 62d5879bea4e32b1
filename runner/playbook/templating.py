"""Jinja2 templating in a sandbox, with strict undefined variables.

Playbook strings are templates. A string that is nothing but one ``{{ expr }}``
renders to the expression's native value (so ``"{{ limit }}"`` stays an
integer), as Ansible does; any other string renders to text. Templates run in
Jinja2's immutable sandbox: attribute escapes such as ``''.__class__`` and
private attributes are refused, and an undefined variable is an error that
names the variable. The sandbox holds each evaluation to ``limits`` (numbers,
text and list sizes, time).

The context is used as it is, never copied: a scope (``runner.playbook.scope``)
renders a variable only when a template reads it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.parser import Parser
from jinja2.sandbox import SecurityError

from runner.errors import SfjwtError
from runner.playbook import filters, limits, lookups
from runner.playbook.sandbox import BoundedSandbox

_SINGLE_EXPRESSION = re.compile(r"^\{\{(?P<expr>(?:(?!\}\}|\{\{).)*)\}\}$", re.DOTALL)


class TemplateRenderError(SfjwtError):
    """A template failed to render; the caller adds where it came from."""


def _to_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


_API_USAGE = re.compile(r"(?<![-\w])api-usage=(\d+)/(\d+)")


def _api_usage(header: str | None) -> dict[str, int]:
    """``Sforce-Limit-Info: api-usage=18/5000`` → ``{"used": 18, "max": 5000}``."""
    match = _API_USAGE.search(header or "")
    if not match:
        raise TemplateRenderError(f"api_usage: no api-usage=N/M in {header!r}")
    return {"used": int(match.group(1)), "max": int(match.group(2))}


class Undefined(jinja2.StrictUndefined):
    """Strict, and a mapping that knows why a name is missing (``env``) says so."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        explain = getattr(self._undefined_obj, "_describe_missing", None)
        plain = self._undefined_hint is None and self._undefined_exception is not SecurityError
        if plain and callable(explain) and isinstance(self._undefined_name, str):
            return str(explain(self._undefined_name))
        return str(super()._undefined_message)


def _state_test(key: str, *, negate: bool = False) -> Any:
    """Ansible's tests on a step's result: ``r is failed``, ``r is succeeded``, ..."""
    def test(value: Any) -> bool:
        if not isinstance(value, Mapping):
            name = "succeeded" if negate else key
            raise TemplateRenderError(f"the {name!r} test needs a step's registered result, "
                                      f"got {_kind(value)}")
        return bool(value.get(key, False)) != negate
    return test


def _kind(value: Any) -> str:
    if isinstance(value, jinja2.Undefined):
        return "an undefined value"
    kinds = {str: "a string", bool: "true or false", int: "a number", float: "a number",
             list: "a list", type(None): "none"}
    return kinds.get(type(value), "a value")


def _make_environment() -> BoundedSandbox:
    env = BoundedSandbox(
        undefined=Undefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    env.filters["to_json"] = _to_json
    env.filters["api_usage"] = _api_usage
    env.filters.update(filters.FILTERS)
    env.globals.update(lookups.GLOBALS)
    env.tests["failed"] = _state_test("failed")
    env.tests["changed"] = _state_test("changed")
    env.tests["skipped"] = _state_test("skipped")
    for name in ("succeeded", "success", "successful"):
        env.tests[name] = _state_test("failed", negate=True)
    return env


ENVIRONMENT = _make_environment()


def is_template(value: str) -> bool:
    """Whether a string holds any Jinja2 syntax worth rendering."""
    return "{{" in value or "{%" in value or "{#" in value


@lru_cache(maxsize=4096)
def _compile_template(source: str) -> jinja2.Template:
    return ENVIRONMENT.from_string(source)


@lru_cache(maxsize=4096)
def _compile_expression(source: str) -> jinja2.Template:
    """``source`` as a template that stores its value in ``result`` (as Jinja2's own
    ``compile_expression`` does), so it can run over a context that is not copied."""
    parser = Parser(ENVIRONMENT, source, state="variable")
    expression = parser.parse_expression()
    if not parser.stream.eos:
        raise jinja2.TemplateSyntaxError("chunk after expression", parser.stream.current.lineno)
    body = [nodes.Assign(nodes.Name("result", "store"), expression, lineno=1)]
    return ENVIRONMENT.from_string(nodes.Template(body, lineno=1))


class LazyContext(Mapping[str, Any]):
    """A context that resolves names itself, Jinja2's globals included, and renders a
    value only when a template reads it; it is handed to Jinja2 as it is, never copied."""

    __slots__ = ()


def _parent(context: Mapping[str, Any]) -> Mapping[str, Any]:
    """What templates resolve names in: a lazy context as it is, any other mapping copied
    over Jinja2's globals."""
    if isinstance(context, LazyContext):
        return context
    return {**ENVIRONMENT.globals, **context}


def _describe(exc: Exception) -> str:
    if isinstance(exc, SfjwtError):  # a filter's or a lookup's own words
        return exc.message
    if isinstance(exc, SecurityError):
        return f"refused by the template sandbox: {exc}"
    if isinstance(exc, jinja2.UndefinedError):
        return f"undefined variable: {exc.message}"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"template syntax error: {exc.message}"
    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return f"cannot evaluate: {exc}"  # TypeError, ValueError, ...: their text says what


def render_string(source: str, context: Mapping[str, Any]) -> Any:
    """Render one string; a lone ``{{ expr }}`` keeps the expression's type."""
    if not is_template(source):
        return source
    try:
        single = _SINGLE_EXPRESSION.match(source.strip())
        if single and "{%" not in source:
            return evaluate(single.group("expr"), context)
        with limits.budget():
            template = _compile_template(source)
            frame = template.new_context(_parent(context), shared=True)  # type: ignore[arg-type]
            return ENVIRONMENT.concat(template.root_render_func(frame))
    except TemplateRenderError:
        raise
    except limits.LimitExceeded as exc:
        raise TemplateRenderError(str(exc)) from None
    except Exception as exc:  # Jinja2 raises many kinds; all mean "this template failed"
        raise TemplateRenderError(_describe(exc)) from None


def evaluate(expression: str, context: Mapping[str, Any]) -> Any:
    """Evaluate a bare Jinja2 expression (``when:``, ``until:``, ``assert:``)."""
    try:
        with limits.budget():
            template = _compile_expression(expression.strip())
            frame = template.new_context(_parent(context), shared=True)  # type: ignore[arg-type]
            for _ in template.root_render_func(frame):
                pass
            value = limits.made(frame.vars["result"])
    except TemplateRenderError:
        raise
    except limits.LimitExceeded as exc:
        raise TemplateRenderError(str(exc)) from None
    except Exception as exc:
        raise TemplateRenderError(_describe(exc)) from None
    if isinstance(value, jinja2.Undefined):
        if value._undefined_exception is SecurityError:  # a private or unsafe attribute
            raise TemplateRenderError(f"refused by the template sandbox: {value._undefined_hint}")
        if getattr(value._undefined_obj, "_describe_missing", None) is not None \
                and value._undefined_hint is None:
            raise TemplateRenderError(f"undefined variable: {value._undefined_message}")
        raise TemplateRenderError(f"undefined variable: {expression.strip()!r} is undefined")
    return value


def has_template(value: Any) -> bool:
    """Whether ``render`` could give ``value`` back changed: a template in any of its
    strings, keys included, or a tuple (rendered as a list). Anything else renders equal."""
    if isinstance(value, str):
        return is_template(value)
    if isinstance(value, Mapping):
        return any(has_template(key) or has_template(item) for key, item in value.items())
    if isinstance(value, list):
        return any(has_template(item) for item in value)
    return isinstance(value, tuple)


def render(value: Any, context: Mapping[str, Any]) -> Any:
    """Render every string inside a nested structure of dicts and lists."""
    if isinstance(value, str):
        return render_string(value, context)
    if isinstance(value, Mapping):
        return {render(k, context): render(v, context) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [render(item, context) for item in value]
    return value

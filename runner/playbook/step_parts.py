"""What a step does and expects, as frozen dataclasses: its action's settings (``request``,
``query``, ``assert``, ``debug``), its ``expect`` block and its ``loop_control``, each built
from its schema-valid mapping with the defaults applied."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from runner.playbook.templating import has_template


@dataclass(frozen=True)
class RequestSpec:
    """A REST call; ``has_json`` tells ``json: null`` from no JSON body."""

    method: str
    path: str | None
    url: str | None
    params: Mapping[str, Any]
    headers: Mapping[str, Any]
    json: Any
    has_json: bool
    body: str | None
    retry: bool
    json_file: str | None = None  # a body from a file (maybe a template), found when it runs
    body_file: str | None = None
    template: bool = True  # whether a body file is rendered

    @cached_property
    def as_written(self) -> bool:
        """Whether nothing in it is a template, so it is sent as written: worked out once
        per step, not by every org's lane that runs it."""
        return not has_template([self.path, self.url, self.params, self.headers, self.json,
                                 self.body])


@dataclass(frozen=True)
class QuerySpec:
    soql: str
    all_rows: bool
    follow_pages: bool
    max_pages: int = 1000  # the schema's default: at most 2,000,000 records


@dataclass(frozen=True)
class ExpectSpec:
    """Expectations; matchers stay raw for checks.py to interpret."""

    status: int | tuple[int, ...] | str | None
    headers: Mapping[str, Any]
    json: Mapping[str, Any]
    schema: Mapping[str, Any] | None
    max_ms: float | str | None  # a template until the step renders it

    @cached_property
    def as_written(self) -> bool:
        """Whether nothing in it is a template (``max_ms`` is always worked out)."""
        return self.max_ms is None and not has_template([self.status, self.headers,
                                                         self.json])


@dataclass(frozen=True)
class AssertSpec:
    """``assert``: conditions that must hold, and what to say either way (templates)."""

    that: tuple[str, ...]
    fail_msg: Any = None
    success_msg: Any = None
    quiet: bool = False


@dataclass(frozen=True)
class DebugSpec:
    """``debug``: a message (a template) or a variable (an expression) to show."""

    msg: Any = None
    var: str | None = None
    verbosity: int = 0


@dataclass(frozen=True)
class LoopControl:
    """``loop_control``: how a loop names its item, its index, its label and its pace."""

    label: str | None = None
    loop_var: str = "item"
    index_var: str | None = None
    pause: float = 0.0


NO_LOOP_CONTROL = LoopControl()


def request_spec(raw: Mapping[str, Any]) -> RequestSpec:
    return RequestSpec(
        method=raw.get("method", "GET"),
        path=raw.get("path"),
        url=raw.get("url"),
        params=dict(raw.get("params", {})),
        headers=dict(raw.get("headers", {})),
        json=raw.get("json"),
        has_json="json" in raw,
        body=raw.get("body"),
        retry=raw.get("retry", False),
        json_file=raw.get("json_file"),
        body_file=raw.get("body_file"),
        template=raw.get("template", True),
    )


def query_spec(raw: str | Mapping[str, Any]) -> QuerySpec:
    if isinstance(raw, str):
        return QuerySpec(raw, all_rows=False, follow_pages=True)
    return QuerySpec(raw["soql"], raw.get("all_rows", False), raw.get("follow_pages", True),
                     raw.get("max_pages", QuerySpec.max_pages))


def assert_spec(raw: str | list[str] | Mapping[str, Any]) -> AssertSpec:
    """``assert: EXPR``, ``assert: [EXPR, ...]`` or Ansible's ``{that, fail_msg, ...}``."""
    if not isinstance(raw, Mapping):
        return AssertSpec(_strings(raw))
    return AssertSpec(_strings(raw["that"]), raw.get("fail_msg", raw.get("msg")),
                      raw.get("success_msg"), raw.get("quiet", False))


def debug_spec(raw: Mapping[str, Any]) -> DebugSpec:
    msg = raw.get("msg", "Hello world!" if "var" not in raw else None)
    return DebugSpec(msg, raw.get("var"), int(raw.get("verbosity", 0)))


def loop_control(raw: Mapping[str, Any]) -> LoopControl:
    if not raw:
        return NO_LOOP_CONTROL  # frozen: every step without one shares it
    return LoopControl(raw.get("label"), raw.get("loop_var", "item"), raw.get("index_var"),
                       float(raw.get("pause", 0)))


def expect_spec(raw: Mapping[str, Any]) -> ExpectSpec:
    status = raw.get("status")
    max_ms = raw.get("max_ms")
    if isinstance(status, list):
        status = tuple(int(code) for code in status)
    elif isinstance(status, float):
        status = int(status)
    return ExpectSpec(
        status=status,
        headers=dict(raw.get("headers", {})),
        json=dict(raw.get("json", {})),
        schema=raw.get("schema"),
        max_ms=max_ms if max_ms is None or isinstance(max_ms, str) else float(max_ms),
    )


def _strings(raw: str | Iterable[str]) -> tuple[str, ...]:
    return (raw,) if isinstance(raw, str) else tuple(raw)

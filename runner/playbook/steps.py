"""Steps and blocks as frozen dataclasses, built from a schema-valid ``steps:`` list.

``steps:`` is a tree, as Ansible's tasks are: a step does one thing; a block
groups steps (``block``), with steps that run when one of them fails
(``rescue``) and steps that run after them whatever happened (``always``).
The runner walks the tree (``Playbook.body``); reports, tag selection and
plans see its leaves in document order (``Playbook.steps``), each numbered
and carrying what it inherits from the blocks around it, by Ansible's rules:
``when`` conditions add up and are evaluated for each step, tags add up, the
innermost ``vars`` win, and ``ignore_errors``, ``any_errors_fatal`` and
``orgs`` come from the nearest level that sets them.

Steps may come from other files (``runner.playbook.tree`` builds them): an
``include_steps`` or ``include_role`` is a step that runs its file's tree. Every
node knows its file (``source``), so each message points at its own line and
names the chain that led there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from runner.errors import Position
from runner.playbook.document import Document, JsonPath, format_path
from runner.playbook.origins import Layer, document_layer, merged
from runner.playbook.source import StepSource
from runner.playbook.step_parts import (
    AssertSpec,
    DebugSpec,
    ExpectSpec,
    LoopControl,
    QuerySpec,
    RequestSpec,
    assert_spec,
    debug_spec,
    expect_spec,
    loop_control,
    query_spec,
    request_spec,
)

INCLUDES = ("include_steps", "include_role")
RESERVED_NAMES = frozenset({"vars", "env", "org", "item", "response", "ansible_failed_task",
                            "ansible_failed_result"})
StepKind = Literal["request", "query", "assert", "debug", "set_fact", "include"]
Section = Literal["steps", "block", "rescue", "always"]
KINDS: tuple[StepKind, ...] = ("request", "query", "assert", "debug", "set_fact")


@dataclass(frozen=True)
class Condition:
    """One ``when`` (a step's or an enclosing block's) and where it is written."""

    test: str | bool
    path: JsonPath
    document: Document | None = None  # the file that writes it, when not the playbook


@dataclass(frozen=True)
class StepSpec:
    """One step (a leaf of the tree) with what it inherits from its blocks."""

    index: int  # the leaf's number in document order, from 0
    name: str
    kind: StepKind
    request: RequestSpec | None
    query: QuerySpec | None
    assertion: AssertSpec | None
    expect: ExpectSpec | None
    register: str | None
    when: str | bool | None  # the step's own
    loop: list[Any] | str | None
    retries: int
    delay: float
    until: str | None
    tags: tuple[str, ...]
    orgs: tuple[str, ...]
    ignore_errors: bool
    allow_write: bool
    timeout: float | None
    max_response_bytes: int | None = None
    position: Position | None = None
    path: JsonPath = ()
    debug: DebugSpec | None = None
    facts: Mapping[str, Any] | None = None  # set_fact
    failed_when: tuple[str | bool, ...] | None = None
    changed_when: tuple[str | bool, ...] | None = None
    loop_control: LoopControl = field(default_factory=LoopControl)
    vars: Layer = field(default_factory=dict)  # the blocks' vars, then the step's
    conditions: tuple[Condition, ...] = ()  # the blocks' when, outermost first, then its own
    any_errors_fatal: bool = False
    section: Section = "steps"
    rescue_scope: bool = False  # in a rescue or always of a block that has a rescue
    save: str | None = None  # write the response body to this file
    source: StepSource | None = None  # its file, place, chain of includes and role
    include: IncludeSpec | None = None  # kind "include": what it runs

    @property
    def document(self) -> Document | None:
        return self.source.document if self.source is not None else None

    @property
    def assertions(self) -> tuple[str, ...]:
        return self.assertion.that if self.assertion else ()


@dataclass(frozen=True)
class BlockSpec:
    """A block: its steps, the steps run when one of them fails, and the steps run after."""

    name: str | None
    block: tuple[Node, ...]
    rescue: tuple[Node, ...]
    always: tuple[Node, ...]
    path: JsonPath
    position: Position | None = None
    source: StepSource | None = None

    def leaves(self, *, rescue: bool = True) -> Iterator[StepSpec]:
        """Its steps in document order, inner blocks' included (without ``rescue``
        steps when asked: they run only after a failure)."""
        for section in (self.block, self.rescue if rescue else (), self.always):
            yield from leaves(section, rescue=rescue)


@dataclass(frozen=True)
class IncludeSpec:
    """What an ``include_steps`` / ``include_role`` step runs: ``body`` when its name is plain
    text (read when the playbook loads), else read when the step runs."""

    keyword: str
    target: str  # the file or role name as written (a template, when body is None)
    steps_from: str
    params: Layer  # its vars, above registered results for the steps it runs
    body: tuple[Node, ...] | None = None


Node = StepSpec | BlockSpec


def leaves(nodes: Iterable[Node], *, rescue: bool = True) -> Iterator[StepSpec]:
    """The steps in document order; an include's known steps follow it."""
    for node in nodes:
        if isinstance(node, BlockSpec):
            yield from node.leaves(rescue=rescue)
        else:
            yield node
            if node.include is not None and node.include.body is not None:
                yield from leaves(node.include.body, rescue=rescue)


@dataclass(frozen=True)
class Inherited:
    """What the blocks around a node pass down to it."""

    conditions: tuple[Condition, ...] = ()
    tags: tuple[str, ...] = ()
    vars: Layer = field(default_factory=dict)
    ignore_errors: bool = False
    any_errors_fatal: bool = False
    orgs: tuple[str, ...] = ()
    section: Section = "steps"
    rescue_scope: bool = False


def own_of(raw: Mapping[str, Any], path: JsonPath, document: Document,
         outer: Inherited) -> Inherited:
    """What a block or step adds to what it inherits."""
    conditions = outer.conditions
    if raw.get("when") is not None:
        conditions = (*conditions, Condition(raw["when"], (*path, "when"), document))
    tags = tuple(dict.fromkeys([*outer.tags, *_strings(raw["tags"])])) if "tags" in raw \
        else outer.tags
    own_vars = document_layer(document, raw["vars"], (*path, "vars")) if raw.get("vars") \
        else None
    return Inherited(  # every field named (twice as fast as replace, once per step)
        conditions=conditions,
        tags=tags,
        vars=merged([outer.vars, own_vars]) if own_vars else outer.vars,
        ignore_errors=raw.get("ignore_errors", outer.ignore_errors),
        any_errors_fatal=raw.get("any_errors_fatal", outer.any_errors_fatal),
        orgs=_strings(raw["orgs"]) if "orgs" in raw else outer.orgs,
        section=outer.section,
        rescue_scope=outer.rescue_scope,
    )


def build_step(
    index: int, raw: Mapping[str, Any], document: Document, *,
    path: JsonPath | None = None, inherited: Inherited | None = None,
    source: StepSource | None = None,
) -> StepSpec:
    path = ("steps", index) if path is None else path
    _check_names(raw, path, document)
    own = own_of(raw, path, document, inherited or Inherited())
    kind: StepKind = "include" if set(INCLUDES) & set(raw) else \
        next((name for name in KINDS if name in raw), "assert")
    return StepSpec(
        index=index,
        name=raw.get("name") or _include_name(raw),
        kind=kind,
        request=request_spec(raw["request"]) if kind == "request" else None,
        query=query_spec(raw["query"]) if kind == "query" else None,
        assertion=assert_spec(raw["assert"]) if kind == "assert" else None,
        debug=debug_spec(raw["debug"]) if kind == "debug" else None,
        facts=dict(raw["set_fact"]) if kind == "set_fact" else None,
        expect=expect_spec(raw["expect"]) if "expect" in raw else None,
        register=raw.get("register"),
        when=raw.get("when"),
        conditions=own.conditions,
        loop=raw.get("loop"),
        loop_control=loop_control(raw.get("loop_control", {})),
        retries=int(raw.get("retries", 0)),
        delay=float(raw.get("delay", 1)),
        until=raw.get("until"),
        failed_when=_conditions(raw.get("failed_when")),
        changed_when=_conditions(raw.get("changed_when")),
        tags=own.tags,
        orgs=own.orgs,
        vars=own.vars,
        ignore_errors=own.ignore_errors,
        any_errors_fatal=own.any_errors_fatal,
        allow_write=raw.get("allow_write", False),
        timeout=float(raw["timeout"]) if "timeout" in raw else None,
        max_response_bytes=None if raw.get("max_response_bytes") is None
        else int(raw["max_response_bytes"]),
        position=document.position_of(path),
        path=path,
        section=own.section,
        rescue_scope=own.rescue_scope,
        save=raw.get("save"),
        source=source or StepSource(document, path),
    )


def _include_name(raw: Mapping[str, Any]) -> str:
    keyword = next(word for word in INCLUDES if word in raw)
    value = raw[keyword]
    return f"{keyword} {value if isinstance(value, str) else value['name']}"


def _check_names(raw: Mapping[str, Any], path: JsonPath, document: Document) -> None:
    """Names a step defines (``register``, ``set_fact``, ``loop_var``, ``index_var``) must not
    hide the names templates rely on."""
    if "register" not in raw and "loop_control" not in raw and "set_fact" not in raw:
        return
    control = raw.get("loop_control", {})
    named = [((*path, "register"), raw.get("register"), "register"),
             ((*path, "loop_control", "loop_var"), control.get("loop_var"), "loop_var"),
             ((*path, "loop_control", "index_var"), control.get("index_var"), "index_var")]
    named += [((*path, "set_fact", key), key, "set_fact") for key in raw.get("set_fact", {})]
    for where, name, keyword in named:
        if name in RESERVED_NAMES and not (keyword == "loop_var" and name == "item"):
            raise document.error(
                where, f"{format_path(where)}: {name!r} is reserved "
                f"(reserved: {', '.join(sorted(RESERVED_NAMES))})",
                hint="pick another name, such as 'result'", key=keyword == "set_fact",
            )


def _strings(raw: str | Iterable[str]) -> tuple[str, ...]:
    return (raw,) if isinstance(raw, str) else tuple(raw)


def _conditions(raw: Any) -> tuple[str | bool, ...] | None:
    """``failed_when``/``changed_when``: one condition, or a list meaning all of them."""
    if raw is None:
        return None
    return tuple(raw) if isinstance(raw, list) else (raw,)

"""The tree of a playbook's steps, built from its document and the step files it names.

``steps:`` holds steps and blocks (``runner.playbook.steps``), and entries that
pull in other files, as Ansible's ``import_tasks``, ``include_tasks`` and roles:
an ``import_steps`` (and each entry of a playbook's ``roles:``) becomes a block
of the other file's steps, built now, its ``when``, ``tags``, ``vars``, ``orgs``
and ``ignore_errors`` handed down as a block's are; an ``include_steps`` or
``include_role`` is a step that runs its file's tree, built now when its name is
plain text (its steps numbered after it) or when it runs when a template
chooses it (its steps then share its number). Leaves are numbered in document
order across every file.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from runner.playbook.document import Document, JsonPath
from runner.playbook.origins import Layer, document_layer
from runner.playbook.source import Link, Role, StepSource
from runner.playbook.stepfiles import Expansion
from runner.playbook.steps import (
    INCLUDES,
    BlockSpec,
    IncludeSpec,
    Inherited,
    Node,
    StepSpec,
    build_step,
    own_of,
)
from runner.playbook.templating import is_template


def build_body(document: Document, *, any_errors_fatal: bool = False,
               files: Expansion | None = None) -> tuple[Node, ...]:
    """The tree of a playbook: the steps of its ``roles:``, then its ``steps:``."""
    data = document.data if isinstance(document.data, dict) else {}
    builder = _Builder(document, files)
    inherited = Inherited(any_errors_fatal=any_errors_fatal)
    roles = [builder.role_entry(raw, ("roles", index), inherited)
             for index, raw in enumerate(data.get("roles", []))]
    return (*roles, *builder.nodes(data.get("steps", []), ("steps",), inherited))


def build_included(step: StepSpec, target: str, files: Expansion) -> tuple[Node, ...]:
    """The tree of an include whose name a template builds, read when the step runs; its
    steps share the include's number."""
    source = step.source
    assert source is not None and step.include is not None
    builder = _Builder(source.document, files, chain=source.chain, role=source.role,
                       around=(source.params, source.items), number=lambda: step.index)
    return builder.body_of(step.include, step, target, Inherited(
        any_errors_fatal=step.any_errors_fatal, section=step.section,
        rescue_scope=step.rescue_scope))


class _Builder:
    """Builds the tree of one document, numbering the leaves in document order; the step
    files and roles it names are read through ``files`` and built by builders of their own."""

    def __init__(self, document: Document, files: Expansion | None = None, *,
                 chain: tuple[Link, ...] = (), role: Role | None = None,
                 around: tuple[Layer, frozenset[str]] = ({}, frozenset()),
                 number: Callable[[], int] | None = None) -> None:
        self.document = document
        self.files = files
        self.chain, self.role, self.around = chain, role, around  # the includes' vars, items
        self.number = number or itertools.count().__next__

    def source(self, path: JsonPath) -> StepSource:
        return StepSource(self.document, path, self.chain, self.role, *self.around)

    def nodes(self, raws: list[Any], path: JsonPath, inherited: Inherited) -> tuple[Node, ...]:
        return tuple(self.node(raw, (*path, index), inherited) for index, raw in enumerate(raws))

    def node(self, raw: Mapping[str, Any], path: JsonPath, inherited: Inherited) -> Node:
        if "block" in raw:
            return self.block(raw, path, inherited)
        source = self.source(path)
        if "import_steps" in raw:
            return self.imported(raw, source, inherited)
        if self.files is not None:
            self.files.counted(source)
        step = build_step(self.number(), raw, self.document, path=path, inherited=inherited,
                          source=source)
        if set(INCLUDES) & set(raw):
            step = replace(step, include=self.included(raw, step, inherited))
        return step

    def block(self, raw: Mapping[str, Any], path: JsonPath, outer: Inherited) -> BlockSpec:
        own = own_of(raw, path, self.document, outer)
        has_rescue = bool(raw.get("rescue"))
        parts = {}
        for section in ("block", "rescue", "always"):
            scope = outer.rescue_scope or (has_rescue and section != "block")
            inner = replace(own, section=section, rescue_scope=scope)
            parts[section] = self.nodes(raw.get(section, []), (*path, section), inner)
        return BlockSpec(raw.get("name"), parts["block"], parts["rescue"], parts["always"],
                         path, self.document.position_of(path), self.source(path))

    # -- step files and roles ------------------------------------------------------------
    def imported(self, raw: Mapping[str, Any], source: StepSource,
                 outer: Inherited) -> BlockSpec:
        """``import_steps``: a block of another file's steps, its keywords handed down."""
        target = raw["import_steps"]
        if is_template(target):
            raise source.error(("import_steps",), f"import_steps: {target!r} is read when the "
                               "playbook loads, before templates are rendered", key=False,
                               hint="use include_steps to choose the file when the step runs")
        files = self._files(source)
        document, link = files.step_file(target, source, "import_steps")
        body = self.within(document, link, source, self.role, own_of(raw, source.path,
                                                                    self.document, outer))
        return BlockSpec(raw.get("name"), body, (), (), source.path, source.position(), source)

    def role_entry(self, raw: Any, path: JsonPath, outer: Inherited) -> BlockSpec:
        """An entry of a playbook's ``roles:``: a block of the role's steps."""
        source = self.source(path)
        name = raw if isinstance(raw, str) else raw["role"]
        document, link, role = self._files(source).role(name, "main.yml", source, "roles")
        own = own_of(raw, path, self.document, outer) if isinstance(raw, dict) else outer
        body = self.within(document, link, source, role, own)
        return BlockSpec(name, body, (), (), path, source.position(), source)

    def included(self, raw: Mapping[str, Any], step: StepSpec, outer: Inherited) -> IncludeSpec:
        keyword = next(word for word in INCLUDES if word in raw)
        value = raw[keyword]
        target, steps_from = (value, "main.yml") if isinstance(value, str) else (
            value["name"], value.get("steps_from", "main.yml"))
        params = document_layer(self.document, raw.get("vars", {}), (*step.path, "vars"))
        include = IncludeSpec(keyword, target, steps_from, params)
        if is_template(target):
            return include
        return replace(include, body=self.body_of(include, step, target, outer))

    def body_of(self, include: IncludeSpec, step: StepSpec, target: str,
                outer: Inherited) -> tuple[Node, ...]:
        """The tree an include runs, for ``target`` (its name, rendered if it was a template)."""
        source = self.source(step.path)
        files = self._files(source)
        role = self.role
        if include.keyword == "include_steps":
            document, link = files.step_file(target, source, "include_steps")
        else:
            document, link, role = files.role(target, include.steps_from, source, "include_role")
        params, items = self.around
        control = step.loop_control
        looped = {control.loop_var, *([control.index_var] if control.index_var else [])} \
            if step.loop is not None else set()
        around = ({**params, **include.params}, items | looped)
        inherited = Inherited(any_errors_fatal=outer.any_errors_fatal, section=outer.section,
                              rescue_scope=outer.rescue_scope)
        return self.within(document, link, source, role, inherited, around)

    def within(self, document: Document, link: Link, source: StepSource, role: Role | None,
               inherited: Inherited, around: tuple[Layer, frozenset[str]] | None = None,
               ) -> tuple[Node, ...]:
        """The nodes of a step file, built by a builder of its own (same numbering)."""
        files = self._files(source)
        builder = _Builder(document, files, chain=(*self.chain, link), role=role,
                           around=self.around if around is None else around,
                           number=self.number)
        with files.nested(document, link, source):
            return builder.nodes(document.data, (), inherited)

    def _files(self, source: StepSource) -> Expansion:
        if self.files is None:  # pragma: no cover - playbooks are always built with files
            raise source.error((), "step files are read only for a playbook")
        return self.files

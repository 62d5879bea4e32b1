"""``--check``: what a run would send, per org, without sending it.

Templates are rendered as in a run, except that registered results do not
exist yet: they render as ``⟨found.json.records[0].Id⟩`` so the plan shows which
values depend on earlier responses. No network, no files written; secrets masked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from runner.playbook.model import OrgSpec, Playbook
from runner.playbook.project import FileAccessError
from runner.playbook.scope import RunVars, Scope, build_scope
from runner.playbook.selection import applies_to
from runner.playbook.steps import StepSpec, leaves
from runner.playbook.templating import TemplateRenderError, evaluate, render
from runner.run import bodies
from runner.run.actions import refuses_write
from runner.salesforce.auth import audience_for
from runner.secrets import redact


class Deferred:
    """A value that only an earlier response will provide; renders as its path."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __getattr__(self, name: str) -> Deferred:
        if name.startswith("_"):
            raise AttributeError(name)
        return Deferred(f"{self.path}.{name}")

    def __getitem__(self, key: Any) -> Deferred:
        return Deferred(f"{self.path}[{key!r}]" if isinstance(key, str) else f"{self.path}[{key}]")

    def __str__(self) -> str:
        return f"⟨{self.path}⟩"

    __repr__ = __str__

    def __iter__(self) -> Any:
        return iter([Deferred(f"{self.path}[*]")])

    def __bool__(self) -> bool:
        raise TemplateRenderError(f"{self.path} is known only when the run gets there")


@dataclass(frozen=True)
class PlannedStep:
    """One step of one org in check mode. ``request`` is what would be sent (``GET /services/
    data/v60.0/query``, ``assert: …``); the other fields say more, or why it will not run."""

    number: int
    name: str
    request: str = ""
    soql: str | None = None
    body: str | None = None  # the JSON (or raw) body, as it would be sent
    when: str | None = None  # a condition only the run can decide
    skipped: str | None = None
    refused: str | None = None
    problem: str | None = None  # a template that cannot be rendered before the run
    section: str | None = None  # rescue (runs after a failure) or always (runs in any case)


@dataclass(frozen=True)
class PlannedKey:
    name: str
    path: str
    state: str  # "exists", "would be created" or "MISSING"


@dataclass(frozen=True)
class OrgPlan:
    name: str
    login: str
    steps: list[PlannedStep]
    writes: str = ""  # on a production org: "refused", or "allowed (--allow-writes)"


@dataclass(frozen=True)
class Plan:
    """What ``--check`` shows for one playbook: its keys, then every org's requests."""

    keys: list[PlannedKey]
    orgs: list[OrgPlan]


REFUSED = ("production org: add allow_write: true to the step or run with --allow-writes "
           "to send it")


def _shown(value: Any) -> str:
    """A body as it goes on the wire: JSON, with values only a run knows as ``⟨path⟩``."""
    return json.dumps(value, ensure_ascii=False, default=str)


def _planned(step: StepSpec, scope: Scope, org: OrgSpec, allow_writes: bool) -> PlannedStep:
    number, name = step.index + 1, step.name
    api_version = str(scope.org_setting("api_version"))
    if step.kind == "assert":
        return PlannedStep(number, name, "assert: " + "; ".join(step.assertions))
    if step.kind == "debug" and step.debug is not None:
        shown = f"var {step.debug.var}" if step.debug.var else str(render(step.debug.msg, scope))
        return PlannedStep(number, name, f"debug: {shown}")
    if step.kind == "set_fact" and step.facts is not None:
        return PlannedStep(number, name, "set_fact: " + ", ".join(step.facts))
    if step.include is not None:
        include = step.include
        later = " (chosen when it runs)" if include.body is None else ""
        return PlannedStep(number, name, f"{include.keyword} {include.target}{later}")
    if step.kind == "query" and step.query is not None:
        resource = "queryAll" if step.query.all_rows else "query"
        soql = str(render(step.query.soql, scope))
        return PlannedStep(number, name, f"GET /services/data/{api_version}/{resource}", soql=soql)
    assert step.request is not None
    request = bodies.with_file_body(step.request, scope)
    target = str(render(request.url or request.path or "/", scope))
    params = render(dict(request.params), scope)
    if params:
        target += ("&" if "?" in target else "?") + urlencode(
            {key: str(value) for key, value in params.items()})
    body = None
    if request.has_json:
        body = "json: " + _shown(render(request.json, scope))
    elif request.body is not None:
        body = "body: " + str(render(request.body, scope))
    refused = REFUSED if refuses_write(org.production, request.method,
                                       step.allow_write or allow_writes) else None
    return PlannedStep(number, name, f"{request.method} {target}", body=body, refused=refused)


def _masked(step: PlannedStep) -> PlannedStep:
    """Secrets rendered into a request stay masked in the plan itself, not only when shown."""
    return replace(step, request=redact(step.request),
                   soql=None if step.soql is None else redact(step.soql),
                   body=None if step.body is None else redact(step.body))


def _condition(step: StepSpec, scope: Scope) -> tuple[str | None, str | None]:
    """(``when`` left to the run, or why the step is skipped): a condition (the step's, or
    a block's around it) that reads only what is known before the run is decided here."""
    left = []
    for condition in step.conditions:
        test = condition.test
        if test is False:
            return None, "when: false"
        if test is True:
            continue
        try:
            value = evaluate(test, scope)
        except TemplateRenderError:
            left.append(test)
            continue
        if isinstance(value, Deferred):
            left.append(test)
        elif not value:
            return None, f"when: {test} is false"
    return (" and ".join(left) or None), None


def plan_scope(run: RunVars, org: OrgSpec, registered: Mapping[str, Any] | None = None,
               step: StepSpec | None = None) -> Scope:
    """What the org's templates see in check mode: what only a run knows is deferred."""
    local: dict[str, Any] = {"item": Deferred("item")}
    source = step.source if step is not None else None
    if step is not None:
        control = step.loop_control
        for name in (control.loop_var, *(source.items if source else ())):
            local[name] = Deferred(name)
        if control.index_var:
            local[control.index_var] = Deferred(control.index_var)
    role = source.role if source is not None else None
    scope = build_scope(run, org, registered=registered, local=local, unknown=Deferred,
                        step_vars=step.vars if step is not None else None,
                        params=source.params if source else None,
                        defaults=role.defaults if role else None)
    if step is not None and run.files is not None and source is not None:
        scope.files = source.files(run.files.project, run.files.folders[-1])
    return scope


def plan_org(
    org: OrgSpec, steps: tuple[StepSpec, ...], run: RunVars, *, allow_writes: bool = False
) -> list[PlannedStep]:
    """The requests one org would see, in order."""
    registered: dict[str, Any] = {}
    planned = []
    inside: dict[int, str] = {}  # the steps of an include that will not run, and why
    for step in steps:
        scope = plan_scope(run, org, registered, step)
        when, skipped = _condition(step, scope)
        if not applies_to(step, org.name):
            skipped = "not for this org"
        skipped = skipped or inside.get(step.index)
        if skipped and step.include is not None and step.include.body is not None:
            count = sum(1 for _ in leaves(step.include.body))
            inside |= dict.fromkeys(range(step.index + 1, step.index + 1 + count),
                                    f"{step.name} will not run")
        if skipped:
            planned.append(PlannedStep(step.index + 1, step.name, skipped=skipped))
        else:
            try:
                planned.append(_masked(replace(_planned(step, scope, org, allow_writes),
                                               when=when, section=_section(step))))
            except (TemplateRenderError, FileAccessError) as exc:
                planned.append(PlannedStep(step.index + 1, step.name, problem=redact(exc.message)))
        for name in [*([step.register] if step.register else []), *(step.facts or {})]:
            registered[name] = Deferred(name)
    return planned


def _section(step: StepSpec) -> str | None:
    """``rescue`` or ``always`` for a step that runs only after a failure, or in any case."""
    return step.section if step.section in ("rescue", "always") else None


def login_line(org: OrgSpec, run: RunVars) -> str:
    if org.is_emulated:
        return "log in: POST <embedded org>/services/oauth2/token (JWT, RS256)"
    scope = plan_scope(run, org)
    try:
        login_url = str(scope.org_setting("login_url") or "").rstrip("/")
        audience = audience_for(login_url, scope.org_setting("audience"))
    except TemplateRenderError as exc:
        return redact(f"log in: cannot be rendered before the run: {exc.message}")
    return redact(f"log in: POST {login_url}/services/oauth2/token (JWT, RS256, aud {audience})")


def plan_keys(playbook: Playbook, run: RunVars) -> list[PlannedKey]:
    """Whether each key exists, would be made, or is missing; nothing is read or written."""
    planned = []
    scope = build_scope(run)
    for key in playbook.keys.values():
        try:
            exists = scope.path(key.private_key, key.base_dir).exists()
        except TemplateRenderError as exc:
            planned.append(PlannedKey(key.name, key.private_key, f"cannot be rendered before "
                                      f"the run: {exc.message}"))
            continue
        state = "exists" if exists else (
            "would be created" if key.generate == "if_missing" else "MISSING")
        planned.append(PlannedKey(key.name, key.private_key, state))
    return planned


def plan_playbook(
    playbook: Playbook, steps: tuple[StepSpec, ...], run: RunVars, *, allow_writes: bool = False
) -> Plan:
    """The whole plan of ``--check``: keys, and per org its login and its requests."""
    writes = "allowed (--allow-writes)" if allow_writes else "refused"
    orgs = [OrgPlan(org.name, login_line(org, run),
                    plan_org(org, steps, run, allow_writes=allow_writes),
                    writes if org.production else "")
            for org in playbook.orgs.values()]
    return Plan(plan_keys(playbook, run), orgs)

"""``--check``: what a run would send, per org, without sending it.

Templates are rendered as in a run, except that registered results do not
exist yet: they render as ``⟨found.json.records[0].Id⟩`` so the plan shows which
values depend on earlier responses. No network, no files written; secrets masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from runner.playbook.model import OrgSpec, Playbook, StepSpec
from runner.playbook.scope import RunVars, Scope, build_scope
from runner.playbook.selection import applies_to
from runner.playbook.templating import TemplateRenderError, render
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


@dataclass(frozen=True)
class PlannedStep:
    number: int
    name: str
    action: str  # "GET https://…", "query: SELECT …", "assert: …", or why it will not run


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


@dataclass(frozen=True)
class Plan:
    """What ``--check`` shows for one playbook: its keys, then every org's requests."""

    keys: list[PlannedKey]
    orgs: list[OrgPlan]


def _describe_step(step: StepSpec, context: Mapping[str, Any], api_version: str) -> str:
    if step.kind == "assert":
        return "assert: " + "; ".join(step.assertions)
    if step.kind == "query" and step.query is not None:
        resource = "queryAll" if step.query.all_rows else "query"
        soql = str(render(step.query.soql, context))
        return f"GET /services/data/{api_version}/{resource}?" + urlencode({"q": soql})
    assert step.request is not None
    target = str(render(step.request.url or step.request.path or "/", context))
    params = render(dict(step.request.params), context)
    line = f"{step.request.method} {target}"
    if params:
        line += ("&" if "?" in target else "?") + urlencode({k: str(v) for k, v in params.items()})
    if step.request.has_json:
        line += f"  json: {render(step.request.json, context)}"
    elif step.request.body is not None:
        line += f"  body: {render(step.request.body, context)}"
    return line


def plan_scope(run: RunVars, org: OrgSpec, registered: Mapping[str, Any] | None = None) -> Scope:
    """What the org's templates see in check mode: what only a run knows is deferred."""
    return build_scope(run, org, registered=registered, local={"item": Deferred("item")},
                       unknown=Deferred)


def plan_org(
    playbook: Playbook, org: OrgSpec, steps: tuple[StepSpec, ...], run: RunVars
) -> list[PlannedStep]:
    """The requests one org would see, in order."""
    registered: dict[str, Any] = {}
    planned = []
    for step in steps:
        if not applies_to(step, org.name):
            action = "skipped: not for this org"
        else:
            scope = plan_scope(run, org, registered)
            try:
                action = _describe_step(step, scope, str(scope.org["api_version"]))
            except TemplateRenderError as exc:
                action = f"(cannot render yet: {exc.message})"
            if step.when is not None:
                action += f"  when: {step.when}"
        planned.append(PlannedStep(step.index + 1, step.name, redact(action)))
        if step.register:
            registered[step.register] = Deferred(step.register)
    return planned


def login_line(org: OrgSpec, run: RunVars) -> str:
    if org.is_emulated:
        return "log in: POST <embedded org>/services/oauth2/token (JWT, RS256)"
    scope = plan_scope(run, org)
    try:
        login_url = str(scope.org["login_url"] or "").rstrip("/")
        audience = audience_for(login_url, scope.org["audience"])
    except TemplateRenderError as exc:
        return redact(f"log in: (cannot render yet: {exc.message})")
    return redact(f"log in: POST {login_url}/services/oauth2/token (JWT, RS256, aud {audience})")


def plan_keys(playbook: Playbook) -> list[PlannedKey]:
    """Whether each key exists, would be made, or is missing; nothing is read or written."""
    planned = []
    for key in playbook.keys.values():
        exists = (key.base_dir / key.private_key).exists()
        state = "exists" if exists else (
            "would be created" if key.generate == "if_missing" else "MISSING")
        planned.append(PlannedKey(key.name, key.private_key, state))
    return planned


def plan_playbook(playbook: Playbook, steps: tuple[StepSpec, ...], run: RunVars) -> Plan:
    """The whole plan of ``--check``: keys, and per org its login and its requests."""
    orgs = [OrgPlan(org.name, login_line(org, run), plan_org(playbook, org, steps, run))
            for org in playbook.orgs.values()]
    return Plan(plan_keys(playbook), orgs)

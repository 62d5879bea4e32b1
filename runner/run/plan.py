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
from runner.playbook.selection import applies_to
from runner.playbook.templating import TemplateRenderError, render
from runner.run.orgs import DEFAULT_API_VERSION
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


def plan_org(
    playbook: Playbook, org: OrgSpec, steps: tuple[StepSpec, ...], variables: Mapping[str, Any],
    env: Mapping[str, str],
) -> list[PlannedStep]:
    """The requests one org would see, in order."""
    merged = {**variables, **org.vars}
    org_view = {"name": org.name, "username": org.username, "client_id": org.client_id,
                "login_url": org.login_url, "api_version": org.api_version or DEFAULT_API_VERSION}
    context: dict[str, Any] = {**merged, "vars": merged, "env": env, "org": org_view}
    api_version = org.api_version or DEFAULT_API_VERSION
    planned = []
    for step in steps:
        if not applies_to(step, org.name):
            action = "skipped: not for this org"
        else:
            if step.loop is not None:
                context["item"] = Deferred("item")
            try:
                action = _describe_step(step, context, api_version)
            except TemplateRenderError as exc:
                action = f"(cannot render yet: {exc.message})"
            if step.when is not None:
                action += f"  when: {step.when}"
        planned.append(PlannedStep(step.index + 1, step.name, redact(action)))
        if step.register:
            context[step.register] = Deferred(step.register)
    return planned


def login_line(org: OrgSpec, context: Mapping[str, Any]) -> str:
    if org.is_emulated:
        return "log in: POST <embedded org>/services/oauth2/token (JWT, RS256)"
    login_url = str(render(org.login_url or "", context)).rstrip("/")
    audience = audience_for(login_url, str(render(org.audience, context)) if org.audience else None)
    return redact(f"log in: POST {login_url}/services/oauth2/token (JWT, RS256, aud {audience})")


def plan_keys(playbook: Playbook) -> list[PlannedKey]:
    """Whether each key exists, would be made, or is missing; nothing is read or written."""
    planned = []
    for key in playbook.keys.values():
        exists = (playbook.base_dir / key.private_key).exists()
        state = "exists" if exists else (
            "would be created" if key.generate == "if_missing" else "MISSING")
        planned.append(PlannedKey(key.name, key.private_key, state))
    return planned


def plan_playbook(
    playbook: Playbook, steps: tuple[StepSpec, ...], variables: Mapping[str, Any],
    env: Mapping[str, str],
) -> Plan:
    """The whole plan of ``--check``: keys, and per org its login and its requests."""
    orgs = []
    for org in playbook.orgs.values():
        context = {**variables, **org.vars, "vars": variables, "env": env}
        orgs.append(OrgPlan(org.name, login_line(org, context),
                            plan_org(playbook, org, steps, variables, env)))
    return Plan(plan_keys(playbook), orgs)

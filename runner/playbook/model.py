"""The playbook as frozen dataclasses, built from a schema-valid document.

Building trusts the schema for shapes and applies defaults; the few rules a
schema cannot state (a key that names a ``keys:`` entry, reserved ``register``
names, step ``orgs`` that match some org) are checked here, each as a
positioned PlaybookError with a did-you-mean. Variables keep where each one is
written (``origins``); override by copy (``dataclasses.replace``), never by mutation.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from runner.errors import Position
from runner.playbook.document import Document, JsonPath
from runner.playbook.loader import load_document
from runner.playbook.origins import Layer, document_layer
from runner.playbook.schema import validate
from runner.playbook.suggest import did_you_mean

IMPLICIT_ORG = "embedded"
DEFAULT_API_VERSION = "v60.0"
RESERVED_NAMES = frozenset({"vars", "env", "org", "item", "response"})
StepKind = Literal["request", "query", "assert"]
Timeout = float | tuple[float, float]


@dataclass(frozen=True)
class KeySpec:
    """A key pair to make or load (``keys:`` entry)."""

    name: str
    private_key: str
    certificate: str | None
    generate: str
    bits: int
    days: int
    subject: Mapping[str, str]
    min_days_left: int | None
    passphrase_env: str | None
    position: Position | None = None
    base_dir: Path = Path(".")  # the playbook's folder: relative paths resolve against it


@dataclass(frozen=True)
class OrgSpec:
    """One org to run against; ``emulator`` is None for a real org, {} for default emulation.
    ``base_dir`` is the folder of the file that holds it (playbook or inventory)."""

    name: str
    login_url: str | None = None
    client_id: str | None = None
    username: str | None = None
    key: str | None = None
    private_key: str | None = None
    certificate: str | None = None
    passphrase_env: str | None = None
    audience: str | None = None
    emulator: Mapping[str, Any] | None = None
    production: bool = False
    insecure_http: bool = False
    vars: Layer = field(default_factory=dict)
    timeout: Timeout | None = None
    max_response_bytes: int | None = None
    instance_hosts: tuple[str, ...] = ()
    api_version: str | None = None
    implicit: bool = False
    position: Position | None = None
    base_dir: Path = Path(".")

    @property
    def is_emulated(self) -> bool:
        return self.emulator is not None


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


@dataclass(frozen=True)
class QuerySpec:
    soql: str
    all_rows: bool
    follow_pages: bool


@dataclass(frozen=True)
class ExpectSpec:
    """Expectations; matchers stay raw for checks.py to interpret."""

    status: int | tuple[int, ...] | str | None
    headers: Mapping[str, Any]
    json: Mapping[str, Any]
    schema: Mapping[str, Any] | None
    max_ms: float | str | None  # a template until the step renders it


@dataclass(frozen=True)
class StepSpec:
    index: int
    name: str
    kind: StepKind
    request: RequestSpec | None
    query: QuerySpec | None
    assertions: tuple[str, ...]
    expect: ExpectSpec | None
    register: str | None
    when: str | bool | None
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


@dataclass(frozen=True)
class Playbook:
    path: Path
    name: str
    vars: Layer
    keys: Mapping[str, KeySpec]
    orgs: Mapping[str, OrgSpec]
    steps: tuple[StepSpec, ...]
    document: Document

    @property
    def base_dir(self) -> Path:  # where its keys' relative paths and its .env are
        return self.path.parent


def load_playbook(
    path: str | os.PathLike[str], *, extra_org_names: Iterable[str] = ()
) -> Playbook:
    """Load, validate, build and cross-check a playbook file.

    A step's ``orgs:`` may name the playbook's orgs and ``extra_org_names``
    (with an inventory: its org and group names).
    """
    document = load_document(path)
    validate(document, "playbook")
    playbook = build_playbook(document)
    check_step_orgs(playbook, [*playbook.orgs, *extra_org_names])
    return playbook


def build_playbook(document: Document) -> Playbook:
    """Build the model from a schema-valid document and check references between parts."""
    data: Mapping[str, Any] = document.data
    keys = {name: build_key(name, raw, document) for name, raw in data.get("keys", {}).items()}
    orgs = {name: build_org(name, raw, document) for name, raw in data.get("orgs", {}).items()}
    base_dir = Path(document.path).parent
    if not orgs:
        first_key = next(iter(keys), None)
        orgs = {IMPLICIT_ORG: OrgSpec(IMPLICIT_ORG, key=first_key, emulator={}, implicit=True,
                                      base_dir=base_dir)}
    for name, org in orgs.items():
        if org.key is not None and org.key not in keys and not org.implicit:
            raise document.error(
                ("orgs", name, "key"),
                f"orgs.{name}.key: no key named {org.key!r}{did_you_mean(org.key, keys)}",
                hint="name an entry of keys:, or give private_key: PATH instead",
                key=False,
            )
    steps = tuple(
        build_step(index, raw, document) for index, raw in enumerate(data.get("steps", []))
    )
    variables = document_layer(document, data.get("vars", {}), ("vars",))
    return Playbook(Path(document.path), data["name"], variables, keys, orgs, steps, document)


def build_key(name: str, raw: Mapping[str, Any], document: Document) -> KeySpec:
    return KeySpec(
        name=name,
        private_key=raw["private_key"],
        certificate=raw.get("certificate"),
        generate=raw.get("generate", "if_missing"),
        bits=int(raw.get("bits", 2048)),
        days=int(raw.get("days", 365)),
        subject=dict(raw.get("subject", {"CN": "sfjwt-run"})),
        min_days_left=_int_or_none(raw.get("min_days_left")),
        passphrase_env=raw.get("passphrase_env"),
        position=document.position_of(("keys", name)),
        base_dir=Path(document.path).parent,
    )


def build_org(name: str, raw: Mapping[str, Any], document: Document) -> OrgSpec:
    """An OrgSpec from a schema-valid ``orgs.NAME`` mapping of a playbook or inventory."""
    emulator = raw.get("emulator", False)
    return OrgSpec(
        name=name,
        login_url=raw.get("login_url"),
        client_id=raw.get("client_id"),
        username=raw.get("username"),
        key=raw.get("key"),
        private_key=raw.get("private_key"),
        certificate=raw.get("certificate"),
        passphrase_env=raw.get("passphrase_env"),
        audience=raw.get("audience"),
        emulator=None if emulator is False else ({} if emulator is True else dict(emulator)),
        production=raw.get("production", False),
        insecure_http=raw.get("insecure_http", False),
        vars=document_layer(document, raw.get("vars", {}), ("orgs", name, "vars")),
        timeout=_timeout(raw.get("timeout")),
        max_response_bytes=_int_or_none(raw.get("max_response_bytes")),
        instance_hosts=tuple(raw.get("instance_hosts", ())),
        api_version=raw.get("api_version"),
        position=document.position_of(("orgs", name)),
        base_dir=Path(document.path).parent,
    )


def _int_or_none(raw: Any) -> int | None:
    """Integers as int: JSON Schema also calls 30.0 an integer."""
    return None if raw is None else int(raw)


def _timeout(raw: Any) -> Timeout | None:
    if raw is None:
        return None
    if isinstance(raw, Mapping):
        return (float(raw["connect"]), float(raw["read"]))
    return float(raw)


def build_step(index: int, raw: Mapping[str, Any], document: Document) -> StepSpec:
    base: JsonPath = ("steps", index)
    kind = _kind(raw)
    register = raw.get("register")
    if register in RESERVED_NAMES:
        raise document.error(
            (*base, "register"),
            f"steps[{index}].register: {register!r} is reserved "
            f"(reserved: {', '.join(sorted(RESERVED_NAMES))})",
            hint="pick another name, such as 'result'",
            key=False,
        )
    asserted = raw.get("assert", ())
    return StepSpec(
        index=index,
        name=raw["name"],
        kind=kind,
        request=_request(raw["request"]) if kind == "request" else None,
        query=_query(raw["query"]) if kind == "query" else None,
        assertions=(asserted,) if isinstance(asserted, str) else tuple(asserted),
        expect=_expect(raw["expect"]) if "expect" in raw else None,
        register=register,
        when=raw.get("when"),
        loop=raw.get("loop"),
        retries=int(raw.get("retries", 0)),
        delay=float(raw.get("delay", 1)),
        until=raw.get("until"),
        tags=_strings(raw.get("tags", ())),
        orgs=_strings(raw.get("orgs", ())),
        ignore_errors=raw.get("ignore_errors", False),
        allow_write=raw.get("allow_write", False),
        timeout=float(raw["timeout"]) if "timeout" in raw else None,
        max_response_bytes=_int_or_none(raw.get("max_response_bytes")),
        position=document.position_of(base),
    )


def _kind(raw: Mapping[str, Any]) -> StepKind:
    if "request" in raw:
        return "request"
    return "query" if "query" in raw else "assert"


def _strings(raw: str | Iterable[str]) -> tuple[str, ...]:
    return (raw,) if isinstance(raw, str) else tuple(raw)


def _request(raw: Mapping[str, Any]) -> RequestSpec:
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
    )


def _query(raw: str | Mapping[str, Any]) -> QuerySpec:
    if isinstance(raw, str):
        return QuerySpec(raw, all_rows=False, follow_pages=True)
    return QuerySpec(raw["soql"], raw.get("all_rows", False), raw.get("follow_pages", True))


def _expect(raw: Mapping[str, Any]) -> ExpectSpec:
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


def check_step_orgs(playbook: Playbook, names: Iterable[str]) -> None:
    """Every name or glob in a step's ``orgs:`` must match at least one known org."""
    known = sorted(set(names))
    for step in playbook.steps:
        for position, pattern in enumerate(step.orgs):
            if any(fnmatch.fnmatchcase(name, pattern) for name in known):
                continue
            path = ("steps", step.index, "orgs") + ((position,) if _is_list(playbook, step) else ())
            suggestion = did_you_mean(pattern, known)
            raise playbook.document.error(
                path,
                f"steps[{step.index}].orgs: no org matches {pattern!r}{suggestion}",
                hint="known orgs: " + (", ".join(known) or "none"),
                key=False,
            )


def _is_list(playbook: Playbook, step: StepSpec) -> bool:
    raw = playbook.document.data["steps"][step.index].get("orgs")
    return isinstance(raw, list)

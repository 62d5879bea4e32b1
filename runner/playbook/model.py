"""The playbook as frozen dataclasses, built from a schema-valid document.

Building trusts the schema for shapes and applies defaults; the few rules a
schema cannot state (a key that names a ``keys:`` entry, reserved ``register``
names, step ``orgs`` that match some org) are checked here, each as a
positioned PlaybookError with a did-you-mean. Steps and blocks are built by
``runner.playbook.steps``. Variables keep where each one is written
(``origins``); override by copy (``dataclasses.replace``), never by mutation.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from runner.errors import Position
from runner.playbook.datafiles import vars_files_layer
from runner.playbook.document import Document, JsonPath, format_path
from runner.playbook.loader import load_document
from runner.playbook.origins import Layer, document_layer
from runner.playbook.project import FileSearch, Project
from runner.playbook.source import Link
from runner.playbook.source import with_chain as chained
from runner.playbook.stepfiles import Expansion
from runner.playbook.steps import BlockSpec, Node, StepSpec, leaves
from runner.playbook.suggest import did_you_mean
from runner.playbook.tree import build_body
from runner.playbook.validation import validate

IMPLICIT_ORG = "embedded"
DEFAULT_API_VERSION = "v60.0"
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
class Playbook:
    path: Path
    name: str
    vars: Layer
    keys: Mapping[str, KeySpec]
    orgs: Mapping[str, OrgSpec]
    steps: tuple[StepSpec, ...]  # every step, blocks' included, in document order
    document: Document
    body: tuple[Node, ...] = ()  # the steps as written: steps and blocks
    keep_going: bool = False
    any_errors_fatal: bool = False
    max_fail_percentage: float | None = None
    project: Project = field(default_factory=lambda: Project(()))  # where its files may be
    defaults: Layer = field(default_factory=dict)  # of its roles: entries, for every step

    @cached_property
    def base_dir(self) -> Path:  # where its keys' relative paths and its .env are
        return self.path.parent


def load_playbook(
    path: str | os.PathLike[str], *, extra_org_names: Iterable[str] = (),
    root: Path | None = None,
) -> Playbook:
    """Load, validate, build and cross-check a playbook file.

    A step's ``orgs:`` may name the playbook's orgs and ``extra_org_names``
    (with an inventory: its org and group names). Data files stay inside ``root``
    (``--root``), by default the playbook's folder.
    """
    document = load_document(path)
    validate(document, "playbook")
    folder = Path(document.path).parent
    project = Project.at(root, explicit=True) if root is not None else Project.at(folder)
    playbook = build_playbook(document, project)
    check_step_orgs(playbook, [*playbook.orgs, *extra_org_names])
    return playbook


def build_playbook(document: Document, project: Project | None = None) -> Playbook:
    """Build the model from a schema-valid document and check references between parts;
    the step files and data files it names are read inside ``project``."""
    project = project or Project.at(Path(document.path).parent)
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
    fatal = data.get("any_errors_fatal", False)
    files = Expansion(project, base_dir)
    body = build_body(document, any_errors_fatal=fatal, files=files)
    variables = {**document_layer(document, data.get("vars", {}), ("vars",)),
                 **vars_files_layer(document, project)}
    percentage = data.get("max_fail_percentage")
    return Playbook(Path(document.path), data["name"], variables, keys, orgs,
                    tuple(leaves(body)), document, body, data.get("keep_going", False), fatal,
                    None if percentage is None else float(percentage), project, files.exported)


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


def check_step_orgs(playbook: Playbook, names: Iterable[str]) -> None:
    """Every name or glob in a step's or block's ``orgs:`` must match at least one known org."""
    known = sorted(set(names))
    for document, path, raw, chain in _nodes(playbook.document, playbook.body):
        patterns = raw.get("orgs", ()) if isinstance(raw, Mapping) else ()
        for position, pattern in enumerate([patterns] if isinstance(patterns, str) else patterns):
            if any(fnmatch.fnmatchcase(name, pattern) for name in known):
                continue
            where = (*path, "orgs") + ((position,) if isinstance(patterns, list) else ())
            raise chained(document.error(
                where,
                f"{format_path((*path, 'orgs'))}: no org matches {pattern!r}"
                f"{did_you_mean(pattern, known)}",
                hint="known orgs: " + (", ".join(known) or "none"),
                key=False,
            ), chain)


def step_files(playbook: Playbook, step: StepSpec) -> FileSearch:
    """Where a step's relative file names are looked up: its role, its file, the playbook."""
    if step.source is None:  # pragma: no cover - every built step knows its source
        return FileSearch(playbook.project, (playbook.base_dir,))
    return step.source.files(playbook.project, playbook.base_dir)


def raw_at(document: Document, path: JsonPath) -> Any:
    """The value at ``path`` of a loaded document."""
    value = document.data
    for part in path:
        value = value[part]
    return value


def _nodes(document: Document, body: Iterable[Node]
           ) -> Iterable[tuple[Document, JsonPath, Any, tuple[Link, ...]]]:
    """(file, path, raw value, chain) of every step and block, in document order, those of
    the files they pull in included."""
    for node in body:
        source = node.source
        own = source.document if source is not None else document
        yield own, node.path, raw_at(own, node.path), source.chain if source else ()
        if isinstance(node, BlockSpec):
            yield from _nodes(own, (*node.block, *node.rescue, *node.always))
        elif node.include is not None and node.include.body is not None:
            yield from _nodes(own, node.include.body)

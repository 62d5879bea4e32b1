"""Turn an org's settings into credentials the client can use.

Renders the org's templated fields (``client_id: "{{ env.UAT_CLIENT_ID }}"``),
picks its key pair, and, for emulated orgs, registers the key's certificate and
the integration user with the embedded org — what an admin does in Setup.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner import secrets
from runner.context import current
from runner.errors import KeyMaterialError, PlaybookError, Position
from runner.playbook.environ import as_text
from runner.playbook.model import KeySpec, OrgSpec
from runner.playbook.scope import Scope
from runner.playbook.templating import TemplateRenderError, render
from runner.run.embedded import EmbeddedOrgs, ServedOrg
from runner.salesforce import keys as keymod
from runner.salesforce.auth import SANDBOX_AUDIENCE, JwtCredentials


@dataclass(frozen=True)
class PreparedOrg:
    """An org ready to log in: credentials plus the values templates see as ``org.*``."""

    name: str
    spec: OrgSpec
    credentials: JwtCredentials
    key_pair: keymod.KeyPair
    variables: Mapping[str, Any]


def passphrase_from_env(variable: str | None) -> bytes | None:
    """Read a key's passphrase from the environment variable the playbook names."""
    if not variable:
        return None
    value = current().environ.get(variable)
    if value is None:
        raise KeyMaterialError(
            f"the key is protected by a passphrase read from ${variable}, which is not set",
            hint=f"export {variable}=... before running",
        )
    secrets.register(value)
    secrets.register(as_text(value))  # the form templates see as env.*
    return value.encode("utf-8", "surrogateescape")  # the variable's bytes, even if not UTF-8


def _render_field(spec: OrgSpec, name: str, scope: Scope) -> Any:
    try:
        return scope.org_setting(name)
    except TemplateRenderError as exc:
        message = f"orgs.{spec.name}.{name}: {exc.message}"
        raise PlaybookError(message, position=spec.position) from None


def path_setting(
    scope: Scope, where: str, raw: str, base_dir: Path, position: Position | None
) -> Path:
    """A path setting (``private_key``, ``certificate``) rendered and made relative to the
    file that holds it; a template that fails is a positioned PlaybookError."""
    try:
        return scope.path(raw, base_dir)
    except TemplateRenderError as exc:
        raise PlaybookError(f"{where}: {exc.message}", position=position) from None


def org_key_files(spec: OrgSpec, scope: Scope) -> tuple[Path | None, Path | None]:
    """The org's own ``private_key`` and ``certificate`` paths (None when not given)."""
    where, base, position = f"orgs.{spec.name}", spec.base_dir, spec.position
    key, certificate = spec.private_key, spec.certificate
    return (
        path_setting(scope, f"{where}.private_key", key, base, position) if key else None,
        path_setting(scope, f"{where}.certificate", certificate, base, position)
        if certificate else None,
    )


def key_files(spec: KeySpec, scope: Scope) -> tuple[Path, Path | None]:
    """A ``keys:`` entry's private key and certificate paths."""
    where, base, position = f"keys.{spec.name}", spec.base_dir, spec.position
    certificate = spec.certificate
    return (
        path_setting(scope, f"{where}.private_key", spec.private_key, base, position),
        path_setting(scope, f"{where}.certificate", certificate, base, position)
        if certificate else None,
    )


class KeyFiles:
    """The key files one run loads, each distinct one (file, certificate, passphrase) once
    however many orgs name it: the first lane to need it loads it (an RSA key costs tens of
    milliseconds of CPU) and the lanes that name it too wait for that load. A load that
    fails is not kept: each org that names the file reports the error itself."""

    def __init__(self) -> None:
        self._pairs: dict[tuple[Path, Path | None, str | None], keymod.KeyPair] = {}
        self._locks: dict[tuple[Path, Path | None, str | None], threading.Lock] = {}
        self._lock = threading.Lock()

    def load(
        self, private_key: Path, certificate: Path | None, passphrase_env: str | None
    ) -> keymod.KeyPair:
        key = (private_key.resolve(), certificate.resolve() if certificate else None,
               passphrase_env)
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._pairs:
                self._pairs[key] = keymod.load_key_pair(
                    private_key, certificate, passphrase_from_env(passphrase_env),
                    passphrase_env=passphrase_env,
                )
            return self._pairs[key]


def key_pair_for(
    spec: OrgSpec, key_pairs: Mapping[str, keymod.KeyPair], scope: Scope,
    key_files: KeyFiles | None = None,
) -> keymod.KeyPair:
    if spec.key:
        if spec.key not in key_pairs:
            raise KeyMaterialError(f"key {spec.key!r} was not prepared")
        return key_pairs[spec.key]
    private_key, certificate = org_key_files(spec, scope)
    if private_key is not None:
        return (key_files or KeyFiles()).load(private_key, certificate, spec.passphrase_env)
    if spec.is_emulated:
        return keymod.ephemeral_key_pair()
    raise KeyMaterialError(f"org {spec.name!r} names no key and no private_key")


@dataclass(frozen=True)
class OrgPlan:
    """An org's fields rendered, before an emulated one is added to the embedded org:
    a run adds all its emulated orgs at once (:meth:`EmbeddedOrgs.register_many`)."""

    spec: OrgSpec
    key_pair: keymod.KeyPair
    fields: Mapping[str, Any]
    emulator: Mapping[str, Any] | None  # the options of an emulated org, rendered

    def registration(self) -> tuple[OrgSpec, Mapping[str, Any], str]:
        """What adding it to the embedded org takes."""
        return self.spec, self.emulator or {}, self.key_pair.certificate_pem()


def plan_org(spec: OrgSpec, *, key_pair: keymod.KeyPair, scope: Scope) -> OrgPlan:
    """Render one org in the scope of its login; raises PlaybookError."""
    fields = {
        name: _render_field(spec, name, scope)
        for name in ("login_url", "client_id", "username", "audience", "api_version")
    }
    if not spec.is_emulated:
        return OrgPlan(spec, key_pair, fields, None)
    try:
        options = dict(render(dict(spec.emulator or {}), scope))
    except TemplateRenderError as exc:
        message = f"orgs.{spec.name}.emulator: {exc.message}"
        raise PlaybookError(message, position=spec.position) from None
    for name in ("client_id", "username"):
        if fields[name] and name not in options:
            options[name] = fields[name]
    return OrgPlan(spec, key_pair, fields, options)


def prepare_org(
    spec: OrgSpec,
    *,
    key_pair: keymod.KeyPair,
    scope: Scope,
    embedded: EmbeddedOrgs,
) -> PreparedOrg:
    """Resolve one org in the scope of its login; raises PlaybookError or the emulator's errors."""
    plan = plan_org(spec, key_pair=key_pair, scope=scope)
    served = embedded.register(*plan.registration()) if plan.emulator is not None else None
    return prepared_org(plan, served)


def prepared_org(plan: OrgPlan, served: ServedOrg | None) -> PreparedOrg:
    """The org ready to log in; ``served``: the embedded org's answer for an emulated one."""
    spec, key_pair, fields = plan.spec, plan.key_pair, dict(plan.fields)
    if served is not None:
        fields.update(login_url=served.login_url, client_id=served.client_id,
                      username=served.username)
        if not fields["audience"] and served.type == "sandbox":
            fields["audience"] = SANDBOX_AUDIENCE
    credentials = JwtCredentials(
        login_url=str(fields["login_url"]).rstrip("/"),
        client_id=str(fields["client_id"]),
        username=str(fields["username"]),
        private_key=key_pair.private_key,
        audience=fields["audience"] or None,
    )
    variables = {
        "name": spec.name,
        "login_url": credentials.login_url,
        "client_id": credentials.client_id,
        "username": credentials.username,
        "emulated": spec.is_emulated,
        "production": spec.production,
        "api_version": str(fields["api_version"]),
        "certificate_days_left": key_pair.days_left(),
    }
    return PreparedOrg(spec.name, spec, credentials, key_pair, variables)

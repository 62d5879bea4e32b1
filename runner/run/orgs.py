"""Turn an org's settings into credentials the client can use.

Renders the org's templated fields (``client_id: "{{ env.UAT_CLIENT_ID }}"``),
picks its key pair, and, for emulated orgs, registers the key's certificate and
the integration user with the embedded org — what an admin does in Setup.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner import secrets
from runner.errors import KeyMaterialError, PlaybookError
from runner.playbook.model import OrgSpec
from runner.playbook.templating import TemplateRenderError, render
from runner.playbook.variables import as_text
from runner.run.embedded import EmbeddedOrgs
from runner.salesforce import keys as keymod
from runner.salesforce.auth import SANDBOX_AUDIENCE, JwtCredentials

DEFAULT_API_VERSION = "v60.0"


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
    value = os.environ.get(variable)
    if value is None:
        raise KeyMaterialError(
            f"the key is protected by a passphrase read from ${variable}, which is not set",
            hint=f"export {variable}=... before running",
        )
    secrets.register(value)
    secrets.register(as_text(value))  # the form templates see as env.*
    return value.encode("utf-8", "surrogateescape")  # the variable's bytes, even if not UTF-8


def _render_field(spec: OrgSpec, name: str, context: Mapping[str, Any]) -> Any:
    value = getattr(spec, name)
    try:
        return render(value, context)
    except TemplateRenderError as exc:
        message = f"orgs.{spec.name}.{name}: {exc.message}"
        raise PlaybookError(message, position=spec.position) from None


def key_pair_for(
    spec: OrgSpec, key_pairs: Mapping[str, keymod.KeyPair], base_dir: Path
) -> keymod.KeyPair:
    if spec.key:
        if spec.key not in key_pairs:
            raise KeyMaterialError(f"key {spec.key!r} was not prepared")
        return key_pairs[spec.key]
    if spec.private_key:
        certificate = base_dir / spec.certificate if spec.certificate else None
        return keymod.load_key_pair(
            base_dir / spec.private_key, certificate, passphrase_from_env(spec.passphrase_env),
            passphrase_env=spec.passphrase_env,
        )
    if spec.is_emulated:
        return keymod.ephemeral_key_pair()
    raise KeyMaterialError(f"org {spec.name!r} names no key and no private_key")


def prepare_org(
    spec: OrgSpec,
    *,
    key_pair: keymod.KeyPair,
    context: Mapping[str, Any],
    embedded: EmbeddedOrgs,
) -> PreparedOrg:
    """Resolve one org; raises PlaybookError or the emulator's errors."""
    fields = {
        name: _render_field(spec, name, context)
        for name in ("login_url", "client_id", "username", "audience")
    }
    if spec.is_emulated:
        options = dict(render(dict(spec.emulator or {}), context))
        for name in ("client_id", "username"):
            if fields[name] and name not in options:
                options[name] = fields[name]
        org = embedded.register(spec, options, key_pair.certificate_pem())
        fields.update(login_url=org.login_url, client_id=org.client_id, username=org.username)
        if not fields["audience"] and org.type == "sandbox":
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
        "api_version": spec.api_version or DEFAULT_API_VERSION,
        "certificate_days_left": key_pair.days_left(),
    }
    return PreparedOrg(spec.name, spec, credentials, key_pair, variables)

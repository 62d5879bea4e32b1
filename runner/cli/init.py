"""``sfjwt-run init DIR``: a working project for one org, and the Setup checklist.

Writes a key (mode 0600) and certificate, a playbook, an inventory whose values
come from environment variables, ``.env.example`` and a ``.gitignore`` that
keeps keys and ``.env`` out of git. With ``--from-env`` it imports the JWT
tutorial's ``.env`` (KeyFile, ClientId, UserName, Domain) and reuses its key.
Existing files are never overwritten.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from runner.errors import KeyMaterialError, UsageError
from runner.salesforce import keys

PLAYBOOK = """\
# yaml-language-server: $schema={schema}
name: Smoke — log in and read an Account

vars:
  api: v60.0

steps:
  - name: API versions are listed
    request: {{method: GET, path: /services/data/}}
    expect: {{status: 200}}

  - name: Find an account with a number
    query: SELECT Id, Name, AccountNumber FROM Account WHERE AccountNumber != null LIMIT 1
    expect:
      json:
        totalSize: {{gte: 1}}
    register: found

  - name: Read it by id
    request:
      path: /services/data/{{{{ api }}}}/sobjects/Account/{{{{ found.json.records[0].Id }}}}
      params: {{fields: "Name,AccountNumber"}}
    expect:
      status: 200
      json:
        Name: {{equals: "{{{{ found.json.records[0].Name }}}}"}}

  - name: API headroom
    request: {{path: "/services/data/{{{{ api }}}}/limits"}}
    expect:
      json:
        "DailyApiRequests.Remaining": {{gte: 1000}}
"""

INVENTORY = """\
# yaml-language-server: $schema={schema}
orgs:
  {org}:
    login_url: "{{{{ env.SF_LOGIN_URL }}}}"
    client_id: "{{{{ env.SF_CLIENT_ID }}}}"
    username: "{{{{ env.SF_USERNAME }}}}"
    private_key: {key}{certificate}
"""

ENV_EXAMPLE = """\
# Copy to .env (never commit it) or export these in your shell / CI secrets.
# https://test.salesforce.com for a sandbox, https://login.salesforce.com for production
SF_LOGIN_URL={login_url}
# Setup → App Manager → your connected app → Manage Consumer Details → Consumer Key
SF_CLIENT_ID={client_id}
SF_USERNAME={username}
"""

GITIGNORE = """\
# private keys and local secrets never belong in git
certs/*.key
*.key
.env
reports/
"""

TUTORIAL_KEYS = ("KeyFile", "ClientId", "UserName", "Domain")

CHECKLIST = """\
Salesforce Setup checklist (once per org):
  1. Integration user: Salesforce Integration licence, a profile cloned from
     "Salesforce API Only System Integrations", and a permission set granting the
     objects it needs (e.g. Read on Account and its fields).
  2. Setup → App Manager → New Connected App: Enable OAuth Settings, callback
     https://localhost, "Use digital signatures" with {certificate} uploaded.
  3. OAuth scopes: "Manage user data via APIs (api)" and
     "Perform requests at any time (refresh_token, offline_access)".
  4. Manage → Edit Policies → Permitted Users: "Admin approved users are
     pre-authorized"; then Manage Profiles (or Permission Sets) and add the
     integration user's.
  5. Copy the Consumer Key into SF_CLIENT_ID ({env_file}).
Then, in {directory}:
  sfjwt-run -i inventory.yml playbook.yml --syntax-check
  sfjwt-run -i inventory.yml playbook.yml --doctor
  sfjwt-run -i inventory.yml playbook.yml
"""


@dataclass
class Scaffold:
    """What ``init`` wrote, for the message it prints."""

    directory: Path
    created: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    checklist: str = ""
    warnings: list[str] = field(default_factory=list)


def _write(scaffold: Scaffold, name: str, text: str) -> None:
    path = scaffold.directory / name
    if path.exists():
        scaffold.kept.append(path)
        return
    path.write_text(text, encoding="utf-8")
    scaffold.created.append(path)


def read_tutorial_env(path: Path) -> dict[str, str]:
    """The tutorial's ``.env``: KeyFile, ClientId, UserName, Domain."""
    if not path.is_file():
        raise UsageError(f"--from-env {path}: no such file")
    values = {k: v or "" for k, v in dotenv_values(path).items()}
    missing = [name for name in TUTORIAL_KEYS if not values.get(name)]
    if missing:
        raise UsageError(f"--from-env {path}: missing {', '.join(missing)}",
                         hint="the tutorial's .env names KeyFile, ClientId, UserName and Domain")
    return values


def _schema_ref(directory: Path, name: str) -> str:
    local = Path(__file__).resolve().parents[2] / "schemas" / name
    if local.exists():
        return os.path.relpath(local, directory.resolve())
    return f"https://sfjwt-run.dev/schemas/{name}"


def init_project(directory: Path, *, from_env: Path | None = None, org: str = "myorg") -> Scaffold:
    """Create (or complete) a project in ``directory``; never overwrites a file."""
    directory.mkdir(parents=True, exist_ok=True)
    scaffold = Scaffold(directory)
    certificate_line = ""
    settings: Mapping[str, str] = {"login_url": "https://login.salesforce.com",
                                   "client_id": "", "username": ""}
    if from_env is not None:
        tutorial = read_tutorial_env(from_env)
        key_path = (from_env.parent / tutorial["KeyFile"]).resolve()
        keys.load_key_pair(key_path, check_mode=False)  # reuse it: it must load now, not later
        try:
            keys.check_permissions(key_path)
        except KeyMaterialError as exc:
            scaffold.warnings.append(f"{exc.message}" + (f" ({exc.hint})" if exc.hint else ""))
        key_ref = os.path.relpath(key_path, directory.resolve())
        settings = {"login_url": tutorial["Domain"].rstrip("/"),
                    "client_id": tutorial["ClientId"], "username": tutorial["UserName"]}
        certificate = str(key_path.with_suffix(".crt"))
        if key_path.with_suffix(".crt").exists():
            relative = os.path.relpath(certificate, directory.resolve())
            certificate_line = f"\n    certificate: {relative}"
        _write(scaffold, ".env", ENV_EXAMPLE.format(**settings))
    else:
        key_ref = "certs/server.key"
        certificate_line = "\n    certificate: certs/server.crt"
        _, changed = keys.ensure_key_pair(
            private_key=directory / "certs" / "server.key",
            certificate=directory / "certs" / "server.crt",
            subject={"CN": "sfjwt-run"},
        )
        target = scaffold.created if changed else scaffold.kept
        target.extend([directory / "certs" / "server.key", directory / "certs" / "server.crt"])
        certificate = str(directory / "certs" / "server.crt")
    _write(scaffold, "playbook.yml",
           PLAYBOOK.format(schema=_schema_ref(directory, "playbook.schema.json")))
    _write(scaffold, "inventory.yml",
           INVENTORY.format(schema=_schema_ref(directory, "inventory.schema.json"),
                            org=org, key=key_ref, certificate=certificate_line))
    _write(scaffold, ".env.example",
           ENV_EXAMPLE.format(login_url=settings["login_url"], client_id="", username=""))
    _write(scaffold, ".gitignore", GITIGNORE)
    scaffold.checklist = CHECKLIST.format(
        certificate=certificate, directory=directory,
        env_file=".env" if from_env else ".env.example → .env",
    )
    return scaffold

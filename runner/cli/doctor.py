"""``sfjwt-run --doctor``: diagnose every targeted org without writing anything.

Keys are loaded, never generated; each org gets the doctor's findings (key and
certificate, expiry, permissions, reachability, clock skew, audience, claims,
one token exchange) printed with the fix for anything that is wrong.
"""

from __future__ import annotations

from pathlib import Path

from runner.cli.environment import Environment
from runner.errors import ExitStatus, SfjwtError
from runner.playbook.model import OrgSpec, Playbook
from runner.playbook.scope import RunVars, Scope, build_scope
from runner.playbook.templating import TemplateRenderError
from runner.report import doctor as report_doctor
from runner.run.embedded import EmbeddedOrgs
from runner.run.orgs import key_files, org_key_files, passphrase_from_env, prepare_org
from runner.salesforce import doctor, keys
from runner.salesforce.http import new_session

KeyFiles = tuple[Path, Path | None, str | None, int, str]


def _key_files(playbook: Playbook, org: OrgSpec, scope: Scope) -> KeyFiles:
    """The org's key file, certificate, passphrase variable, expiry threshold, and the fix
    for a key file that does not exist."""
    if org.key:
        spec = playbook.keys[org.key]
        private_key, certificate = key_files(spec, scope)
        fix = (f"run the playbook once (keys.{spec.name} has generate: if_missing, which makes "
               "it) or fix the path" if spec.generate == "if_missing" else
               f"check keys.{spec.name}.private_key: it has generate: never, and a relative "
               "path resolves against the playbook's folder")
        return private_key, certificate, spec.passphrase_env, spec.min_days_left or 30, fix
    own_key, certificate = org_key_files(org, scope)
    assert own_key is not None
    holder = org.position.file if org.position else "the playbook"
    fix = (f"check orgs.{org.name}.private_key: nothing generates it, and a relative path "
           f"resolves against the folder of {holder}")
    return own_key, certificate, org.passphrase_env, 30, fix


Loaded = tuple[keys.KeyPair | None, list[doctor.Finding], int]


def _load(playbook: Playbook, org: OrgSpec, scope: Scope) -> Loaded:
    if not org.key and not org.private_key:
        return keys.ephemeral_key_pair(), [
            doctor.Finding("key loads", doctor.Status.OK, "throwaway in-memory key (embedded org)")
        ], 30
    try:
        private_key, certificate, variable, min_days, fix = _key_files(playbook, org, scope)
    except SfjwtError as exc:
        return None, [doctor.Finding("key loads", doctor.Status.FAIL, exc.message)], 30
    if not private_key.exists():
        return None, [doctor.Finding("key loads", doctor.Status.FAIL,
                                     f"{private_key} does not exist", fix=fix)], min_days
    try:
        passphrase = passphrase_from_env(variable)
    except SfjwtError as exc:
        failed = doctor.Finding("key loads", doctor.Status.FAIL, exc.message, fix=exc.hint)
        return None, [failed], min_days
    pair, findings = doctor.load_for_diagnosis(private_key, certificate, passphrase,
                                               passphrase_env=variable)
    return pair, findings, min_days


def diagnose_org(
    playbook: Playbook, org: OrgSpec, scope: Scope, embedded: EmbeddedOrgs,
    verify: bool | str,
) -> list[doctor.Finding]:
    pair, findings, min_days = _load(playbook, org, scope)
    if pair is None:
        return findings
    try:
        prepared = prepare_org(org, key_pair=pair, scope=scope, embedded=embedded)
    except SfjwtError as exc:
        return [*findings, doctor.Finding("org settings", doctor.Status.FAIL, exc.message,
                                          fix=exc.hint)]
    with new_session() as session:
        return findings + doctor.diagnose(
            prepared.credentials, pair, session, verify=verify,
            insecure_http=org.insecure_http, min_days_left=min_days,
        )


def _where(org: OrgSpec, scope: Scope) -> str:
    if org.is_emulated:
        return "embedded org"
    try:
        return str(scope.org_setting("login_url") or "")
    except TemplateRenderError:
        return org.login_url or ""


def run_doctor(
    env: Environment, playbook: Playbook, run: RunVars, verify: bool | str = True,
) -> ExitStatus:
    """Diagnose every org of the playbook; exit 3 when any org has a failing check."""
    report_doctor.print_header(env.stdout, playbook)
    embedded = EmbeddedOrgs()
    status = ExitStatus.OK
    try:
        for org in playbook.orgs.values():
            scope = build_scope(run, org)
            report_doctor.print_org(env.stdout, org.name, _where(org, scope))
            findings = diagnose_org(playbook, org, scope, embedded, verify)
            report_doctor.print_findings(env.stdout, findings)
            if doctor.worst(findings) is doctor.Status.FAIL:
                status = ExitStatus.ORG_UNREACHABLE
    finally:
        embedded.stop()
    report_doctor.print_verdict(env.stdout, passed=status is ExitStatus.OK)
    return status

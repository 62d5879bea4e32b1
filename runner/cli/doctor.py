"""``sfjwt-run --doctor``: diagnose every targeted org without writing anything.

Keys are loaded, never generated; each org gets the doctor's findings (key and
certificate, expiry, permissions, reachability, clock skew, audience, claims,
one token exchange) printed with the fix for anything that is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runner.cli.environment import Environment
from runner.errors import ExitStatus, SfjwtError
from runner.playbook.model import OrgSpec, Playbook
from runner.playbook.templating import TemplateRenderError, render
from runner.report import doctor as report_doctor
from runner.run.embedded import EmbeddedOrgs
from runner.run.orgs import passphrase_from_env, prepare_org
from runner.salesforce import doctor, keys
from runner.salesforce.http import new_session


def _key_files(playbook: Playbook, org: OrgSpec) -> tuple[Path, Path | None, str | None, int]:
    """The org's key file, certificate, passphrase variable and expiry threshold."""
    base = playbook.base_dir
    if org.key:
        spec = playbook.keys[org.key]
        certificate = base / spec.certificate if spec.certificate else None
        return base / spec.private_key, certificate, spec.passphrase_env, spec.min_days_left or 30
    assert org.private_key is not None
    certificate = base / org.certificate if org.certificate else None
    return base / org.private_key, certificate, org.passphrase_env, 30


Loaded = tuple[keys.KeyPair | None, list[doctor.Finding], int]


def _load(playbook: Playbook, org: OrgSpec) -> Loaded:
    if not org.key and not org.private_key:
        return keys.ephemeral_key_pair(), [
            doctor.Finding("key loads", doctor.Status.OK, "throwaway in-memory key (embedded org)")
        ], 30
    private_key, certificate, variable, min_days = _key_files(playbook, org)
    if not private_key.exists():
        fix = "run the playbook once (generate: if_missing makes it) or fix the path"
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
    playbook: Playbook, org: OrgSpec, context: Mapping[str, Any], embedded: EmbeddedOrgs,
    verify: bool | str,
) -> list[doctor.Finding]:
    pair, findings, min_days = _load(playbook, org)
    if pair is None:
        return findings
    try:
        prepared = prepare_org(org, key_pair=pair, context=context, embedded=embedded)
    except SfjwtError as exc:
        return [*findings, doctor.Finding("org settings", doctor.Status.FAIL, exc.message,
                                          fix=exc.hint)]
    with new_session() as session:
        return findings + doctor.diagnose(
            prepared.credentials, pair, session, verify=verify,
            insecure_http=org.insecure_http, min_days_left=min_days,
        )


def _where(org: OrgSpec, context: Mapping[str, Any]) -> str:
    if org.is_emulated:
        return "embedded org"
    try:
        return str(render(org.login_url or "", context))
    except TemplateRenderError:
        return org.login_url or ""


def run_doctor(
    env: Environment, playbook: Playbook, variables: Mapping[str, Any],
    environ: Mapping[str, str], verify: bool | str = True,
) -> ExitStatus:
    """Diagnose every org of the playbook; exit 3 when any org has a failing check."""
    report_doctor.print_header(env.stdout, playbook)
    embedded = EmbeddedOrgs(playbook.base_dir)
    status = ExitStatus.OK
    try:
        for org in playbook.orgs.values():
            context = {**variables, **org.vars, "vars": variables, "env": environ}
            report_doctor.print_org(env.stdout, org.name, _where(org, context))
            findings = diagnose_org(playbook, org, context, embedded, verify)
            report_doctor.print_findings(env.stdout, findings)
            if doctor.worst(findings) is doctor.Status.FAIL:
                status = ExitStatus.ORG_UNREACHABLE
    finally:
        embedded.stop()
    report_doctor.print_verdict(env.stdout, passed=status is ExitStatus.OK)
    return status

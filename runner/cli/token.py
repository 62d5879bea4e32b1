"""``sfjwt-run token ORG``: log in to one org and print its token as shell exports.

``eval "$(sfjwt-run token uat -i inventory.yml)"`` sets ``SF_ACCESS_TOKEN`` and
``SF_INSTANCE_URL``, so the curl lines ``-v`` prints (``Authorization: Bearer
$SF_ACCESS_TOKEN``) can be pasted into that shell. This is the one place a token is
printed, and only because it was asked for by name; reports never carry one. The org
comes from the inventories and the playbook given, as for a run; an embedded org is
refused, since it would stop with this command and its token with it.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Mapping
from pathlib import Path

from runner.cli.environment import Environment
from runner.context import current
from runner.errors import ExitStatus, UsageError
from runner.playbook.environ import load_env
from runner.playbook.inventory import load_inventory, merge_orgs
from runner.playbook.model import KeySpec, OrgSpec, load_playbook
from runner.playbook.scope import RunVars, Scope, build_scope
from runner.playbook.variables import parse_extra_vars
from runner.report.text import print_unmasked
from runner.run.embedded import EmbeddedOrgs
from runner.run.orgs import key_files, org_key_files, passphrase_from_env, prepare_org
from runner.salesforce import keys
from runner.salesforce.http import OrgClient


def token_command(args: argparse.Namespace, env: Environment) -> ExitStatus:
    inventories = [load_inventory(Path(path)) for path in args.inventory]
    known = {name for inventory in inventories for name in inventory.orgs}
    if args.playbook and Path(args.playbook).is_dir():
        raise UsageError(f"{args.playbook}: a folder; token reads the orgs of one playbook",
                         hint="name the playbook (or the inventory, -i) that defines the org")
    playbook = (load_playbook(Path(args.playbook), extra_org_names=known)
                if args.playbook else None)
    orgs: dict[str, OrgSpec] = dict(playbook.orgs) if playbook else {}
    key_specs: Mapping[str, KeySpec] = playbook.keys if playbook else {}
    for inventory in inventories:
        orgs = merge_orgs(orgs, inventory, keys=key_specs)
    spec = _org(orgs, args.org)
    run = RunVars(playbook.vars if playbook else {}, parse_extra_vars(args.extra_vars),
                  load_env(current().cwd))
    scope = build_scope(run, spec)
    embedded = EmbeddedOrgs()
    try:
        prepared = prepare_org(spec, key_pair=_key_pair(spec, key_specs, scope), scope=scope,
                               embedded=embedded)
    finally:
        embedded.stop()
    client = OrgClient(prepared.credentials, verify=args.ca_bundle or True,
                       timeout=spec.timeout, insecure_http=spec.insecure_http)
    try:
        token = client.authenticate()
    finally:
        client.close()
    exports = (f"export SF_ACCESS_TOKEN={shlex.quote(token.access_token)} "
               f"SF_INSTANCE_URL={shlex.quote(token.instance_url)}")
    print_unmasked(env.unmasked or env.stdout.file, exports)
    return ExitStatus.OK


def _org(orgs: Mapping[str, OrgSpec], name: str) -> OrgSpec:
    if name not in orgs:
        listed = ", ".join(sorted(orgs)) or "none (give -i INVENTORY or a PLAYBOOK)"
        raise UsageError(f"no org named {name!r}; orgs: {listed}")
    spec = orgs[name]
    if spec.is_emulated:
        raise UsageError(f"org {name!r} is an embedded org: it stops when this command ends, "
                         "and its token with it",
                         hint="run sfjwt-emulator and give the org its login_url")
    return spec


def _key_pair(spec: OrgSpec, key_specs: Mapping[str, KeySpec], scope: Scope) -> keys.KeyPair:
    """The org's key pair, loaded as it is: a token never makes a key."""
    if spec.key:
        if spec.key not in key_specs:
            raise UsageError(f"org {spec.name!r} uses key {spec.key!r}, which no playbook "
                             "given here defines", hint="name the playbook that defines it")
        key_spec = key_specs[spec.key]
        private_key, certificate = key_files(key_spec, scope)
        variable = key_spec.passphrase_env
    else:
        own, certificate = org_key_files(spec, scope)
        if own is None:
            raise UsageError(f"org {spec.name!r} names no key and no private_key")
        private_key, variable = own, spec.passphrase_env
    return keys.load_key_pair(private_key, certificate, passphrase_from_env(variable),
                              passphrase_env=variable)

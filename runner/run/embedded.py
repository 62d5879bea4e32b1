"""The one way into the embedded org: the runner reaches ``runner.emulator`` only here.

An import-linter contract keeps it so, and the emulator imports nothing of the
runner but ``runner.errors``; either side can change inside without the other.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.emulator import EmulatedOrg, Emulator
from runner.emulator.config import load_config_file
from runner.errors import PlaybookError, UsageError
from runner.playbook.model import OrgSpec


class InvalidEmbeddedOrg(PlaybookError):
    """An org's ``emulator:`` options that the embedded org refuses: an invalid playbook."""


class EmbeddedOrgs:
    """Starts the in-process emulator on first use and hosts every emulated org on it."""

    def __init__(self) -> None:
        self._emulator: Emulator | None = None
        self._lock = threading.Lock()

    def register(
        self, spec: OrgSpec, options: Mapping[str, Any], certificate_pem: str
    ) -> EmulatedOrg:
        with self._lock:
            if self._emulator is None:
                self._emulator = Emulator()
                self._emulator.start()
            settings = {"name": spec.name, **options}
            if "certificate" not in settings:
                settings["certificate_pem"] = certificate_pem
            where = f"orgs.{spec.name}.emulator"
            try:
                # relative paths in the options resolve against the file that holds the org
                return self._emulator.add_org(settings, base_dir=spec.base_dir, where=where)
            except PlaybookError as exc:
                raise InvalidEmbeddedOrg(
                    exc.message, position=exc.position or spec.position, hint=exc.hint
                ) from None

    def stop(self) -> None:
        with self._lock:
            if self._emulator is not None:
                self._emulator.close()
                self._emulator = None


@dataclass(frozen=True)
class ServedOrg:
    """One org of a served embedded org, as a client logs in to it."""

    name: str
    login_url: str
    instance_url: str
    client_id: str
    username: str
    org_id: str


@contextmanager
def serving(
    options: Mapping[str, Any], *, certificate_pem: str, config: Path | None = None,
    https: bool = False, tls_cert_out: Path | None = None,
) -> Iterator[list[ServedOrg]]:
    """The embedded org on a loopback port for other clients (``sfjwt-emulator``'s options:
    one org from ``options``, or the orgs of a ``config`` file), each trusting
    ``certificate_pem`` unless it names its own certificate; stopped on leaving."""
    if config is not None and options:
        raise UsageError(f"org options given with a config file ({config}): "
                         f"{', '.join(sorted(options))}", hint="put them in the config file")
    emulator = Emulator(https=https, tls_cert_out=str(tls_cert_out) if tls_cert_out else None)
    try:
        entries = ([(dict(entry), locate) for entry, locate in load_config_file(str(config))]
                   if config is not None else [(dict(options), None)])
        base = config.parent if config is not None else Path.cwd()
        for index, (entry, locate) in enumerate(entries):
            if "certificate" not in entry:
                entry["certificate_pem"] = certificate_pem
            emulator.add_org(entry, base_dir=base, where=f"orgs[{index}]", locate=locate)
        emulator.start()
        yield [ServedOrg(org.name, org.login_url, org.instance_url, org.client_id, org.username,
                         org.org_id) for org in emulator.orgs]
    finally:
        emulator.close()

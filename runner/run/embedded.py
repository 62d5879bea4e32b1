"""The one way into the embedded org: the runner reaches ``runner.emulator`` only here.

An import-linter contract keeps it so, and the emulator imports nothing of the
runner but ``runner.errors``; either side can change inside without the other.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from runner.emulator import EmulatedOrg, Emulator
from runner.errors import PlaybookError
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

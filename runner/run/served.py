"""The embedded org served in-process on a loopback port, for other clients: the pytest
plugin's ``sfjwt_org`` fixture (``sfjwt-emulator`` is the same as a command)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from runner.emulator import Emulator
from runner.emulator.config import load_config_file
from runner.errors import UsageError
from runner.run.embedded import ServedOrg


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
                         org.org_id, org.type) for org in emulator.orgs]
    finally:
        emulator.close()

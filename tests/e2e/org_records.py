"""A standalone embedded org whose records a test reads back after the run.

The org keeps its records in a SQLite file (``sfjwt-emulator --data``); once
the run is over the test opens that file itself, so what it checks is what
reached the org, not what the runner says it sent.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from runner.salesforce import keys
from tests.e2e.standalone import standalone_emulator

CLIENT_ID = "RECIPE_APP"
USERNAME = "api.user@example.com"


@dataclass(frozen=True)
class StandaloneOrg:
    url: str
    data: Path
    private_key: Path

    def records(self, sobject: str, *fields: str) -> list[tuple[object, ...]]:
        """``fields`` of every record of ``sobject`` in the org, oldest first."""
        columns = ", ".join(f'"{name}"' for name in fields)
        with closing(sqlite3.connect(self.data)) as db:
            return db.execute(f'SELECT {columns} FROM "{sobject}" ORDER BY _seq').fetchall()


@contextmanager
def standalone_org(folder: Path) -> Iterator[StandaloneOrg]:
    """An org without sample records that trusts ``folder/certs/server.crt``."""
    private_key = folder / "certs" / "server.key"
    keys.ensure_key_pair(private_key=private_key, certificate=folder / "certs" / "server.crt")
    data = folder / "org.sqlite"
    with standalone_emulator("--cert", str(folder / "certs" / "server.crt"), "--client-id",
                             CLIENT_ID, "--username", USERNAME, "--no-sample-data",
                             "--data", str(data)) as url:
        yield StandaloneOrg(url, data, private_key)

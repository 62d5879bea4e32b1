"""Where the tests find the clients nobody here wrote that run on Node: jsforce and the
Salesforce CLI, and the Node.js that runs them.

Each is looked for in the variables that name it first (``NODE``; ``JSFORCE_DIR`` or
``NODE_PATH``; ``SF_CLI``), then in ``.clients/`` (what ``scripts/install-node-clients.sh``
installs), then on the PATH. A test that needs one that is missing is skipped.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

CLIENTS = Path(__file__).resolve().parents[1] / ".clients"
_BIN = CLIENTS / "bin"


def node() -> str | None:
    """The ``node`` to run jsforce with."""
    installed = _BIN / "node"
    return os.environ.get("NODE") or (str(installed) if installed.exists() else None) \
        or shutil.which("node")


def node_major(command: str | None) -> int:
    if command is None:
        return 0
    version = subprocess.run([command, "--version"], capture_output=True, text=True).stdout
    return int(version.lstrip("v").split(".")[0] or 0)


def jsforce_env() -> dict[str, str]:
    """An environment in which ``node`` finds jsforce, if it is installed anywhere known."""
    folder = os.environ.get("JSFORCE_DIR") or os.environ.get("NODE_PATH") or (
        str(CLIENTS / "node_modules") if (CLIENTS / "node_modules").exists() else "")
    return {**os.environ, "NODE_PATH": folder}


def sf_command() -> list[str] | None:
    """The Salesforce CLI: ``$SF_CLI`` (e.g. ``node …/bin/run.js``), ``.clients/bin/sf`` or
    ``sf`` on the PATH."""
    if os.environ.get("SF_CLI"):
        return shlex.split(os.environ["SF_CLI"])
    installed = _BIN / "sf"
    if installed.exists():
        return [str(installed)]
    found = shutil.which("sf")
    return [found] if found else None


def sf_runs_here(command: list[str]) -> bool:
    """Whether the CLI can run: it needs Node 22, which ``.clients/`` and ``$SF_CLI`` bring."""
    if os.environ.get("SF_CLI") or command[0] == str(_BIN / "sf"):
        return True
    return node_major(shutil.which("node")) >= 22


def client_env(**extra: str) -> dict[str, str]:
    """The environment for a client: ``.clients/bin`` first on the PATH (the CLI starts
    ``sf`` and ``node`` again by name)."""
    path = os.environ.get("PATH", "")
    if _BIN.exists():
        path = f"{_BIN}{os.pathsep}{path}"
    return {**os.environ, "PATH": path, **extra}


def sf_env(home: str, **extra: str) -> dict[str, str]:
    """The Salesforce CLI's environment: a home of its own, no telemetry, no update checks.
    The CLI reads ``SF_AUTOUPDATE_DISABLE``; oclif's update hook reads ``SF_DISABLE_AUTOUPDATE``
    and, without it, leaves ``sf update --autoupdate`` processes running after the tests."""
    return client_env(HOME=home, SF_DISABLE_TELEMETRY="true", SF_AUTOUPDATE_DISABLE="true",
                      SF_DISABLE_AUTOUPDATE="true", **extra)

"""The embedded orgs of a run in a process of their own, so they never compete with the runner
for its interpreter.

``main(FD)`` is a small server of servers: it imports the emulator once, then waits on
the Unix socket ``FD`` for sockets sent to it (``socket.send_fds``). For each one it
forks a fresh emulator process that serves one run over that socket (messages are
pickled by :mod:`multiprocessing.connection`): it answers ``("ready", base_url)``, then
each ``("add", options, base_dir, where, cwd)`` with ``("org", fields)``,
``("refused", message, position, hint)`` or ``("failed", text)``, until ``("stop",)``.
A fork costs milliseconds where a new interpreter importing the emulator costs a fifth
of a second, and the forks share nothing with each other.

Both kinds of process end when the other end of their socket closes, so the runner
ending in any way (a signal, even SIGKILL) ends them too; they ignore SIGINT and
SIGTERM, which a terminal or CI send to the whole process group: the runner decides
when its orgs stop. Only the parent (the runner) reads and writes these sockets, so
unpickling what arrives is safe.
"""

from __future__ import annotations

import os
import signal
import socket
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from runner.emulator.app import Emulator
from runner.errors import PlaybookError

ORG_FIELDS = ("name", "type", "org_id", "client_id", "username", "login_url", "instance_url")


def _add(
    emulator: Emulator, options: Any, base_dir: Path | None, where: str, cwd: str
) -> tuple[Any, ...]:
    """One org added: its fields, or why the emulator refused its options."""
    try:
        os.chdir(cwd)  # the runner's working directory: relative paths read as they would there
        org = emulator.add_org(options, base_dir=base_dir, where=where)
    except PlaybookError as exc:
        return ("refused", exc.message, exc.position, exc.hint)
    except Exception as exc:  # reported by the runner as the internal error it is
        return ("failed", f"{type(exc).__name__}: {exc}")
    return ("org", {name: getattr(org, name) for name in ORG_FIELDS})


def serve_run(connection: Connection) -> None:
    """Serve one run's orgs until the runner says ``("stop",)`` or closes ``connection``;
    never returns. Everything the orgs hold is in memory: the process just ends."""
    status = 0
    try:
        emulator = Emulator()
        emulator.start()
        connection.send(("ready", emulator.base_url))
        while True:
            kind, *arguments = connection.recv()
            if kind == "stop":
                break
            connection.send(_add(emulator, *arguments))
    except (EOFError, OSError):
        pass
    except BaseException:
        status = 1
    finally:
        os._exit(status)


def _fork_for(received: list[int], control: socket.socket) -> None:
    """A new process for each run socket in ``received``, holding only its own."""
    for index, fd in enumerate(received):
        if os.fork() == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            control.close()
            for other in received[index + 1:]:
                os.close(other)
            serve_run(Connection(fd))
        os.close(fd)


def _warm() -> None:
    """Import the emulator and fill its caches (options schema, sample data) once, here:
    every fork then starts with them."""
    emulator = Emulator()
    emulator.add_org({"name": "warm-up"})
    emulator.close()


def main(fd: int) -> None:
    """Fork a run's emulator for each socket that arrives on ``fd``; end when it closes."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forks are reaped by the system
    _warm()

    with socket.socket(fileno=fd) as control:
        while True:
            message, fds, _flags, _address = socket.recv_fds(control, 16, 4)
            if not message:
                return
            _fork_for(fds, control)


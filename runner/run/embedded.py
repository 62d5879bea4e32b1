"""The one way into the embedded org: the runner reaches ``runner.emulator`` only here.

An import-linter contract keeps it so, and the emulator imports nothing of the
runner but ``runner.errors``; either side can change inside without the other.
A run's embedded orgs live in a process of their own (``runner.emulator.host``),
so serving them never takes the runner's interpreter from its lanes; the runner
does not even import the emulator (``runner.run.served`` serves it in-process, for
the pytest plugin).
"""

from __future__ import annotations

import os
import pickle
import socket
import subprocess
import sys
import tempfile
import threading
import weakref
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any

from runner.errors import PlaybookError, SfjwtError
from runner.playbook.model import OrgSpec

READY_S = 60.0
"""How long a run waits for its emulator process to listen (it imports the emulator once)."""
ADD_S = 300.0
"""How long adding one org may take (it seeds the org's records)."""
STOP_S = 5.0
AHEAD = 16
"""How many orgs' additions may be on their way before the first is answered."""


class InvalidEmbeddedOrg(PlaybookError):
    """An org's ``emulator:`` options that the embedded org refuses: an invalid playbook."""


class EmbeddedOrgLost(SfjwtError):
    """The process serving the run's embedded orgs ended, or did not answer in time."""


HOST: tuple[str, ...] = (sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
        "from runner.emulator.host import main; main(int(sys.argv[2]))",
        str(Path(__file__).resolve().parents[2]))
"""The command that starts the host, the socket's number appended: this ``runner``'s
emulator, wherever it is imported from."""


class _Host:
    """The process that forks each run's emulator: started once per runner process, it
    ends when the runner does (its socket closes)."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        self.errors: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the host
        with theirs:
            self.process = subprocess.Popen(
                [*HOST, str(theirs.fileno())], pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.errors,
            )  # fmt: skip
        self.socket = ours
        self.pid = os.getpid()

    def usable(self) -> bool:
        return self.pid == os.getpid() and self.process.poll() is None

    def new_run(self) -> Connection:
        """A connection to a new emulator process, which answers ``ready`` once it listens."""
        ours, theirs = socket.socketpair()
        with theirs:
            socket.send_fds(self.socket, [b"run"], [theirs.fileno()])
        return Connection(ours.detach())

    def last_words(self) -> str:
        """The last line the host or an emulator process wrote on stderr, if any."""
        self.errors.seek(0, os.SEEK_END)
        self.errors.seek(max(0, self.errors.tell() - 2000))
        lines = self.errors.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else ""


_HOST: list[_Host] = []
_HOST_LOCK = threading.Lock()


def _new_run() -> tuple[Connection, _Host]:
    with _HOST_LOCK:
        if not _HOST or not _HOST[0].usable():
            _HOST[:] = [_Host()]
        host = _HOST[0]
        try:
            return host.new_run(), host
        except OSError:  # it ended since: start another one
            _HOST[:] = [_Host()]
            return _HOST[0].new_run(), _HOST[0]


class EmbeddedOrgs:
    """The embedded orgs of one run, all served by one emulator process of the run's own:
    started by :meth:`start` (or the first :meth:`register`), ended by :meth:`stop`, and
    in any case when this object is collected or the runner's process ends."""

    def __init__(self) -> None:
        self._connection: Connection | None = None
        self._host: _Host | None = None
        self._base_url = ""
        self._lock = threading.Lock()

    def start(self) -> None:
        """Have the emulator process started; it gets ready while the run goes on."""
        with self._lock:
            self._start()

    def _start(self) -> None:
        if self._connection is None:
            self._connection, self._host = _new_run()
            weakref.finalize(self, self._connection.close)

    def _ask(self, message: tuple[Any, ...] | None, seconds: float) -> tuple[Any, ...]:
        assert self._connection is not None
        try:
            if message is not None:
                self._connection.send(message)
            if self._connection.poll(seconds):
                answer: tuple[Any, ...] = self._connection.recv()
                return answer
            said = f"did not answer within {seconds:g} s"
        except (EOFError, OSError):
            said = "ended unexpectedly"
        raise self._lost(said)

    def _lost(self, said: str) -> EmbeddedOrgLost:
        words = self._host.last_words() if self._host is not None else ""
        return EmbeddedOrgLost(f"the embedded org's process {said}"
                               + (f": {words}" if words else ""))

    def register(
        self, spec: OrgSpec, options: Mapping[str, Any], certificate_pem: str
    ) -> ServedOrg:
        """Add one org (seeded with its users and sample data) to the run's embedded org."""
        served = self.register_many([(spec, options, certificate_pem)])[spec.name]
        if isinstance(served, SfjwtError):
            raise served
        return served

    def register_many(
        self, orgs: Sequence[tuple[OrgSpec, Mapping[str, Any], str]]
    ) -> dict[str, ServedOrg | SfjwtError]:
        """Add several orgs, in order, each request sent while the process still seeds
        the orgs before it (``AHEAD`` at most): with a round trip per org, a 200-org run
        started its first login after 0.165 s, now after 0.135 s. The first org the
        embedded org refuses raises InvalidEmbeddedOrg; a lost process is each remaining
        org's error."""
        served: dict[str, ServedOrg | SfjwtError] = {}
        waiting: deque[OrgSpec] = deque()
        if not orgs:
            return served
        with self._lock:
            try:
                self._start()
                if not self._base_url:
                    self._base_url = self._ask(None, READY_S)[1]
                for spec, options, certificate_pem in orgs:
                    self._send_add(spec, options, certificate_pem)
                    waiting.append(spec)
                    if len(waiting) >= AHEAD:
                        self._answer(waiting.popleft(), served)
                while waiting:
                    self._answer(waiting.popleft(), served)
            except EmbeddedOrgLost as lost:
                for spec, _options, _certificate in orgs:
                    served.setdefault(spec.name, lost)
        return served

    def _answer(self, spec: OrgSpec, served: dict[str, ServedOrg | SfjwtError]) -> None:
        """Read the answer to the oldest addition still on its way (``spec``'s)."""
        served[spec.name] = _served(spec, self._ask(None, ADD_S))

    def _send_add(self, spec: OrgSpec, options: Mapping[str, Any], certificate_pem: str) -> None:
        assert self._connection is not None
        settings = {"name": spec.name, **options}
        if "certificate" not in settings:
            settings["certificate_pem"] = certificate_pem
        where = f"orgs.{spec.name}.emulator"
        try:  # relative paths in the options resolve against the file that holds the org
            self._connection.send(("add", settings, spec.base_dir, where, os.getcwd()))
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            raise InvalidEmbeddedOrg(f"{where}: a value the embedded org cannot take: {exc}",
                                     position=spec.position) from None
        except OSError:
            raise self._lost("ended unexpectedly") from None

    def stop(self) -> None:
        """End the emulator process, and wait (a few seconds at most) until it has."""
        with self._lock:
            connection, self._connection = self._connection, None
            self._base_url = ""
        if connection is None:
            return
        try:
            connection.send(("stop",))
            while connection.poll(STOP_S):
                connection.recv()  # the ready message of a process never asked anything
        except (EOFError, OSError):
            pass  # it has ended: its socket, and so its port, are closed
        finally:
            connection.close()


def _served(spec: OrgSpec, answer: tuple[Any, ...]) -> ServedOrg:
    """The embedded org's answer to adding ``spec``."""
    if answer[0] == "refused":
        message, position, hint = answer[1:]
        raise InvalidEmbeddedOrg(message, position=position or spec.position, hint=hint)
    if answer[0] == "failed":
        raise RuntimeError(f"the embedded org failed adding {spec.name}: {answer[1]}")
    return ServedOrg(**answer[1])


@dataclass(frozen=True)
class ServedOrg:
    """One org of a served embedded org, as a client logs in to it."""

    name: str
    login_url: str
    instance_url: str
    client_id: str
    username: str
    org_id: str
    type: str = "production"

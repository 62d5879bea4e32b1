"""Run ``sfjwt-run`` or ``sfjwt-emulator`` while writing down every secret the org sees.

``python -m tests.e2e.canary_recorder RECORD LOG {run|emulator|host} ARGS...``

The emulator's request handler is wrapped so that every JWT assertion posted
to the token endpoint and every access token it issues is appended to RECORD
(``kind<TAB>value`` lines), whether the org runs embedded in ``sfjwt-run`` (whose
embedded orgs are served by a host process started through this recorder too) or
standalone. The emulator's logger writes at DEBUG to LOG. The canary test then
knows the real secrets of a run without trusting the runner's own registry.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs

from runner.emulator.app import Emulator
from runner.emulator.messages import Request, Response

_LOCK = threading.Lock()


def _recorder(record: Path) -> Callable[[str, str], None]:
    def write(kind: str, value: str) -> None:
        with _LOCK, record.open("a", encoding="utf-8") as out:
            out.write(f"{kind}\t{value}\n")

    return write


def _secrets_of(request: Request, response: Response) -> list[tuple[str, str]]:
    """The assertion a token request carried and the access token its answer issued."""
    if request.path.rstrip("/") != "/services/oauth2/token":
        return []
    found: list[tuple[str, str]] = []
    form = parse_qs(request.body.decode("utf-8", "replace")) | parse_qs(request.query)
    found += [("assertion", value) for value in form.get("assertion", [])]
    try:
        answer = json.loads(response.body or b"null")
    except ValueError:
        answer = None
    if isinstance(answer, dict) and isinstance(answer.get("access_token"), str):
        found.append(("access_token", answer["access_token"]))
    return found


def install(record: Path, log_file: Path) -> None:
    """Wrap the emulator's handler and send its log to ``log_file`` at DEBUG."""
    write = _recorder(record)
    original = Emulator.handle

    def handle(self: Emulator, request: Request) -> Response:
        response = original(self, request)
        for kind, value in _secrets_of(request, response):
            write(kind, value)
        return response

    Emulator.handle = handle  # type: ignore[method-assign]
    logger = logging.getLogger("runner.emulator")
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    original_set_level = logger.setLevel
    logger.setLevel = lambda level: original_set_level(min(level, logging.DEBUG))  # type: ignore[method-assign]


def main(argv: list[str]) -> int:
    record, log_file, program, *args = argv
    install(Path(record), Path(log_file))
    if program == "emulator":
        from runner.emulator.cli import main as emulator_main

        return emulator_main(args)
    if program == "host":  # the process that forks the embedded orgs of sfjwt-run's runs
        from runner.emulator.host import main as host_main

        host_main(int(args[0]))
        return 0
    from runner.cli.main import main as run_main
    from runner.run import embedded

    embedded.HOST = (sys.executable, "-m", "tests.e2e.canary_recorder", record, log_file, "host")
    return run_main(args)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

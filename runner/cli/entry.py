"""The ``sfjwt-run`` process: SIGINT and SIGTERM are handled from its first moment to its last.

Only the console script and ``python -m runner`` import this module. Loading it
installs the handler (``runner.cli.signals``) before the command line is
imported, which takes a moment: a signal then ends the process with exit 99 and
no traceback. The handler stays until the process ends, so a signal after the
command has returned changes nothing: the reports are written and the process
exits with the command's status.

``sfjwt-run --version`` alone is answered here, before the command line is imported
(``argparse`` alone costs more than the interpreter's own start): the same line
``--version`` prints among other options.
"""

from __future__ import annotations

import os
import signal
import sys

from runner import __version__
from runner.cli.signals import HANDLED, Phase, Signals

VERSION_ONLY = sys.argv[1:] == ["--version"]
SIGNALS = Signals()
SIGNALS.install()
if not VERSION_ONLY:
    try:
        from runner.cli.main import main as _command  # after the handler, on purpose
    except KeyboardInterrupt:
        SIGNALS.phase = Phase.FINISHING
        sys.stderr.write("interrupted\n")
        raise SystemExit(99) from None


def main() -> None:
    status = _version() if VERSION_ONLY else _command(signals=SIGNALS)
    for number in HANDLED:
        signal.signal(number, signal.SIG_IGN)
    raise SystemExit(status)


def _version() -> int:
    """What argparse's ``version`` action prints; a reader that has gone changes nothing."""
    SIGNALS.phase = Phase.FINISHING
    try:
        sys.stdout.write(f"sfjwt-run {__version__}\n")
        sys.stdout.flush()
    except OSError:  # EPIPE, EIO: point stdout at /dev/null so the last flush cannot fail
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0

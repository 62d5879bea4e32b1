"""The ``sfjwt-run`` process: SIGINT and SIGTERM are handled from its first moment to its last.

Only the console script and ``python -m runner`` import this module. Loading it
installs the handler (``runner.cli.signals``) before the command line is
imported, which takes a moment: a signal then ends the process with exit 99 and
no traceback. The handler stays until the process ends, so a signal after the
command has returned changes nothing: the reports are written and the process
exits with the command's status.
"""

from __future__ import annotations

import signal
import sys

from runner.cli.signals import HANDLED, Phase, Signals

SIGNALS = Signals()
SIGNALS.install()
try:
    from runner.cli.main import main as _command  # after the handler, on purpose
except KeyboardInterrupt:
    SIGNALS.phase = Phase.FINISHING
    sys.stderr.write("interrupted\n")
    raise SystemExit(99) from None


def main() -> None:
    status = _command(signals=SIGNALS)
    for number in HANDLED:
        signal.signal(number, signal.SIG_IGN)
    raise SystemExit(status)

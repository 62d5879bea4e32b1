"""``sfjwt-run --syntax-check``: every playbook loaded and checked, a line each, no network.

It imports the playbook packages and the lines it prints, nothing a run needs
(HTTP, keys, the embedded org, reports): a check in an editor's save hook or a
pre-commit run starts at once.
"""

from __future__ import annotations

import argparse

from runner.cli.environment import Environment
from runner.cli.loading import load_all
from runner.errors import ExitStatus
from runner.report import messages


def syntax_check_command(args: argparse.Namespace, env: Environment) -> ExitStatus:
    loaded = load_all(args)
    for playbook, found in zip(loaded.playbooks, loaded.notices, strict=True):
        messages.print_notices(env.stderr, found)
        messages.print_syntax_ok(env.stdout, playbook, found)
    return ExitStatus.OK

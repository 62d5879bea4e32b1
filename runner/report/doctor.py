"""``--doctor``: each org's findings, one line each, with the fix for what is wrong."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from runner.playbook.model import Playbook
from runner.salesforce.doctor import Finding, Status
from runner.secrets import redact

STYLES = {Status.OK: "green", Status.WARN: "yellow", Status.FAIL: "bold red"}


def print_header(console: Console, playbook: Playbook) -> None:
    console.print(Text.assemble(("DOCTOR ", "bold"), f"{playbook.name}  ({playbook.path})"))


def print_org(console: Console, name: str, where: str) -> None:
    """The org's name and where it logs in, before its checks run."""
    console.print(Text(f"org {name} ({redact(where)})", "bold"))


def print_findings(console: Console, findings: Sequence[Finding]) -> None:
    """A line per finding, and the fix for what is not ok."""
    for finding in findings:
        line = Text.assemble((f"  {finding.status.value:<5} ", STYLES[finding.status]),
                             f"{finding.check:<24} ", redact(finding.detail))
        console.print(line)
        if finding.fix and finding.status is not Status.OK:
            console.print(Text(f"        fix: {redact(finding.fix)}"))


def print_verdict(console: Console, *, passed: bool) -> None:
    verdict = "all checks passed" if passed else "some checks failed"
    console.print(Text(verdict, "bold green" if passed else "bold red"))

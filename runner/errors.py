"""The project's error kinds and exit statuses.

A few exception classes with structured fields (position, hint) rather than a
wall of classes: the CLI turns each into a one-line message and an exit status,
so every layer raises one of these and never prints.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ExitStatus(enum.IntEnum):
    """Process exit codes, following ansible-playbook's conventions."""

    OK = 0
    STEP_FAILED = 2
    ORG_UNREACHABLE = 3
    INVALID_PLAYBOOK = 4
    BAD_OPTIONS = 5
    INTERRUPTED = 99
    INTERNAL_ERROR = 250


@dataclass(frozen=True)
class Position:
    """Where a value came from: 1-based line and column in a file."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class SfjwtError(Exception):
    """Base of every error this project raises on purpose."""

    exit_status: ExitStatus = ExitStatus.INTERNAL_ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(SfjwtError):
    """Bad command-line options."""

    exit_status = ExitStatus.BAD_OPTIONS


class PlaybookError(SfjwtError):
    """A playbook or inventory that cannot be loaded, parsed or validated.

    ``position`` points at the offending key or value when one is known;
    ``source_line`` is the text of that line, for the caret display.
    """

    exit_status = ExitStatus.INVALID_PLAYBOOK

    def __init__(
        self,
        message: str,
        *,
        position: Position | None = None,
        source_line: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.position = position
        self.source_line = source_line

    def __str__(self) -> str:
        prefix = f"{self.position}: " if self.position else ""
        return f"{prefix}{self.message}"


class KeyMaterialError(SfjwtError):
    """A private key or certificate that cannot be made, read or trusted."""

    exit_status = ExitStatus.ORG_UNREACHABLE


class TransportError(SfjwtError):
    """The network failed: refused, reset, timed out, TLS, or a URL we refuse to use."""

    exit_status = ExitStatus.ORG_UNREACHABLE


class AuthenticationError(SfjwtError):
    """The token endpoint refused the JWT assertion.

    ``error`` and ``description`` are Salesforce's own words; ``hint`` says
    what to fix in Setup.
    """

    exit_status = ExitStatus.ORG_UNREACHABLE

    def __init__(
        self,
        error: str,
        description: str,
        *,
        status: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(f"{error}: {description}" if description else error, hint=hint)
        self.error = error
        self.description = description
        self.status = status

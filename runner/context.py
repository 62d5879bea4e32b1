"""What one run takes from its process, held for that run alone: the environment variables,
the working directory, and the registry of the secrets it meets.

``RunContext.from_process`` is the one place that reads ``os.environ`` and the
working directory. ``activate`` makes a context current for the code of one run;
``carry`` hands it to the threads that run starts. Two runs in one process (two
``main()`` calls, side by side or one after the other) never share variables or secrets.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from dataclasses import dataclass, field
from pathlib import Path
from typing import ParamSpec, TypeVar

from runner import secrets
from runner.secrets import SecretRegistry

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class RunContext:
    """One run's environment variables, working directory and secret registry."""

    environ: Mapping[str, str]
    cwd: Path
    secrets: SecretRegistry = field(default_factory=SecretRegistry, compare=False)

    @classmethod
    def from_process(cls, registry: SecretRegistry | None = None) -> RunContext:
        """A snapshot of this process's environment and working directory, with ``registry``
        (by default a new, empty one)."""
        return cls(dict(os.environ), Path.cwd(), registry or SecretRegistry())


_CURRENT: ContextVar[RunContext | None] = ContextVar("run_context", default=None)


def current() -> RunContext:
    """The context of the run this code belongs to; outside any run, the process as it is now."""
    return _CURRENT.get() or RunContext.from_process(secrets.current())


@contextmanager
def activate(context: RunContext) -> Iterator[RunContext]:
    """Make ``context`` (and its secret registry) current until the block ends."""
    token = _CURRENT.set(context)
    try:
        with secrets.use(context.secrets):
            yield context
    finally:
        _CURRENT.reset(token)


def carry(function: Callable[P, T]) -> Callable[P, T]:
    """``function`` bound to the current context, to be called in a thread the run starts
    (a new thread starts with an empty context)."""
    context = copy_context()

    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return context.copy().run(function, *args, **kwargs)

    return run

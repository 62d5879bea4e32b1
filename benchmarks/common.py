"""Helpers the benchmark scripts share: quiet in-process runs and timing."""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from runner.cli.environment import Environment
from runner.cli.main import main


def quiet_environment() -> Environment:
    def console() -> Console:
        return Console(file=io.StringIO(), width=120, no_color=True)

    return Environment(stdout=console(), stderr=console())


def run_quietly(*args: str) -> int:
    """Run ``sfjwt-run`` in-process with output discarded; returns the exit status.

    Each run starts with the secrets a new ``sfjwt-run`` process would hold: a run
    registers every token and assertion it handles, and masking checks them all, so
    a registry grown by the runs before would slow each later run as no real run is.
    """
    return main(list(args), quiet_environment())  # each main() has a registry of its own


def best_of(repeats: int, action: Callable[[], object]) -> float:
    """The median wall time of ``repeats`` runs of ``action``, in seconds."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path

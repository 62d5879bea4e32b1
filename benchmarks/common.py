"""Helpers the benchmark scripts share: quiet in-process runs and timing."""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from runner.cli import Environment, main


def quiet_environment() -> Environment:
    def console() -> Console:
        return Console(file=io.StringIO(), width=120, no_color=True)

    return Environment(stdout=console(), stderr=console())


def run_quietly(*args: str) -> int:
    """Run ``sfjwt-run`` in-process with output discarded; returns the exit status."""
    return main(list(args), quiet_environment())


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

"""Helpers the benchmark scripts share: quiet in-process runs, alternating timed pairs."""

from __future__ import annotations

import io
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console

from runner.cli.environment import Environment
from runner.cli.main import main

BIN = Path(sys.executable).parent


def quiet_environment() -> Environment:
    def console() -> Console:
        return Console(file=io.StringIO(), width=120, no_color=True)

    return Environment(stdout=console(), stderr=console())


def run_quietly(*args: str) -> int:
    """Run ``sfjwt-run`` in-process with output discarded; returns the exit status.

    Each run starts with the secrets a new ``sfjwt-run`` process would hold: every
    ``main()`` call has a registry of its own.
    """
    return main(list(args), quiet_environment())


def timed(action: Callable[[], object]) -> float:
    """The wall time of one call of ``action``, in seconds."""
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def paired(
    pairs: int, first: Callable[[], object], second: Callable[[], object]
) -> tuple[float, float, float]:
    """Alternate ``first`` and ``second`` ``pairs`` times and time them: see ``paired_values``."""
    return paired_values(pairs, lambda: timed(first), lambda: timed(second))


def paired_values(
    pairs: int, first: Callable[[], float], second: Callable[[], float]
) -> tuple[float, float, float]:
    """Alternate ``first`` and ``second`` (each returns what it measured) ``pairs`` times,
    in swapped order every other pair so neither side always runs on a warmer machine;
    returns the median of each side and the median of the per-pair ratios first / second.
    A noisy machine moves both sides of a pair alike, so the ratio is steadier than either."""
    ones, twos, ratios = [], [], []
    for n in range(pairs):
        if n % 2:
            two = second()
            one = first()
        else:
            one = first()
            two = second()
        ones.append(one)
        twos.append(two)
        ratios.append(one / two)
    return statistics.median(ones), statistics.median(twos), statistics.median(ratios)


def report(label: str, pairs: int, result: tuple[float, float, float], target: float | None,
           names: tuple[str, str]) -> None:
    """One line per side and the ratio against its target (a figure shown for reference
    has none)."""
    one, two, ratio = result
    verdict = "(no target)" if target is None else \
        f"(target <= {target:g}) {'ok' if ratio <= target else 'OVER'}"
    print(f"{label}: {names[0]} {one * 1000:.1f} ms, {names[1]} {two * 1000:.1f} ms; "
          f"median ratio of {pairs} pairs = {ratio:.2f}  {verdict}")


def command(argv: Sequence[str], cwd: Path | None = None) -> Callable[[], float]:
    """A call that runs ``argv`` as a new process, output discarded, checks that it exits 0
    and returns the CPU time (user + system) it used: on a machine that others load, wall
    time measures the queue for the cores as much as the program."""
    def run() -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(list(argv), cwd=cwd, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        assert done.returncode == 0, f"{argv}: exit {done.returncode}: {done.stderr[-500:]}"
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    return run


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path

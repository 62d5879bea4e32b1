"""Costs that must not grow with the fleet or with a loop, each as a ratio of two runs.

Every figure is the median of per-pair ratios, the two sides alternating in one run:

- keys: 50 embedded orgs each naming the key file in its own ``private_key:`` against
  50 orgs sharing one ``keys:`` entry (target <= 1.2: each distinct key loaded once);
- CPU: the runner's CPU time per request with 200 embedded orgs (``-f 200``, 10 steps
  each) against 1 org (100 steps), each the difference between that run and the same
  orgs with one step, over the requests between them, so that neither the run's fixed
  costs nor the logins are counted (target <= 1.2: nothing per request grows with the
  fleet);
- memory: peak RSS of a run whose step loops over 10,000 items against one of 1,000
  items, each in a new process (target <= 1.2: a loop does not keep every item's result).

    python benchmarks/fleet.py [--pairs 5] [--only keys,cpu,memory]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import paired, paired_values, report, run_quietly, write
from runner.salesforce import keys

STEP = """steps:
  - name: describe
    request: {method: GET, path: "/services/data/v60.0/sobjects/Account/describe"}
    expect: {status: 200}
"""
LOOP = """name: loop
steps:
  - name: many GETs
    loop: "{{{{ range({items}) | list }}}}"
    request: {{method: GET, path: /services/data/v60.0/limits}}
    expect: {{status: 200}}
"""
# The run's own peak: VmHWM belongs to the process's memory, made new by exec; ru_maxrss
# would carry over the peak of the process that forked it (this script, after 200 orgs).
RSS = ("import resource, sys; from benchmarks.common import run_quietly; "
       "assert run_quietly(sys.argv[1]) == 0; "
       "status = open('/proc/self/status').read() if sys.platform == 'linux' else ''; "
       "hwm = [line.split()[1] for line in status.splitlines() if line.startswith('VmHWM:')]; "
       "print(hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")


def orgs_with_keys(folder: Path, count: int, *, own: bool) -> Path:
    """``count`` embedded orgs, each naming the key file itself or all one ``keys:`` entry."""
    if not (folder / "org000.key").exists():
        keys.ensure_key_pair(private_key=folder / "org000.key", certificate=folder / "org000.crt")
    if own:
        orgs = [f"  org{n:03d}:\n    emulator: {{}}\n    private_key: org000.key\n"
                f"    certificate: org000.crt" for n in range(count)]
        head = ""
    else:
        orgs = [f"  org{n:03d}:\n    emulator: {{}}\n    key: shared" for n in range(count)]
        head = "keys:\n  shared: {private_key: org000.key, certificate: org000.crt}\n"
    name = "own" if own else "shared"
    return write(folder / f"{name}.yml", f"name: {name}\n{head}orgs:\n" + "\n".join(orgs)
                 + "\n" + STEP)


def cpu_per_request(folder: Path, orgs: int, steps: int) -> Callable[[], float]:
    """A call that returns the runner's CPU seconds per request: a run of ``steps`` steps
    per org less a run of one, over the ``orgs * (steps - 1)`` requests between them."""
    full, single = fleet(folder, orgs, steps), fleet(folder, orgs, 1)

    def cpu(book: Path) -> float:
        started = time.process_time()  # this process: the embedded orgs run in their own
        assert run_quietly("-f", str(orgs), str(book)) == 0
        return time.process_time() - started

    def run() -> float:
        return (cpu(full) - cpu(single)) / (orgs * (steps - 1))

    run()  # warm-up
    return run


def fleet(folder: Path, orgs: int, steps: int) -> Path:
    body = "\n".join(f"""  - name: step {n}
    request: {{method: GET, path: "/services/data/v60.0/sobjects/Account/describe"}}
    expect: {{status: 200}}""" for n in range(steps))
    lines = [f"  org{n:03d}:\n    emulator: {{}}" for n in range(orgs)]
    return write(folder / f"fleet{orgs}x{steps}.yml",
                 "name: fleet\norgs:\n" + "\n".join(lines) + f"\nsteps:\n{body}\n")


def peak_rss(book: Path) -> Callable[[], int]:
    root = Path(__file__).resolve().parents[1]

    def run() -> int:
        done = subprocess.run([sys.executable, "-c", RSS, str(book)], cwd=root,
                              capture_output=True, text=True, check=True)
        return int(done.stdout.split()[-1])

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--only", default="keys,cpu,memory")
    args = parser.parse_args()
    chosen = set(args.only.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if "keys" in chosen:
            own = orgs_with_keys(folder, 50, own=True)
            shared = orgs_with_keys(folder, 50, own=False)
            run_quietly("-f", "50", str(own))
            report("keys, 50 orgs -f 50", args.pairs,
                   paired(args.pairs, lambda: run_quietly("-f", "50", str(own)),
                          lambda: run_quietly("-f", "50", str(shared))),
                   1.2, ("own private_key:", "one keys: entry"))
        if "cpu" in chosen:
            one, two, ratio = paired_values(args.pairs, cpu_per_request(folder, 200, 10),
                                              cpu_per_request(folder, 1, 100))
            print(f"CPU per request: 200 orgs {one * 1e6:.0f} µs, 1 org {two * 1e6:.0f} µs; "
                  f"median ratio of {args.pairs} pairs = {ratio:.2f}  (target <= 1.2) "
                  f"{'ok' if ratio <= 1.2 else 'OVER'}")
        if "memory" in chosen:
            books = {n: write(folder / f"loop{n}.yml", LOOP.format(items=n)) for n in (10000, 1000)}
            one, two, ratio = paired_values(args.pairs, peak_rss(books[10000]),
                                              peak_rss(books[1000]))
            print(f"peak RSS: 10,000-item loop {one / 1024:.0f} MiB, 1,000-item loop "
                  f"{two / 1024:.0f} MiB; median ratio of {args.pairs} pairs = {ratio:.2f}  "
                  f"(target <= 1.2) {'ok' if ratio <= 1.2 else 'OVER'}")


if __name__ == "__main__":
    main()

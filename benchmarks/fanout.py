"""Fan-out: the same 10-step playbook against 1 and against 50 embedded orgs.

Each org answers with ``latency_ms: 50``, so one org takes at least ~0.5 s of
waiting; with ``-f 50`` fifty orgs should take about as long as one. Prints the
median of the per-pair ratios wall(N) / wall(1), the two sides alternating in one
run (target <= 1.3 at 50 orgs, <= 1.6 at 200).

    python benchmarks/fanout.py [--orgs 50] [--pairs 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import paired, report, run_quietly, write

STEPS = "\n".join(
    f"""  - name: step {n}
    request: {{method: GET, path: "/services/data/v60.0/sobjects/Account/describe"}}
    expect: {{status: 200}}"""
    for n in range(1, 11)
)


def playbook(orgs: int, latency_ms: int) -> str:
    lines = [f"  org{n:03d}:\n    emulator: {{latency_ms: {latency_ms}}}" for n in range(orgs)]
    return "name: fan-out\norgs:\n" + "\n".join(lines) + f"\nsteps:\n{STEPS}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=50)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--pairs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        one = write(Path(tmp) / "one.yml", playbook(1, args.latency_ms))
        many = write(Path(tmp) / "many.yml", playbook(args.orgs, args.latency_ms))
        forks = str(args.orgs)
        for path in (one, many):  # warm-up: imports, key generation, first server start
            assert run_quietly("-f", forks, str(path)) == 0, f"{path.name} failed"
        result = paired(args.pairs, lambda: run_quietly("-f", forks, str(many)),
                        lambda: run_quietly("-f", forks, str(one)))
    target = 1.3 if args.orgs <= 50 else 1.6
    report(f"fan-out -f {forks}, latency {args.latency_ms} ms", args.pairs, result, target,
           (f"{args.orgs} orgs", "1 org"))


if __name__ == "__main__":
    main()

"""Start-up and growth of the commands that do no network: each against its floor.

Every figure is the median of per-pair ratios of the CPU time (user + system) of new
processes, the two sides alternating in one run:

- ``sfjwt-run --version`` against ``python -c pass`` (target <= 2), and ``--help``
  (shown for reference: it builds the whole argument parser);
- ``--syntax-check playbooks/smoke.yml`` against importing the libraries it cannot
  avoid, ``python -c "import yaml, jsonschema, jinja2, jmespath"`` (target <= 1.3);
- ``--syntax-check`` of 1,000 templated steps against that of smoke.yml (target <= 1.5);
- ``--syntax-check`` of 10,000 templated steps against 1,000 (target <= 11: linear).

    python benchmarks/startup.py [--pairs 7] [--skip-growth]
"""

from __future__ import annotations

import argparse
import compileall
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import BIN, command, paired_values, report, write

REPO = Path(__file__).resolve().parents[1]
LIBRARIES = "import yaml, jsonschema, jinja2, jmespath"


def templated(steps: int) -> str:
    """A playbook of ``steps`` query steps, each different, with templates in its name and
    query and a ``when`` expression (four values a step: 10,000 steps stay under the
    50,000 values a file may hold)."""
    lines = ["name: templated", "vars: {api: v60.0, prefix: acme}", "steps:"]
    for n in range(steps):
        lines += [
            f"  - name: \"step {n} of {{{{ prefix }}}} on {{{{ api | upper }}}}\"",
            f"    query: \"SELECT Id FROM Account WHERE Name = '{{{{ prefix }}}}-{n}' "
            f"LIMIT {{{{ 1 + {n} % 5 }}}}\"",
            "    when: \"prefix != 'none' and api.startswith('v')\"",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--skip-growth", action="store_true")
    args = parser.parse_args()
    # bytecode as an installed wheel has it (PYTHONDONTWRITEBYTECODE would leave none to read)
    compileall.compile_dir(REPO / "runner", quiet=1)
    python, run = sys.executable, str(BIN / "sfjwt-run")
    floor = command([python, "-c", "pass"])
    libraries = command([python, "-c", LIBRARIES])
    smoke = command([run, "--syntax-check", "playbooks/smoke.yml"], cwd=REPO)
    for label, action, target in (("--version", command([run, "--version"]), 2.0),
                                  ("--help", command([run, "--help"]), None)):
        report(label, args.pairs, paired_values(args.pairs, action, floor), target,
               ("sfjwt-run", "python -c pass"))
    report("--syntax-check smoke.yml", args.pairs, paired_values(args.pairs, smoke, libraries), 1.3,
           ("sfjwt-run", "import libraries"))
    if args.skip_growth:
        return
    with tempfile.TemporaryDirectory() as tmp:
        books = {n: write(Path(tmp) / f"t{n}.yml", templated(n)) for n in (1000, 10000)}
        check = {n: command([run, "--syntax-check", str(path)]) for n, path in books.items()}
        report("--syntax-check 1,000 templated steps / smoke.yml", args.pairs,
               paired_values(args.pairs, check[1000], smoke), 1.5, ("1,000 steps", "smoke.yml"))
        pairs = max(5, args.pairs // 2)
        report("--syntax-check 10,000 / 1,000 templated steps", pairs,
               paired_values(pairs, check[10000], check[1000]), 11, ("10,000 steps", "1,000 steps"))


if __name__ == "__main__":
    main()

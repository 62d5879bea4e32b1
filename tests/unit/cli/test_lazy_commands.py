"""The command line imports a command's modules only once that command is chosen."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from runner import __version__
from runner.cli import main as cli

REPO = Path(__file__).resolve().parents[3]
HEAVY = ("requests", "jsonschema", "jinja2", "yaml", "rich", "cryptography", "runner.context",
         "runner.errors", "runner.playbook.schema", "runner.run", "runner.emulator", "typing")
PROBE = """
import json, sys
from runner.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
else:
    code = None
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _imported(*args: str) -> tuple[str, object, set[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    lines = done.stdout.strip().splitlines()
    probe = json.loads(lines[-1])
    return "\n".join(lines[:-1]), probe["code"], set(probe["modules"])


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_version_and_help_answer_having_imported_only_argparse(option: str) -> None:
    text, code, modules = _imported(option)
    assert code == 0
    assert (f"sfjwt-run {__version__}" in text) if option == "--version" else (
        "usage: sfjwt-run" in text and "--syntax-check" in text and "--version" in text)
    assert [name for name in HEAVY if name in modules] == []


def test_the_real_command_prints_its_version_and_help() -> None:
    run = str(Path(sys.executable).parent / "sfjwt-run")
    version = subprocess.run([run, "--version"], capture_output=True, text=True, timeout=60)
    assert (version.returncode, version.stdout.strip()) == (0, f"sfjwt-run {__version__}")
    helped = subprocess.run([run, "init", "--help"], capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0 and "usage: sfjwt-run init" in helped.stdout


RUN_ONLY = ("requests", "urllib3", "jwt", "cryptography", "runner.salesforce", "runner.run",
            "runner.emulator", "runner.report.console", "runner.report.files", "rich")


def test_a_syntax_check_imports_nothing_a_run_needs() -> None:
    text, code, modules = _imported("--syntax-check", "playbooks/smoke.yml")
    assert (code, text) == (None, "playbooks/smoke.yml: syntax OK (4 steps)")
    assert [name for name in RUN_ONLY if name in modules] == []
    assert {"yaml", "jinja2", "jsonschema_rs"} <= modules
    assert "jsonschema" not in modules  # a valid playbook needs no error messages


ENTRY = """
import json, sys
sys.argv = ["sfjwt-run", *sys.argv[1:]]
from runner.cli import entry
try:
    entry.main()
except SystemExit as exc:
    print(json.dumps({"code": exc.code, "modules": sorted(sys.modules)}))
"""


def test_version_alone_is_answered_before_the_command_line_is_imported() -> None:
    done = subprocess.run([sys.executable, "-c", ENTRY, "--version"], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    *printed, last = done.stdout.splitlines()
    probe = json.loads(last)
    assert (probe["code"], printed) == (0, [f"sfjwt-run {__version__}"])
    assert [name for name in (*HEAVY, "argparse", "runner.cli.main") if name in probe["modules"]] \
        == []
    argparse_says, _, _ = _imported("--version")  # the line argparse prints among options
    assert printed == argparse_says.splitlines()


@pytest.mark.parametrize("columns", ["60", "100", "200"])
def test_the_real_command_s_help_is_the_parser_s_own(columns: str) -> None:
    run = str(Path(sys.executable).parent / "sfjwt-run")
    environ = {**os.environ, "COLUMNS": columns}
    helped = subprocess.run([run, "--help"], capture_output=True, text=True, timeout=60,
                            env=environ)
    shown = subprocess.run([sys.executable, "-c", "from runner.cli.main import build_parser; "
                            "print(build_parser().format_help(), end='')"],
                           capture_output=True, text=True, timeout=60, env=environ, cwd=REPO)
    assert helped.returncode == 0 and helped.stdout == shown.stdout
    assert max(map(len, helped.stdout.splitlines())) <= int(columns)


def test_version_among_other_options_is_argparse_own() -> None:
    done = subprocess.run([sys.executable, "-c", ENTRY, "--version", "--color", "never"],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    *printed, last = done.stdout.splitlines()
    probe = json.loads(last)
    assert (probe["code"], printed) == (0, [f"sfjwt-run {__version__}"])
    assert "argparse" in probe["modules"]


def test_a_bad_option_still_gets_its_one_line_and_exit_5() -> None:
    run = str(Path(sys.executable).parent / "sfjwt-run")
    done = subprocess.run([run, "--forks", "0", "x.yml"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 5
    assert "must be at least 1" in done.stderr and "Traceback" not in done.stderr


def test_every_deferred_name_exists_in_its_module() -> None:
    for name, module in cli.LAZY.items():
        assert hasattr(importlib.import_module(module), name), f"{module} has no {name}"

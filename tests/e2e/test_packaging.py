"""The installed package finds its schemas without the source checkout.

Builds the wheel exactly as ``pip install .`` does, unpacks it into a fresh
directory, and imports ``runner`` from there with the working directory
outside the repository, so the checkout's ``schemas/`` cannot be what is found.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(REPO)],
        check=True, capture_output=True, timeout=300,
    )
    [built] = out.glob("sfjwt_run-*.whl")
    return built


def test_wheel_carries_the_schemas_and_console_scripts(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "runner/schemas/playbook.schema.json" in names
    assert "runner/schemas/report.schema.json" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "sfjwt-run = runner.cli.main:main" in text
    assert "sfjwt-emulator = runner.emulator.cli:main" in text


def test_installed_package_finds_its_schema_outside_the_checkout(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "import runner.playbook.schema as s, pathlib, sys; d = s.schema_dir(); "
        "print(d); s.load_schema('playbook'); "
        f"sys.exit(0 if pathlib.Path({str(REPO)!r}) not in d.parents else 3)"
    )
    deps = [p for p in sys.path if p.endswith("site-packages")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), *deps])}
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert str(site) in done.stdout

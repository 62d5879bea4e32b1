"""What a user installs: the wheel and the sdist, as pip and a fresh virtualenv see them.

The wheel is built exactly as ``pip install .`` builds it, then installed into a new venv
(its dependencies from the package index) and run from a directory outside the checkout,
so nothing of the source tree can be what is found.
"""

from __future__ import annotations

import email
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import runner

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


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


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sdist")
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(out)],
                   check=True, capture_output=True, timeout=300, cwd=REPO)
    [built] = out.glob("sfjwt_run-*.tar.gz")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel and its declared dependencies, nothing else."""
    where = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True, timeout=120)
    done = subprocess.run([str(where / "bin" / "pip"), "install", "-q", str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return where


def metadata(wheel: Path) -> email.message.Message:
    archive = zipfile.ZipFile(wheel)
    name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
    return email.message_from_bytes(archive.read(name))


def test_wheel_carries_schemas_types_license_and_console_scripts(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for schema in ("playbook", "inventory", "emulator", "report"):
        assert f"runner/schemas/{schema}.schema.json" in names
    assert "runner/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "sfjwt-run = runner.cli.entry:main" in text
    assert "sfjwt-emulator = runner.emulator.cli:main" in text


def test_metadata_a_package_index_shows(wheel: Path) -> None:
    meta = metadata(wheel)
    assert meta["Version"] == runner.__version__
    assert meta["License-Expression"] == "MIT"
    assert "Typing :: Typed" in meta.get_all("Classifier")
    assert {url.split(",")[0] for url in meta.get_all("Project-URL")} >= {"Source", "Issues"}
    requires = meta.get_all("Requires-Dist")
    assert any(r.startswith("urllib3") for r in requires), "runner imports urllib3 directly"
    assert not any(re.match(r"(cryptography|rich)\b.*<", r) for r in requires), requires


def test_one_version_source() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^dynamic = \["version"\]$', pyproject, re.M)
    assert not re.search(r"^version = ", pyproject, re.M)
    declared = re.findall(r"^__version__ = \"(.+)\"$",
                          (REPO / "runner" / "__init__.py").read_text(encoding="utf-8"), re.M)
    assert declared == [runner.__version__]


def test_sdist_carries_tests_docs_and_license(sdist: Path) -> None:
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for needed in ("LICENSE", "README.md", "docs/emulator.md", "docs/playbook-reference.md",
                   "tests/conftest.py", "tests/e2e/test_packaging.py", "scripts/gen_reference.py",
                   "schemas/playbook.schema.json", "playbooks/smoke.yml", "runner/py.typed",
                   ".pre-commit-hooks.yaml", "action.yml"):
        assert needed in names, needed
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def test_installed_package_finds_its_schema_outside_the_checkout(venv: Path,
                                                                   tmp_path: Path) -> None:
    probe = ("import runner.playbook.schema as s; d = s.schema_dir(); print(d); "
             "s.load_schema('inventory'); print(s.schema_names())")
    done = subprocess.run([str(venv / "bin" / "python"), "-c", probe], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert str(venv) in done.stdout and str(REPO) not in done.stdout
    assert "'playbook'" in done.stdout and "'emulator'" in done.stdout


def test_fresh_venv_runs_init_and_syntax_check(venv: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["NO_COLOR"] = "1"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(venv / "bin" / args[0]), *args[1:]], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL)

    for command in ("sfjwt-run", "sfjwt-emulator"):
        version = run(command, "--version")
        assert version.returncode == 0, version.stderr
        assert version.stdout.strip() == f"{command} {runner.__version__}"
    made = run("sfjwt-run", "init", "acme", "--org", "acme-uat")
    assert made.returncode == 0, made.stdout + made.stderr
    assert "created  acme/playbook.yml" in made.stdout
    checked = run("sfjwt-run", "-i", "acme/inventory.yml", "acme/playbook.yml", "--syntax-check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "acme/playbook.yml: syntax OK (4 steps)" in checked.stdout
    listed = run("sfjwt-run", "-i", "acme/inventory.yml", "acme/playbook.yml", "--list-orgs")
    assert "acme-uat" in listed.stdout
    schemas = sorted(path.name for path in (tmp_path / "acme" / ".sfjwt" / "schemas").iterdir())
    assert schemas == ["emulator.schema.json", "inventory.schema.json", "playbook.schema.json",
                       "steps.schema.json"]
    completion = run("sfjwt-run", "completion", "bash")
    assert completion.returncode == 0 and "complete -o bashdefault" in completion.stdout

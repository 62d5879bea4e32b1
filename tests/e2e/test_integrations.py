"""The pre-commit hook and the GitHub Action, run the way their hosts run them.

pre-commit's own ``try-repo`` installs this repository as a hook and runs it on a
project's files. The composite action is validated against GitHub's action schema
(check-jsonschema's vendored copy), and its shell steps run here with the variables
and files a GitHub runner provides; the README's workflow example is a valid workflow.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import PLAYBOOKS, REPO

pytestmark = pytest.mark.slow
BAD_PLAYBOOK = "name: x\nsteps:\n  - name: a\n    reqest: {path: /}\n"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def test_pre_commit_hook_checks_playbooks_by_their_name(tmp_path: Path) -> None:
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        pytest.skip("pre-commit installs hooks from a git repository; this checkout is not one")
    project = tmp_path / "project"
    (project / "recipes").mkdir(parents=True)
    shutil.copy(PLAYBOOKS / "smoke.yml", project / "recipes" / "smoke.sfjwt.yml")
    (project / "recipes" / "broken.sfjwt.yml").write_text(BAD_PLAYBOOK)
    (project / "compose.yml").write_text("services: {}\n")  # not a playbook: left alone
    git(project, "init", "-q")
    git(project, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "sfjwt-run-syntax-check",
         "--all-files"], cwd=project, env=env, capture_output=True, text=True, timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "sfjwt-run --syntax-check" in output and "Failed" in output
    assert "- exit code: 4" in output
    assert "recipes/broken.sfjwt.yml:4:5: steps[0]: unknown key 'reqest'" in output
    assert "compose.yml" not in output

    (project / "recipes" / "broken.sfjwt.yml").unlink()
    git(project, "add", "-A")
    again = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "sfjwt-run-syntax-check",
         "--all-files"], cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert re.search(r"sfjwt-run --syntax-check\.+Passed", again.stdout)


def test_hook_manifest_is_what_pre_commit_accepts() -> None:
    from pre_commit.clientlib import load_manifest

    [hook] = load_manifest(str(REPO / ".pre-commit-hooks.yaml"))
    assert hook["id"] == "sfjwt-run-syntax-check"
    assert hook["entry"] == "sfjwt-run --syntax-check"
    assert re.search(hook["files"], "recipes/smoke.sfjwt.yml")
    assert re.search(hook["files"], "health.sfjwt.yaml")
    assert not re.search(hook["files"], "inventory.yml")


def check_builtin(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema,
                           str(path)], capture_output=True, text=True, timeout=120)


def test_action_is_a_valid_composite_action() -> None:
    done = check_builtin("vendor.github-actions", REPO / "action.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), "inputs reach scripts through env, not ${{ }}"


def test_readme_workflow_example_is_a_valid_workflow(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(# \.github/workflows/[^\n]+\n.*?)```", readme, re.S)
    assert blocks, "README shows a workflow under .github/workflows/"
    workflow = tmp_path / "salesforce.yml"
    workflow.write_text(blocks[0])
    done = check_builtin("vendor.github-workflows", workflow)
    assert done.returncode == 0, done.stdout + done.stderr
    steps = [s for job in yaml.safe_load(blocks[0])["jobs"].values() for s in job["steps"]]
    assert any(str(step.get("uses", "")).startswith("sfjwt-run/sfjwt-run@") for step in steps)


def render(value: str, inputs: dict[str, str]) -> str:
    """The ``${{ inputs.NAME }}`` expressions of an env value, as the runner renders them."""
    return re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: inputs[m.group(1)], value)


def run_action(tmp_path: Path, given: dict[str, str]) -> tuple[list[str], dict[str, str], Path]:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    inputs.update(given)
    runner_files = {name: tmp_path / name for name in ("output", "summary", "path")}
    for path in runner_files.values():
        path.write_text("")
    workspace = tmp_path / "workspace"
    shutil.copytree(PLAYBOOKS, workspace / "playbooks",
                    ignore=shutil.ignore_patterns("certs"))
    base = {key: value for key, value in os.environ.items()
            if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    base.update(RUNNER_TEMP=str(tmp_path / "runner-temp"), GITHUB_ACTION_PATH=str(REPO),
                GITHUB_OUTPUT=str(runner_files["output"]), GITHUB_WORKSPACE=str(workspace),
                GITHUB_STEP_SUMMARY=str(runner_files["summary"]),
                GITHUB_PATH=str(runner_files["path"]), GITHUB_ACTIONS="true", NO_COLOR="1")
    (tmp_path / "runner-temp").mkdir()
    logs = []
    for step in action["runs"]["steps"]:
        if "run" not in step:
            continue  # actions/setup-python: this machine's python3 stands in
        assert step["shell"] == "bash"
        env = {**base, **{k: render(str(v), inputs) for k, v in step.get("env", {}).items()}}
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                               step["run"]], cwd=workspace, env=env, capture_output=True,
                              text=True, timeout=600)
        logs.append(done.stdout + done.stderr)
        if done.returncode != 0:
            break
    outputs = dict(line.split("=", 1) for line in runner_files["output"].read_text().splitlines())
    return logs, outputs, tmp_path


def test_action_steps_run_playbooks_and_report_to_github(tmp_path: Path) -> None:
    logs, outputs, where = run_action(tmp_path, {
        "playbooks": "playbooks/health.yml", "inventory": "playbooks/inventory.example.yml",
        "args": "-f 2 --skip-tags certificate",
    })
    install, run = logs
    assert re.search(r"^sfjwt-run \d+\.\d+", install, re.M), install
    assert outputs["exit-status"] == "2", run
    assert (where / "workspace" / outputs["junit"]).is_file()
    assert (where / "workspace" / outputs["json"]).is_file()
    summary = (where / "summary").read_text()
    assert "## Health" in summary and "| globex-prod |" in summary
    errors = [line for line in run.splitlines() if line.startswith("::error ")]
    assert errors, run
    assert all(re.match(r"::error file=playbooks/health\.yml,line=\d+,title=globex-prod%3A ", line)
               for line in errors), errors
    assert len(errors) == len(set(errors)), errors  # printed once, by the run itself
    assert str(where / "runner-temp" / "sfjwt-run" / "bin") in (where / "path").read_text()


def test_action_inputs_are_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    action = yaml.safe_load((REPO / "action.yml").read_text())
    missing = [name for name in action["inputs"] if f"`{name}`" not in readme]
    assert missing == []

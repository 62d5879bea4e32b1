"""The CI examples in examples/ci do what the README says: their own shell steps, run as the
CI would run them (one workspace per shard job, the artifacts handed to the merge job), shard
the example fleet, merge the reports, and leave a step summary and annotations."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import REPO

EXAMPLES = REPO / "examples" / "ci"
BIN = str(Path(sys.executable).parent)  # sfjwt-run and python, as pip installs them


def _workspace(path: Path) -> Path:
    """A checkout as a CI job gets it (what the examples read of it)."""
    path.mkdir(parents=True)
    for name in ("playbooks", "examples"):
        (path / name).symlink_to(REPO / name)
    return path


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                          cwd=cwd, env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}",
                                        "NO_COLOR": "1", **env},
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def _github_steps(job: dict[str, Any], values: dict[str, str]) -> list[str]:
    """The job's shell steps with its expressions filled in; installing is already done, and
    no secret is set."""
    scripts = []
    for step in job["steps"]:
        if "run" not in step or step["name"].startswith("Install") or "SF_PRIVATE_KEY" in str(
                step.get("if", "")):
            continue
        scripts.append(re.sub(r"\$\{\{ *([\w.-]+) *\}\}", lambda m: values[m[1]], step["run"]))
    return scripts


def test_the_github_workflow_shards_merges_and_annotates(tmp_path: Path) -> None:
    workflow = yaml.safe_load((EXAMPLES / "github-actions.yml").read_text())
    env = {key: str(value) for key, value in workflow["env"].items()}
    shard_job, merge_job = workflow["jobs"]["shard"], workflow["jobs"]["merge"]
    shards = shard_job["strategy"]["matrix"]["shard"]
    assert merge_job["needs"] == "shard" and merge_job["if"] == "always()"
    merge_space = _workspace(tmp_path / "merge")
    (merge_space / "reports").mkdir()
    statuses = []
    for shard in shards:
        space = _workspace(tmp_path / f"shard-{shard}")
        values = {"matrix.shard": str(shard), "strategy.job-total": str(len(shards))}
        (script,) = _github_steps(shard_job, values)
        statuses.append(_bash(script, space, env).returncode)
        report = space / "reports" / f"shard-{shard}.json"  # upload-artifact, download-artifact
        shutil.copy(report, merge_space / "reports" / report.name)
    assert statuses == [0, 2, 3]
    summary = tmp_path / "summary.md"
    summary.write_text("## Earlier step\n")
    (script,) = _github_steps(merge_job, {})
    github = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    merge = _bash(script, merge_space, {**env, **github})
    assert merge.returncode == 3, merge.stderr
    assert "FAILED in" in merge.stdout and "umbrella-prod" in merge.stdout
    text = summary.read_text()
    assert text.startswith("## Earlier step\n")  # appended, as GitHub expects of each step
    assert "## Health — login, identity, API headroom" in text
    assert "| umbrella-prod | 0 | 0 | 1 | 7 |" in text
    errors = [line for line in merge.stdout.splitlines() if line.startswith("::error ")]
    assert [line.split("title=")[1].split("::")[0] for line in errors] == [
        "globex-prod%3A Integration user can read Accounts", "umbrella-prod%3A log in"]
    uploaded = merge_job["steps"][-1]["with"]["path"].split()
    assert uploaded == ["merged.json", "merged.xml", "merged.html"]
    assert all((merge_space / name).is_file() for name in uploaded)


def test_the_gitlab_pipeline_shards_and_merges(tmp_path: Path) -> None:
    pipeline = yaml.safe_load((EXAMPLES / "gitlab-ci.yml").read_text())
    env = {key: str(value) for key, value in pipeline["variables"].items()}
    shard_job, report_job = pipeline["salesforce-shard"], pipeline["salesforce-report"]
    assert report_job["needs"] == ["salesforce-shard"] and report_job["when"] == "always"
    count = shard_job["parallel"]
    merge_space = _workspace(tmp_path / "merge")
    statuses = []
    for index in range(1, count + 1):
        space = _workspace(tmp_path / f"node-{index}")
        script = "\n".join(line for line in shard_job["script"] if not line.startswith("pip "))
        node = {"CI_NODE_INDEX": str(index), "CI_NODE_TOTAL": str(count), "SF_PRIVATE_KEY": ""}
        statuses.append(_bash(script, space, {**env, **node}).returncode)
        shutil.copytree(space / "reports", merge_space / "reports", dirs_exist_ok=True)
    assert statuses == [0, 2, 3]
    script = "\n".join(line for line in report_job["script"] if not line.startswith("pip "))
    merged = _bash(script, merge_space, env)
    assert merged.returncode == 3, merged.stderr
    assert all((merge_space / name).is_file() for name in report_job["artifacts"]["paths"])
    assert report_job["artifacts"]["reports"]["junit"] == "merged.xml"
    assert 'failures="1"' in (merge_space / "merged.xml").read_text()

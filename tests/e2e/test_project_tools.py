"""A project as ``init`` makes it and a teammate clones it; ``schema``; shell completion;
``-C`` and ``--color`` — each through the real command line."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from runner.playbook.schema import schema_dir
from runner.salesforce import keys
from tests.conftest import PLAYBOOKS, run_cli
from tests.e2e.standalone import standalone_emulator
from tests.e2e.test_schema_offline import check_jsonschema, declared_schema

ESC = "\x1b["


def test_a_cloned_init_project_is_self_contained(tmp_path: Path) -> None:
    made = run_cli("init", "acme", "--org", "acme-uat", cwd=tmp_path)
    assert made.status == 0, made.output
    project = tmp_path / "acme"
    for name in ("playbook", "inventory", "emulator", "steps"):
        copy = project / ".sfjwt" / "schemas" / f"{name}.schema.json"
        assert copy.read_text() == (schema_dir() / f"{name}.schema.json").read_text()
    assert json.loads((project / ".vscode" / "extensions.json").read_text()) == {
        "recommendations": ["redhat.vscode-yaml"]}
    inventory = (project / "inventory.yml").read_text()
    assert "private_key: certs/server.key" in inventory and ".." not in inventory
    clone = tmp_path / "elsewhere" / "clone"  # as git would: without the ignored key
    shutil.copytree(project, clone, ignore=shutil.ignore_patterns("*.key"))
    for name in ("playbook.yml", "inventory.yml"):
        schema = declared_schema(clone / name)
        assert schema == clone / ".sfjwt" / "schemas" / name.replace(".yml", ".schema.json")
        done = check_jsonschema(schema, clone / name)
        assert done.returncode == 0, done.stdout + done.stderr
    checked = run_cli("-i", "inventory.yml", "playbook.yml", "--syntax-check", cwd=clone)
    assert checked.status == 0, checked.output


def test_a_step_file_added_to_an_init_project_is_checked_offline(tmp_path: Path) -> None:
    """A teammate's new step file points at the project's copy of the step-file schema."""
    assert run_cli("init", "acme", cwd=tmp_path).status == 0
    steps = tmp_path / "acme" / "steps" / "versions.yml"
    steps.parent.mkdir()
    modeline = "# yaml-language-server: $schema=../.sfjwt/schemas/steps.schema.json\n"
    steps.write_text(modeline + "- name: API versions\n  request: {path: /services/data/}\n")
    done = check_jsonschema(declared_schema(steps), steps)
    assert done.returncode == 0, done.stdout + done.stderr
    steps.write_text(modeline + "- name: API versions\n  requets: {path: /services/data/}\n")
    refused = check_jsonschema(declared_schema(steps), steps)
    assert refused.returncode == 1 and "requets" in refused.stdout + refused.stderr


def test_existing_files_are_kept_unless_forced(tmp_path: Path) -> None:
    project = tmp_path / "p"
    assert run_cli("init", str(project)).status == 0
    key = (project / "certs" / "server.key").read_bytes()
    (project / "playbook.yml").write_text("# mine\n" + (project / "playbook.yml").read_text())
    (project / ".sfjwt" / "schemas" / "playbook.schema.json").write_text("{}")
    again = run_cli("init", str(project))
    assert again.status == 0, again.output
    assert (project / ".sfjwt" / "schemas" / "playbook.schema.json").read_text() == "{}"
    assert f"kept     {project}/playbook.yml (already there)" in again.stdout
    assert "--force replaces them" in again.stdout
    assert (project / "playbook.yml").read_text().startswith("# mine\n")
    forced = run_cli("init", str(project), "--force")
    assert forced.status == 0, forced.output
    assert f"replaced {project}/playbook.yml" in forced.stdout
    assert f"replaced {project}/.sfjwt/schemas/playbook.schema.json" in forced.stdout
    assert not (project / "playbook.yml").read_text().startswith("# mine")
    assert (project / "certs" / "server.key").read_bytes() == key  # a made key stays


def tutorial(tmp_path: Path, url: str) -> Path:
    folder = tmp_path / "sf-jwt-app"
    keys.ensure_key_pair(private_key=folder / "certs" / "server.key",
                         certificate=folder / "certs" / "server.crt")
    (folder / ".env").write_text("KeyFile = 'certs/server.key'\nClientId = 'TUTORIAL_APP'\n"
                                 f"UserName = 'api.user@test.not'\nDomain = '{url}'\n")
    return folder


def test_from_env_moves_the_key_into_a_project_that_logs_in(tmp_path: Path) -> None:
    folder = tutorial(tmp_path, "http://127.0.0.1:1")
    certificate = (folder / "certs" / "server.crt").read_bytes()
    (tmp_path / "server.crt").write_bytes(certificate)
    with standalone_emulator("--cert", str(tmp_path / "server.crt"), "--client-id",
                             "TUTORIAL_APP", "--username", "api.user@test.not") as url:
        (folder / ".env").write_text((folder / ".env").read_text().replace(
            "http://127.0.0.1:1", url))
        made = run_cli("init", "proj", "--from-env", str(folder / ".env"), "--move-key",
                       cwd=tmp_path)
        assert made.status == 0, made.output
        project = tmp_path / "proj"
        assert not (folder / "certs" / "server.key").exists()  # moved, not copied
        assert (project / "certs" / "server.crt").read_bytes() == certificate
        assert stat.S_IMODE((project / "certs" / "server.key").stat().st_mode) == 0o600
        env = (project / ".env").read_text()
        assert "SF_CLIENT_ID=TUTORIAL_APP" in env and "Copy to .env" not in env
        assert "Copy to .env" in (project / ".env.example").read_text()
        assert "Consumer Key" not in made.stdout.split("checklist")[1]
        assert "came from the tutorial's .env" in made.stdout
        run = run_cli("-i", "inventory.yml", "playbook.yml", cwd=project)
    assert run.status == 0, run.output
    assert "PASSED" in run.stdout


def test_move_key_needs_from_env(tmp_path: Path) -> None:
    done = run_cli("init", str(tmp_path / "p"), "--move-key")
    assert done.status == 5
    assert "--move-key needs --from-env" in done.stderr


def test_schema_prints_and_writes(tmp_path: Path) -> None:
    printed = run_cli("schema", "inventory")
    assert printed.status == 0, printed.output
    assert json.loads(printed.stdout) == json.loads(
        (schema_dir() / "inventory.schema.json").read_text())
    wrote = run_cli("schema", "inventory", "--write", str(tmp_path / "s"))
    assert wrote.status == 0, wrote.output
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == [
        "emulator.schema.json", "inventory.schema.json", "playbook.schema.json"]
    done = check_jsonschema(tmp_path / "s" / "inventory.schema.json",
                            PLAYBOOKS / "inventory.example.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    everything = run_cli("schema", "all", "--write", str(tmp_path / "s"))
    assert f"created  {tmp_path}/s/report.schema.json" in everything.stdout
    assert f"kept     {tmp_path}/s/playbook.schema.json (already there)" in everything.stdout
    for wrong in (("schema", "nope"), ("schema", "all")):
        bad = run_cli(*wrong)
        assert bad.status == 5, bad.output
        assert bad.stderr.startswith("sfjwt-run: error: ")


def complete_in_bash(script: Path, cwd: Path, *words: str) -> list[str]:
    """Source the script and ask its completion function, as bash does on TAB."""
    program = (
        f"source {script}\n"
        "COMP_WORDS=(\"$@\"); COMP_CWORD=$((${#COMP_WORDS[@]}-1))\n"
        "COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}\n"
        "_shtab_sfjwt_run sfjwt-run; printf '%s\\n' \"${COMPREPLY[@]}\"\n"
    )
    done = subprocess.run(["bash", "--norc", "-c", program, "bash", *words], cwd=cwd,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line]


def test_bash_completion_from_the_parser(tmp_path: Path) -> None:
    made = run_cli("completion", "bash")
    assert made.status == 0, made.output
    script = tmp_path / "sfjwt-run.bash"
    script.write_text(made.stdout)
    (tmp_path / "smoke.yml").write_text("")
    first = complete_in_bash(script, tmp_path, "sfjwt-run", "")
    assert {"init", "schema", "completion", "smoke.yml"} <= set(first)
    assert complete_in_bash(script, tmp_path, "sfjwt-run", "--inv") == ["--inventory"]
    assert complete_in_bash(script, tmp_path, "sfjwt-run", "smoke.yml", "--color", "") == [
        "auto", "always", "never"]
    assert complete_in_bash(script, tmp_path, "sfjwt-run", "completion", "") == [
        "bash", "zsh", "fish"]
    assert "--move-key" in complete_in_bash(script, tmp_path, "sfjwt-run", "init", "--")
    assert "-C" in complete_in_bash(script, tmp_path, "sfjwt-run", "smoke.yml", "-")
    assert "playbook" in complete_in_bash(script, tmp_path, "sfjwt-run", "schema", "")


def test_fish_completion_answers_fish(tmp_path: Path) -> None:
    if shutil.which("fish") is None:
        pytest.skip("fish is not installed")
    script = tmp_path / "sfjwt-run.fish"
    script.write_text(run_cli("completion", "fish").stdout)
    (tmp_path / "smoke.yml").write_text("")
    done = subprocess.run(
        ["fish", "--no-config", "-c", f"source {script}; complete --do-complete 'sfjwt-run '; "
         "complete --do-complete 'sfjwt-run completion '"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60)
    words = [line.split("\t")[0] for line in done.stdout.splitlines()]
    assert {"init", "schema", "completion", "smoke.yml", "bash", "zsh", "fish"} <= set(words)


def test_zsh_completion_loads(tmp_path: Path) -> None:
    if shutil.which("zsh") is None:
        pytest.skip("zsh is not installed")
    script = tmp_path / "_sfjwt-run"
    script.write_text(run_cli("completion", "zsh").stdout)
    done = subprocess.run(
        ["zsh", "-fc", f"autoload -U compinit; compinit -u -d {tmp_path}/zcd; source {script}; "
         "whence -f _shtab_sfjwt_run_commands"],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "_shtab_sfjwt_run_subcommands" in done.stdout and "_files" in done.stdout


def test_capital_c_is_check(tmp_path: Path) -> None:
    smoke = tmp_path / "smoke.yml"
    shutil.copy(PLAYBOOKS / "smoke.yml", smoke)
    short, long = run_cli(str(smoke), "-C"), run_cli(str(smoke), "--check")
    assert short.status == long.status == 0
    assert short.stdout == long.stdout and "would be created" in short.stdout


def test_color_modes_on_a_pipe(tmp_path: Path) -> None:
    smoke = tmp_path / "smoke.yml"
    shutil.copy(PLAYBOOKS / "smoke.yml", smoke)
    plain = run_cli(str(smoke), cwd=tmp_path)  # run_cli sets NO_COLOR=1; stdout is a pipe
    forced = run_cli(str(smoke), "--color", "always", cwd=tmp_path)
    never = run_cli(str(smoke), "--color", "never", cwd=tmp_path,
                    env={k: v for k, v in os.environ.items() if k != "NO_COLOR"})
    assert plain.status == forced.status == never.status == 0
    assert ESC not in plain.stdout and ESC not in never.stdout
    assert f"{ESC}32m  ok        {ESC}0mlog in" in forced.stdout
    bad = run_cli(str(smoke), "--color", "sometimes")
    assert bad.status == 5 and "invalid choice: 'sometimes'" in bad.stderr

"""Templates run in Jinja2's immutable sandbox, proven through the command line.

Each escape is placed where a playbook author could put it (a path, a body, a
header, an assertion, a condition) and must be refused with a one-line
"refused by the template sandbox" reason, no traceback, and nothing run: the
payloads try to create a marker file. Values that come from outside the
playbook (server data, -e, the environment) are data, never templates.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import CliRun, run_cli, run_cli_inprocess

REFUSED = "refused by the template sandbox"
SYSTEM = "__globals__['os'].system('touch {marker}')"


def _playbook(folder: Path, steps: list[dict[str, object]]) -> Path:
    path = folder / "p.yml"
    setup = {"name": "read", "request": {"path": "/services/data/"}, "register": "r"}
    path.write_text(yaml.safe_dump({"name": "sandbox", "steps": [setup, *steps]},
                                   sort_keys=False))
    return path


ESCAPES: dict[str, dict[str, object]] = {
    "mro-in-path": {"request": {"path": "/{{ ''.__class__.__mro__ }}"}},
    "subclasses-in-body": {"request": {
        "method": "POST", "path": "/services/data/v60.0/sobjects/Account",
        "body": "{% for c in ().__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}"}},
    "cycler-globals-in-assert": {"assert": ["cycler.__init__.__globals__"]},
    "lipsum-os-system-in-assert": {"assert": ["lipsum." + SYSTEM]},
    "joiner-os-system-in-header": {"request": {
        "path": "/services/data/",
        "headers": {"X-Escape": "{{ joiner.__init__." + SYSTEM + " }}"}}},
    "namespace-globals-in-when": {"when": "namespace.__init__.__globals__", "assert": ["true"]},
    "format-string": {"assert": ["'{0.__class__.__mro__}'.format('')"]},
    "mutate-registered-data": {"assert": ["r.json.append(1)"]},
    "private-attribute": {"assert": ["r.headers._store"]},
    "private-attribute-in-text": {"request": {"path": "/services/data/{{ r.headers._store }}"}},
    "dunder-of-env": {"assert": ["env.__class__.__subclasses__()"]},
    "dunder-in-until": {"request": {"path": "/services/data/"}, "retries": 1, "delay": 0,
                        "until": "response.__class__.__mro__"},
    "dunder-in-expectation": {"request": {"path": "/services/data/"},
                              "expect": {"json": {"length(@)": {"gte": "{{ r.__class__ }}"}}}},
}


def _refused(run: CliRun, marker: Path) -> None:
    assert run.status == 2, run.output
    failures = [line.strip() for line in run.stdout.splitlines() if line.strip().startswith("✗")]
    assert len(failures) == 1, run.stdout
    assert REFUSED in failures[0] and "is unsafe" in failures[0], failures[0]
    assert "Traceback" not in run.output and "internal error" not in run.output
    assert not marker.exists(), "a template escaped the sandbox and ran a command"


@pytest.mark.parametrize("step", ESCAPES.values(), ids=list(ESCAPES))
def test_sandbox_escapes_are_refused(step: dict[str, object], tmp_path: Path) -> None:
    marker = tmp_path / "ESCAPED"
    text = json.dumps(step).replace("{marker}", str(marker))
    playbook = _playbook(tmp_path, [{"name": "escape", **json.loads(text)}])
    run = run_cli_inprocess(str(playbook), "--no-progress")
    _refused(run, marker)


def test_os_system_escape_in_a_real_process(tmp_path: Path) -> None:
    marker = tmp_path / "ESCAPED"
    playbook = _playbook(tmp_path, [
        {"name": "escape", "assert": [f"lipsum.{SYSTEM.format(marker=marker)}"]}])
    _refused(run_cli(str(playbook), cwd=tmp_path), marker)


def test_values_from_outside_the_playbook_are_data_not_templates(tmp_path: Path) -> None:
    """A record and an environment variable holding Jinja stay literal text."""
    marker = tmp_path / "ESCAPED"
    payload = "{{ lipsum." + SYSTEM.format(marker=marker) + " }}"
    raw = "{% raw %}" + payload + "{% endraw %}"
    playbook = _playbook(tmp_path, [
        {"name": "store a template in a record",
         "request": {"method": "POST", "path": "/services/data/v60.0/sobjects/Account",
                     "json": {"Name": raw}}, "register": "created"},
        {"name": "read it back",
         "request": {"path": "/services/data/v60.0/sobjects/Account/{{ created.json.id }}"},
         "register": "got", "expect": {"json": {"Name": {"equals": raw}}}},
        {"name": "use it and the environment in a path",
         "request": {"path": "/services/data/v60.0/sobjects/Account/{{ got.json.Name }}"
                     "{{ env.INJECTED }}"},
         "expect": {"status": 404}},
        {"name": "they are the literal text",
         "assert": ["got.json.Name == env.INJECTED", "'lipsum' in env.INJECTED"]},
    ])
    run = run_cli(str(playbook), cwd=tmp_path, env={"INJECTED": payload})
    assert run.status == 0, run.output
    assert not marker.exists()
    assert "Traceback" not in run.output


def test_an_extra_var_is_a_template_and_the_sandbox_refuses_its_escape(tmp_path: Path) -> None:
    """``-e`` values are variables like any other (Ansible renders them), so they are
    templates: an escape in one is refused by the sandbox, and the step fails."""
    marker = tmp_path / "ESCAPED"
    payload = "{{ lipsum." + SYSTEM.format(marker=marker) + " }}"
    playbook = _playbook(tmp_path, [
        {"name": "use it", "request": {"path": "/services/data/{{ injected }}"}}])
    run = run_cli(str(playbook), "-e", json.dumps({"injected": payload}), cwd=tmp_path)
    _refused(run, marker)
    assert "injected (-e): refused by the template sandbox" in run.stdout

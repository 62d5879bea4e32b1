"""pytest plugin: playbooks as test items, and the embedded org as a fixture for your own tests.

Installed with sfjwt-run (entry point ``pytest11``), as Tavern's is:

- Files matching the ini option ``sfjwt_files`` (default ``test_*.sfjwt.yml``) are
  collected. Each playbook is **one test item** (named by its ``name:``), run as
  ``sfjwt-run FILE`` with the ini option ``sfjwt_args`` appended (``-i orgs.yml -e
  x=1``; its relative paths are relative to the ini file, as pytest's own are): it
  passes when the run exits 0, and a failure shows the run's console
  output as ``sfjwt-run`` prints it. A playbook that does not load is a collection
  error with its ``file:line:col``. The tags of its steps become markers
  (``-m smoke``); ``-k`` matches the file name, the playbook's name and its tags;
  ``--junitxml`` records each item with its output.
- The ``sfjwt_org`` fixture serves the embedded org on loopback for one test and
  yields its ``login_url``, ``client_id``, ``username`` and ``key_path`` (a key whose
  certificate the org trusts), plus ``instance_url``, ``ca_bundle`` and
  ``access_token()``. Options as ``sfjwt-emulator``'s: ``@pytest.mark.sfjwt_org(...)``
  with one org's options (``username``, ``latency_ms``, ``faults``, ``sample_data``,
  ...), ``config=FILE`` for a ``--config`` file (``org=NAME`` picks one), ``https=``;
  the ini options ``sfjwt_org_config`` and ``sfjwt_org_https`` set defaults. Over
  HTTPS (the default, as simple-salesforce needs) ``REQUESTS_CA_BUNDLE`` points at
  the org's certificate for the test.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from rich.console import Console

from runner.cli.environment import Environment
from runner.cli.main import main
from runner.errors import SfjwtError
from runner.playbook.model import Playbook, load_playbook
from runner.report.wording import describe_check, reason_text
from runner.run.embedded import ServedOrg
from runner.run.results import Invocation, Outcome, RunResult, StepResult
from runner.run.served import serving
from runner.salesforce import keys
from runner.salesforce.auth import JwtCredentials, request_token
from runner.secrets import redact

DEFAULT_FILES = "test_*.sfjwt.yml"
CONSOLE_WIDTH = 120
_NOT_A_MARK = re.compile(r"\W")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("sfjwt_files", "glob of the playbook files collected as tests",
                  default=DEFAULT_FILES)
    parser.addini("sfjwt_args", "options added to every collected playbook's sfjwt-run "
                  "command line (-i FILE, -e NAME=VALUE, -l ORGS, ...)", type="args", default=[])
    parser.addini("sfjwt_org_config", "an sfjwt-emulator --config file for the sfjwt_org "
                  "fixture (relative to the ini file)", default="")
    parser.addini("sfjwt_org_https", "whether the sfjwt_org fixture serves HTTPS", type="bool",
                  default=True)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sfjwt_org(config=None, org=None, https=None, **options): "
                            "options of the embedded org the sfjwt_org fixture serves")
    config.addinivalue_line("markers", "sfjwt: a playbook collected by sfjwt-run's plugin")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> PlaybookFile | None:
    if file_path.match(str(parent.config.getini("sfjwt_files"))):
        file: PlaybookFile = PlaybookFile.from_parent(parent, path=file_path)
        return file
    return None


@dataclass(frozen=True)
class CliRun:
    """What ``sfjwt-run`` did in this process: its exit status, its console text and, for a
    command that ran playbooks, their results as data."""

    status: int
    output: str
    results: Invocation | None = None


def run_cli(path: Path, args: list[str], folder: Path | None = None) -> CliRun:
    """``sfjwt-run PATH ARGS`` in this process, in ``folder`` (the ini file's, where the
    relative paths of ``sfjwt_args`` are written)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=CONSOLE_WIDTH, no_color=True, highlight=False,
                      force_terminal=False, soft_wrap=True)
    results: list[Invocation] = []
    before = Path.cwd()
    os.chdir(folder or before)
    try:
        status = main([str(path.absolute()), *args, "--no-progress"],
                      Environment(stdout=console, stderr=console, results=results))
    finally:
        os.chdir(before)
    return CliRun(status, buffer.getvalue(), results[0] if results else None)


def ini_folder(config: pytest.Config) -> Path:
    """The folder of the ini file: its relative paths are relative to it, as pytest's are."""
    return Path(str(config.inipath)).parent if config.inipath else config.rootpath


class PlaybookFile(pytest.File):
    """A playbook file: checked as ``--syntax-check`` checks it, then one item."""

    def collect(self) -> Iterator[PlaybookItem]:
        args = list(self.config.getini("sfjwt_args"))
        checked = run_cli(self.path, [*args, "--syntax-check"], ini_folder(self.config))
        if checked.status != 0:
            raise self.CollectError(checked.output.rstrip())
        try:
            playbook = load_playbook(self.path)
        except SfjwtError as exc:  # pragma: no cover - the syntax check above refuses it first
            raise self.CollectError(str(exc)) from None
        yield PlaybookItem.from_parent(self, name=playbook.name, playbook=playbook, args=args)


def headline(results: Invocation) -> str | None:
    """The line pytest's short summary shows (``-r``) for a failed playbook, where the
    console's first line would only name it: the first result that failed (not one whose
    failure is ignored), by when it ended, and the first thing that failed in it."""
    failed = [result for run in results.runs for result in _results(run)
              if result.outcome is Outcome.FAILED and not result.ignored]
    if not failed:
        return None
    first = min(failed, key=lambda result: (result.started_ms or 0.0) + result.elapsed_ms)
    checks = first.failed_checks
    why = describe_check(checks[0]) if checks else reason_text(first)
    step = f"{redact(first.name)} ({first.org}) failed" if first.org else \
        f"{redact(first.name)} failed"
    return f"{step} — ✗ {why}" if why else step


def _results(run: RunResult) -> Iterator[StepResult]:
    """A run's results: its keys', then each org's login and steps."""
    yield from run.keys
    for org in run.orgs:
        if org.login is not None:
            yield org.login
        yield from org.steps


class PlaybookFailed(Exception):
    """A playbook run that did not pass: its exit status, what it printed and what failed."""

    def __init__(self, run: CliRun) -> None:
        super().__init__(f"sfjwt-run exited {run.status}")
        self.status = run.status
        self.output = run.output
        self.headline = headline(run.results) if run.results is not None else None


class PlaybookItem(pytest.Item):
    """One playbook, run through the command line."""

    def __init__(self, *, playbook: Playbook, args: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.args = args
        self.add_marker("sfjwt")
        tags = sorted({tag for step in playbook.steps for tag in step.tags})
        for tag in tags:
            mark = _NOT_A_MARK.sub("_", tag)
            self.config.addinivalue_line("markers", f"{mark}: steps tagged {tag!r}")
            self.add_marker(mark)

    def runtest(self) -> None:
        run = run_cli(self.path, self.args, ini_folder(self.config))
        if run.status != 0:  # the failure shows the output: once is enough
            raise PlaybookFailed(run)
        self.add_report_section("call", "sfjwt-run", run.output)  # for -rP

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> Any:
        if isinstance(excinfo.value, PlaybookFailed):
            failed = excinfo.value
            return (f"{failed.headline or failed}\n\n{failed.output.rstrip()}\n\n"
                    f"sfjwt-run exited {failed.status}")
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"playbook: {self.name}"


@dataclass(frozen=True)
class EmbeddedOrg:
    """What a client needs to log in to the embedded org with the JWT bearer flow."""

    name: str
    login_url: str
    instance_url: str
    client_id: str
    username: str
    key_path: Path
    certificate_path: Path
    ca_bundle: Path | None

    def access_token(self) -> str:
        """An access token from the JWT bearer flow, signed with ``key_path``."""
        pair = keys.load_key_pair(self.key_path, self.certificate_path, None)
        credentials = JwtCredentials(self.login_url, self.client_id, self.username,
                                     pair.private_key)
        with requests.Session() as session:
            verify: bool | str = str(self.ca_bundle) if self.ca_bundle else True
            token = request_token(session, credentials, timeout=30, verify=verify)
        return token.access_token


@pytest.fixture(scope="session")
def sfjwt_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A private key and a certificate for the session (made once)."""
    folder = tmp_path_factory.mktemp("sfjwt-key")
    key, certificate = folder / "server.key", folder / "server.crt"
    keys.ensure_key_pair(private_key=key, certificate=certificate)
    return key, certificate


@pytest.fixture
def sfjwt_org(request: pytest.FixtureRequest, sfjwt_key: tuple[Path, Path],
              tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmbeddedOrg]:
    """The embedded org, served on loopback for one test."""
    options = _org_options(request)
    config, wanted = options.pop("config"), options.pop("org")
    https = bool(options.pop("https"))
    tls = tmp_path / "sfjwt-tls.pem" if https else None
    key, certificate = sfjwt_key
    with serving(options, certificate_pem=certificate.read_text(encoding="utf-8"),
                 config=config, https=https, tls_cert_out=tls) as orgs:
        org = _chosen(orgs, wanted)
        if tls is not None:
            monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls))
        yield EmbeddedOrg(org.name, org.login_url, org.instance_url, org.client_id,
                          org.username, key, certificate, tls)


def _org_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The marker's options over the ini defaults."""
    config = request.config
    ini = str(config.getini("sfjwt_org_config"))
    options: dict[str, Any] = {"config": ini_folder(config) / ini if ini else None, "org": None,
                               "https": config.getini("sfjwt_org_https")}
    marker = request.node.get_closest_marker("sfjwt_org")
    if marker is not None:
        options.update(marker.kwargs)
        if marker.kwargs.get("config") is not None:
            options["config"] = request.path.parent / str(marker.kwargs["config"])
    return options


def _chosen(orgs: list[ServedOrg], wanted: str | None) -> ServedOrg:
    if wanted is None:
        return orgs[0]
    for org in orgs:
        if org.name == wanted:
            return org
    raise pytest.UsageError(f"sfjwt_org: no org named {wanted!r} "
                            f"(orgs: {', '.join(org.name for org in orgs)})")

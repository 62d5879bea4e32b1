"""``sfjwt-run init DIR``: a self-contained project for one org, and the Setup checklist.

Everything the project needs lives in it, so a teammate who clones it gets a working
tree: the key (mode 0600) and certificate under ``certs/`` (made, or copied — moved
with ``--move-key`` — from the JWT tutorial's folder with ``--from-env``), a playbook
and an inventory whose modelines point editors at the schemas copied into
``.sfjwt/schemas/`` by relative path, ``.env.example`` (and ``.env`` with the tutorial's
values), a ``.gitignore`` that keeps keys and ``.env`` out of git, and a VS Code
recommendation for the YAML extension that reads the modelines. An existing file is
never overwritten without ``--force``. Before anything is written, the org's name is
checked (the inventory must load) and every file's place: a symbolic link (dangling or
not) that leads outside the project is refused, so init never writes elsewhere.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from runner.cli import templates
from runner.cli.schemas import referenced, write_schemas
from runner.errors import KeyMaterialError, UsageError
from runner.playbook.schema import load_schema
from runner.salesforce import keys

TUTORIAL_KEYS = ("KeyFile", "ClientId", "UserName", "Domain")
SCHEMAS = Path(".sfjwt") / "schemas"
KEY, CERTIFICATE = Path("certs") / "server.key", Path("certs") / "server.crt"
FILES = (KEY, CERTIFICATE, Path(".env"), Path("playbook.yml"), Path("inventory.yml"),
         Path(".env.example"), Path(".gitignore"), Path(".vscode") / "extensions.json")
SCHEMA_NAMES = ("playbook", "inventory", "steps")


@dataclass
class Scaffold:
    """What ``init`` wrote, for the message it prints."""

    directory: Path
    force: bool = False
    created: list[Path] = field(default_factory=list)
    replaced: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    checklist: str = ""
    warnings: list[str] = field(default_factory=list)

    def write(self, name: Path | str, data: str | bytes, *, mode: int = 0o644) -> None:
        """Write ``name`` in the project unless it is there (and not ``force``)."""
        path = self.directory / name
        existed = path.exists()
        if existed and not self.force:
            self.kept.append(path)
            return
        raw = data.encode("utf-8") if isinstance(data, str) else data
        keys.write_file(path, raw, mode)
        (self.replaced if existed else self.created).append(path)


def read_tutorial_env(path: Path) -> dict[str, str]:
    """The tutorial's ``.env``: KeyFile, ClientId, UserName, Domain."""
    if not path.is_file():
        raise UsageError(f"--from-env {path}: no such file")
    values = {k: v or "" for k, v in dotenv_values(path).items()}
    missing = [name for name in TUTORIAL_KEYS if not values.get(name)]
    if missing:
        raise UsageError(f"--from-env {path}: missing {', '.join(missing)}",
                         hint="the tutorial's .env names KeyFile, ClientId, UserName and Domain")
    return values


def init_project(directory: Path, *, from_env: Path | None = None, org: str = "myorg",
                 move_key: bool = False, force: bool = False) -> Scaffold:
    """Create (or complete) a project in ``directory``."""
    if move_key and from_env is None:
        raise UsageError("--move-key needs --from-env", hint="it moves the tutorial's key")
    check_org_name(org)
    check_inside(directory)
    directory.mkdir(parents=True, exist_ok=True)
    scaffold = Scaffold(directory, force=force)
    if from_env is not None:
        tutorial = read_tutorial_env(from_env)
        _adopt_key(scaffold, (from_env.parent / tutorial["KeyFile"]).resolve(), move=move_key)
        settings = {"login_url": tutorial["Domain"].rstrip("/"),
                    "client_id": tutorial["ClientId"], "username": tutorial["UserName"]}
        scaffold.write(".env", templates.ENV.format(**settings), mode=0o600)
    else:
        _make_key(scaffold)
        settings = {"login_url": "https://login.salesforce.com", "client_id": "", "username": ""}
    _write_schemas(scaffold)
    modeline = f"# yaml-language-server: $schema={SCHEMAS.as_posix()}/{{}}.schema.json\n"
    scaffold.write("playbook.yml", modeline.format("playbook") + templates.PLAYBOOK)
    scaffold.write("inventory.yml", modeline.format("inventory") + templates.INVENTORY.format(
        org=org, key=KEY.as_posix(), certificate=CERTIFICATE.as_posix()))
    scaffold.write(".env.example", templates.ENV_EXAMPLE.format(
        login_url=settings["login_url"], client_id="", username=""))
    scaffold.write(".gitignore", templates.GITIGNORE)
    scaffold.write(Path(".vscode") / "extensions.json", templates.VSCODE_EXTENSIONS)
    scaffold.checklist = checklist(directory, imported=bool(settings["client_id"]))
    return scaffold


def check_org_name(org: str) -> None:
    """An org name the inventory can hold (the schemas' ``name``), else exit 5."""
    definition = load_schema("playbook")["$defs"]["name"]
    if not re.fullmatch(definition["pattern"], org):
        raise UsageError(f"--org {org!r}: not a valid org name",
                         hint=f"use {definition['x-expected']}")


def check_inside(directory: Path) -> None:
    """Refuse (exit 5) any file init would write whose real place is outside ``directory``:
    a symbolic link, dangling or not, in its path."""
    home = os.path.realpath(directory)
    schemas = [SCHEMAS / f"{name}.schema.json"
               for name in dict.fromkeys(n for wanted in SCHEMA_NAMES for n in referenced(wanted))]
    for name in (*FILES, *schemas):
        path = directory / name
        real = os.path.realpath(path)
        if os.path.commonpath([home, real]) != home:
            raise UsageError(f"{path} leads outside the project (to {real}) through a "
                             "symbolic link: init writes only inside it",
                             hint="remove the link, or choose another folder")


def checklist(directory: Path, *, imported: bool) -> str:
    """The Setup steps; the consumer key is asked for only when it was not imported."""
    last = templates.CONSUMER_KEY_STEP if not imported else templates.IMPORTED_STEP
    return templates.CHECKLIST.format(certificate=directory / CERTIFICATE, directory=directory,
                                      last_step=last)


def _make_key(scaffold: Scaffold) -> None:
    """A new key pair, unless the project has one (a key is never replaced by a new one)."""
    key, certificate = scaffold.directory / KEY, scaffold.directory / CERTIFICATE
    _, changed = keys.ensure_key_pair(private_key=key, certificate=certificate,
                                      subject={"CN": "sfjwt-run"})
    (scaffold.created if changed else scaffold.kept).extend([key, certificate])


def _adopt_key(scaffold: Scaffold, source: Path, *, move: bool) -> None:
    """Copy (or move) the tutorial's key and certificate into the project's ``certs/``."""
    keys.load_key_pair(source, check_mode=False)  # it must load now, not at the first run
    sources = [(source, KEY, 0o600)]
    if source.with_suffix(".crt").is_file():
        sources.append((source.with_suffix(".crt"), CERTIFICATE, 0o644))
    else:
        scaffold.warnings.append(f"no certificate next to {source}: doctor cannot match the key")
    for origin, target, mode in sources:
        before = len(scaffold.kept)
        scaffold.write(target, origin.read_bytes(), mode=mode)
        if len(scaffold.kept) > before:
            continue
        if move:
            origin.unlink()
    if not move and source.exists():
        try:
            keys.check_permissions(source)
        except KeyMaterialError as exc:
            scaffold.warnings.append(f"the tutorial's copy: {exc.message}"
                                     + (f" ({exc.hint})" if exc.hint else ""))


def _write_schemas(scaffold: Scaffold) -> None:
    created, replaced, kept = write_schemas(scaffold.directory / SCHEMAS,
                                            list(SCHEMA_NAMES), force=scaffold.force)
    scaffold.created += created
    scaffold.replaced += replaced
    scaffold.kept += kept


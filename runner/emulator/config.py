"""The org model: emulator options (mapping, `emulator:` or `--config` file) → frozen configs.

Options are validated against ``schemas/emulator.schema.json`` so that the CLI,
the playbook and the Python API accept exactly the same keys, then turned into
immutable dataclasses the rest of the emulator reads without re-checking.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from runner.emulator.faults import FaultRule
from runner.emulator.ids import TOKEN_ALPHABET, random_text
from runner.emulator.orgschema import Fail, check_records, org_schema
from runner.emulator.schema import STANDARD, Schema
from runner.emulator.sourcemap import Locate, SourceMap, dotted
from runner.emulator.sourcemap import Path as SourcePath
from runner.emulator.values import is_email
from runner.errors import PlaybookError, Position

SCHEMA_NAME = "emulator.schema.json"


class EmulatorConfigError(PlaybookError):
    """Emulator options that do not validate, or a certificate that cannot be read."""


@dataclass(frozen=True)
class UserConfig:
    """A user of an org, as the connected-app checks see it."""

    username: str
    active: bool = True
    pre_authorized: bool = True
    first_name: str = "Integration"
    last_name: str = "User"
    email: str = ""


@dataclass(frozen=True)
class AppConfig:
    """A connected app: consumer key, certificates' public keys, and its user policy."""

    client_id: str
    name: str = "sfjwt-run"
    public_keys: tuple[rsa.RSAPublicKey, ...] = ()
    permitted_users: str = "admin_approved"
    scopes: tuple[str, ...] = ("api",)
    pre_authorized: frozenset[str] | None = None  # None: the org's pre-authorized users


@dataclass(frozen=True)
class OrgConfig:
    """Everything needed to create one emulated org."""

    name: str
    username: str
    type: str = "production"
    users: tuple[UserConfig, ...] = ()
    apps: tuple[AppConfig, ...] = ()
    session_timeout_s: int = 7200
    daily_api_limit: int = 15000
    latency_ms: int = 0
    bulk_processing_ms: int = 500
    faults: tuple[FaultRule, ...] = ()
    random_seed: int | None = None
    sample_data: bool = True
    records: Mapping[str, list[Mapping[str, Any]]] = field(default_factory=dict)
    schema: Schema = STANDARD
    fiscal_start_month: int = 1
    where: str = "emulator"
    locate: Locate | None = field(default=None, compare=False, repr=False)

    def error(
        self, path: SourcePath, message: str, position: Position | None = None
    ) -> EmulatorConfigError:
        """An error about the option at ``path`` (relative to this org), with its position."""
        return config_error(self.where, path, message, position, self.locate)

    @property
    def client_id(self) -> str:
        """Consumer key of the default connected app."""
        return self.apps[0].client_id


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The emulator schema, from a source checkout or from the installed package."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[1] / "schemas", here.parents[2] / "schemas"):
        path = candidate / SCHEMA_NAME
        if path.is_file():
            loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return loaded
    raise EmulatorConfigError(f"cannot find {SCHEMA_NAME} next to the package")


def config_error(
    where: str,
    path: SourcePath,
    message: str,
    position: Position | None = None,
    locate: Locate | None = None,
) -> EmulatorConfigError:
    """``where.path: message``, at the option's position when the file is known (the file
    name then leads the message once, as ``emu.yml:12:9: orgs[0].records…``)."""
    if position is None and locate is not None:
        position = locate(path)
    text = dotted(where, path)
    if position is not None and text.startswith(f"{position.file}: "):
        text = text[len(position.file) + 2 :]
    return EmulatorConfigError(f"{text}: {message}", position=position)


def validate(
    data: Any,
    *,
    definition: str | None = None,
    where: str = "emulator",
    locate: Locate | None = None,
) -> None:
    """Validate ``data`` against the schema (or one of its ``$defs``); raise one clear error."""
    schema = load_schema()
    if definition is not None:
        schema = {"$ref": f"#/$defs/{definition}", "$defs": schema["$defs"]}
    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        raise config_error(where, tuple(error.absolute_path), error.message, locate=locate)


def generate_client_id(rng: random.Random | None = None) -> str:
    """A consumer key shaped like Salesforce's (``3MVG9`` + 80 characters)."""
    if rng is None:
        return "3MVG9" + random_text(80)
    return "3MVG9" + "".join(rng.choice(TOKEN_ALPHABET) for _ in range(80))


def load_public_key(pem: str | bytes, where: str) -> rsa.RSAPublicKey:
    """The RSA public key of a PEM (or DER) X.509 certificate."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        cert = (
            x509.load_pem_x509_certificate(data)
            if b"-----BEGIN" in data
            else x509.load_der_x509_certificate(data)
        )
    except ValueError as exc:
        raise EmulatorConfigError(f"{where}: not an X.509 certificate ({exc})") from None
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise EmulatorConfigError(f"{where}: the certificate's key is not RSA (RS256 needs RSA)")
    return key


def _read_certificate(path: str, base_dir: Path | None, where: str) -> rsa.RSAPublicKey:
    full = Path(path) if base_dir is None else base_dir / path
    try:
        data = full.read_bytes()
    except OSError as exc:
        raise EmulatorConfigError(
            f"{where}.certificate: cannot read {full}: {exc.strerror}"
        ) from None
    return load_public_key(data, f"{where}.certificate")


def _check_addresses(options: Mapping[str, Any], fail: Fail) -> None:
    """Usernames and emails are email addresses, as in Salesforce: the org's User records
    are made from them and would refuse anything else."""
    named: list[tuple[tuple[str | int, ...], Any]] = [(("username",), options.get("username"))]
    for index, user in enumerate(options.get("users", [])):
        named += [(("users", index, "username"), user.get("username")),
                  (("users", index, "email"), user.get("email"))]
    for path, value in named:
        if isinstance(value, str) and not is_email(value):
            raise fail(f"{value!r} is not an email address (a Salesforce username or email "
                       "looks like name@example.com)", path, None)


def _users(options: Mapping[str, Any], username: str) -> tuple[UserConfig, ...]:
    users = [UserConfig(username=username)]
    for item in options.get("users", []):
        users.append(
            UserConfig(
                username=item["username"],
                active=item.get("active", True),
                pre_authorized=item.get("pre_authorized", True),
                first_name=item.get("first_name", ""),
                last_name=item.get("last_name", item["username"].split("@")[0]),
                email=item.get("email", item["username"]),
            )
        )
    return tuple(users)


def _apps(
    options: Mapping[str, Any], rng: random.Random | None, base_dir: Path | None, where: str
) -> tuple[AppConfig, ...]:
    keys: list[rsa.RSAPublicKey] = []
    if "certificate" in options:
        keys.append(_read_certificate(options["certificate"], base_dir, where))
    if options.get("certificate_pem"):
        keys.append(load_public_key(options["certificate_pem"], f"{where}.certificate_pem"))
    apps = [
        AppConfig(
            client_id=options.get("client_id") or generate_client_id(rng),
            public_keys=tuple(keys),
            permitted_users=options.get("permitted_users", "admin_approved"),
            scopes=tuple(options.get("scopes", ["api"])),
        )
    ]
    for i, item in enumerate(options.get("connected_apps", [])):
        app_where = f"{where}.connected_apps[{i}]"
        cert = item.get("certificate")
        listed = item.get("pre_authorized_users")
        apps.append(
            AppConfig(
                client_id=item["client_id"],
                name=item.get("name", f"app{i + 2}"),
                public_keys=(_read_certificate(cert, base_dir, app_where),) if cert else (),
                permitted_users=item.get("permitted_users", "admin_approved"),
                scopes=tuple(options.get("scopes", ["api"])),
                pre_authorized=frozenset(listed) if listed is not None else None,
            )
        )
    return tuple(apps)


def org_config(
    options: Mapping[str, Any],
    *,
    default_name: str = "org1",
    base_dir: Path | None = None,
    where: str = "emulator",
    locate: Locate | None = None,
) -> OrgConfig:
    """Validate one org's options and build its :class:`OrgConfig`.

    ``certificate_pem`` (PEM text) is accepted here besides the schema's keys:
    it is how the runner registers a playbook's key without writing a file.
    ``locate`` gives the file position of an option, for errors.
    """
    plain = {k: v for k, v in options.items() if k != "certificate_pem"}
    validate(plain, definition="org", where=where, locate=locate)

    def fail(message: str, path: SourcePath, position: Position | None) -> Exception:
        return config_error(where, path, message, position, locate)

    _check_addresses(options, fail)
    schema = org_schema(options, base_dir, fail)
    records = dict(options.get("records", {}))
    check_records(schema, records, fail)
    name = options.get("name", default_name)
    seed = options.get("random_seed")
    rng = random.Random(f"client-id:{seed}:{name}") if seed is not None else None
    username = options.get("username") or f"integration@{name.lower()}.example.com"
    return OrgConfig(
        name=name,
        username=username,
        type=options.get("type", "production"),
        users=_users(options, username),
        apps=_apps(options, rng, base_dir, where),
        session_timeout_s=options.get("session_timeout_s", 7200),
        daily_api_limit=options.get("daily_api_limit", 15000),
        latency_ms=options.get("latency_ms", 0),
        bulk_processing_ms=options.get("bulk_processing_ms", 500),
        faults=tuple(FaultRule.from_mapping(f) for f in options.get("faults", [])),
        random_seed=seed,
        sample_data=options.get("sample_data", True),
        records=records,
        schema=schema,
        fiscal_start_month=options.get("fiscal_year_start_month", 1),
        where=where,
        locate=locate,
    )


def org_options_from_config(
    config: Mapping[str, Any],
    where: str = "emulator",
    *,
    allow_pem: bool = False,
    locate: Locate | None = None,
) -> list[Any]:
    """The ``orgs`` entries of a whole configuration, after validating it.

    ``allow_pem`` lets Python callers give ``certificate_pem`` in an org, as
    ``org_config`` does; a configuration file may not.
    """
    checked: Any = config
    if allow_pem and isinstance(config.get("orgs"), list):
        orgs_only = [_without_pem(o) for o in config["orgs"]]
        checked = {**config, "orgs": orgs_only}
    validate(checked, where=where, locate=locate)
    orgs: Sequence[Any] = config["orgs"]
    return list(orgs)


def _without_pem(entry: Any) -> Any:
    if isinstance(entry, Mapping):
        return {k: v for k, v in entry.items() if k != "certificate_pem"}
    return entry


def load_config_file(path: str) -> list[tuple[Any, Locate]]:
    """Read a YAML or JSON ``--config`` file: its validated org entries, each with a locator
    of its options' positions in the file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise EmulatorConfigError(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        raise EmulatorConfigError(f"{path}{at}: not valid YAML or JSON") from None
    source = SourceMap(path, text)
    entries = org_options_from_config(data, where=path, locate=source.position)
    return [(entry, source.under("orgs", i)) for i, entry in enumerate(entries)]

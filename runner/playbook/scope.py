"""The one place that decides what a template sees, used by logins, steps, plans and listings.

Precedence follows Ansible's, lowest first: role ``defaults`` (a step's own
role's over those of the playbook's ``roles:``) < inventory ``vars`` < group
``vars`` (parents first) < the org's ``vars`` < the playbook's ``vars`` <
``vars_files`` < step ``vars`` (with those an import or a ``roles:`` entry hands
down) < registered results < the ``vars`` of the includes around a step < ``-e``.
Values are lazy and recursive, as in Ansible: a variable is rendered when a
template reads it, against this same scope, so ``derived: "{{ base }}-x"`` may
use a name defined anywhere, in any order.
Registered results, ``env`` and loop items are data and are never rendered.
A variable that reaches itself again is an error naming the chain, with the
place each link is written; nesting is bounded.

Beside the variables a template sees ``vars`` (every variable by name),
``env`` and ``org``: the org's facts, rendered from its settings until the
org is prepared, then the values it logged in with.

A relative path resolves against the folder of the file that holds its text:
for ``private_key: "{{ key_file }}"`` that is where ``key_file`` is written
(the playbook, an inventory, an ``-e @file``, a ``.env``; the working directory
for ``-e key_file=...`` and the shell's environment).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.playbook.environ import source_file
from runner.playbook.model import DEFAULT_API_VERSION, OrgSpec, Playbook
from runner.playbook.origins import COMMAND_LINE, Defined, Layer, Origin, merged
from runner.playbook.project import FileSearch
from runner.playbook.templating import ENVIRONMENT, LazyContext, TemplateRenderError, render

MAX_DEPTH = 32
"""Variables that use variables, nested at most this deep."""
MAX_CHARS = 1_000_000
"""The longest text a variable may render to: values that double at each level of nesting
(``b: "{{ a }}{{ a }}"``) would otherwise grow to gigabytes within the depth limit."""

ORG_FIELDS = ("login_url", "client_id", "username", "audience", "api_version")
ORG_FACTS = ("name", *ORG_FIELDS, "emulated", "production", "certificate_days_left")
FIXED = ("vars", "env", "org")
_LEADING = re.compile(r"^\{\{-?\s*(?:(vars|env)\s*\.\s*)?([A-Za-z_]\w*)\s*-?\}\}")

Unknown = Callable[[str], Any]


class VariableError(TemplateRenderError):
    """A variable failed to render; the message already names it and where it is written."""


@dataclass(frozen=True)
class RunVars:
    """The sources every scope of a run starts from: the playbook's ``vars``, ``-e``, ``env``."""

    playbook: Layer = field(default_factory=dict)
    extra: Layer = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    files: FileSearch | None = None  # where lookup('file') looks, outside any step
    defaults: Layer = field(default_factory=dict)  # of the playbook's roles: entries

    @classmethod
    def of(cls, playbook: Playbook, extra: Layer, env: Mapping[str, str]) -> RunVars:
        """A playbook's run: its ``vars`` (and ``vars_files``), ``-e``, ``env``, its folder
        for ``lookup('file')`` outside any step, and its roles' defaults."""
        return cls(playbook.vars, extra, env, FileSearch(playbook.project, (playbook.base_dir,)),
                   playbook.defaults)


def build_scope(
    run: RunVars,
    org: OrgSpec | None = None,
    *,
    facts: Mapping[str, Any] | None = None,
    registered: Mapping[str, Any] | None = None,
    step_vars: Layer | None = None,
    local: Mapping[str, Any] | None = None,
    unknown: Unknown | None = None,
    files: FileSearch | None = None,
    defaults: Layer | None = None,
    params: Layer | None = None,
) -> Scope:
    """The scope of one template: a login (``org`` only), a step (``facts``, ``registered``,
    ``local`` names such as ``item``), a plan (``unknown`` stands in for what only a run
    knows) or a listing. ``files`` is where a step's ``lookup('file')`` looks, ``defaults``
    its role's defaults and ``params`` the variables of the includes around it."""
    results = {name: Defined(value, _REGISTERED, data=True)
               for name, value in (registered or {}).items()}
    layers = [run.defaults, defaults or {}, org.vars if org else {}, run.playbook,
              step_vars or {}, results, params or {}, run.extra]
    scope = Scope(merged(layers), env=run.env, local=local or {})
    scope.files = files or run.files
    scope.org = facts if facts is not None else OrgFacts(org, scope, unknown or _none)
    return scope


_REGISTERED = Origin(Path("."), label="a registered result")


def _none(name: str) -> None:
    return None


class Scope(LazyContext):
    """A template context over layered variables that renders each one when first read."""

    __slots__ = ("_cache", "_definitions", "_local", "_stack", "env", "files", "org")

    def __init__(
        self, definitions: dict[str, Defined], *, env: Mapping[str, str],
        local: Mapping[str, Any],
    ) -> None:
        self._definitions = definitions
        self._local = local
        self._cache: dict[str, Any] = {}
        self._stack: list[tuple[str, Origin]] = []
        self.env = env
        self.org: Mapping[str, Any] = {}
        self.files: FileSearch | None = None

    # -- Mapping ---------------------------------------------------------------------
    def __getitem__(self, name: str) -> Any:
        if name in self._local:
            return self._local[name]
        if name == "vars":
            return VarsView(self)
        if name == "env":
            return self.env
        if name == "org":
            return self.org
        if name in self._definitions:
            return self.variable(name)
        return ENVIRONMENT.globals[name]  # KeyError when it is not one either

    def __contains__(self, name: object) -> bool:
        return (name in self._local or name in FIXED or name in self._definitions
                or name in ENVIRONMENT.globals)

    def __iter__(self) -> Iterator[str]:
        yield from dict.fromkeys([*self._local, *FIXED, *self._definitions])

    def __len__(self) -> int:
        return len(dict.fromkeys([*self._local, *FIXED, *self._definitions]))

    # -- variables -------------------------------------------------------------------
    def names(self) -> list[str]:
        """Every variable's name (not ``vars``, ``env``, ``org`` or local names)."""
        return list(self._definitions)

    def definition(self, name: str) -> Defined | None:
        return self._definitions.get(name)

    def variable(self, name: str) -> Any:
        """A variable's value, rendered (once per scope) unless it is data."""
        defined = self._definitions[name]
        if defined.data:
            return defined.value
        return self.tracked(name, defined.value, defined.origin)

    def org_setting(self, key: str) -> Any:
        """The org's setting ``key`` rendered, for the code that uses it (a login, a plan):
        an error says what failed, and the caller says which setting it was."""
        if isinstance(self.org, OrgFacts):
            return self.org.fact(key, attribute=False)
        return self.org[key]

    def tracked(self, key: str, raw: Any, origin: Origin, *, attribute: bool = True) -> Any:
        """Render ``raw`` as the value of ``key``, refusing cycles and deep nesting; an error
        inside names ``key`` and where it is written (unless ``attribute`` is false)."""
        if key in self._cache:
            return self._cache[key]
        chain = [name for name, _ in self._stack]
        if key in chain:
            links = [f"{name} ({where})" for name, where in self._stack[chain.index(key):]]
            raise VariableError("variables form a cycle: " + " → ".join([*links, key]))
        if len(self._stack) >= MAX_DEPTH:
            raise VariableError(f"variables nest deeper than {MAX_DEPTH} levels at {key} "
                                f"({origin})")
        self._stack.append((key, origin))
        try:
            value = render(raw, self)
        except VariableError:
            raise
        except TemplateRenderError as exc:
            if not attribute:
                raise
            raise VariableError(f"{key} ({origin}): {exc.message}") from None
        finally:
            self._stack.pop()
        if isinstance(value, str) and len(value) > MAX_CHARS:
            raise VariableError(f"{key} ({origin}) renders to more than {MAX_CHARS:,} "
                                "characters")
        self._cache[key] = value
        return value

    # -- paths -----------------------------------------------------------------------
    def path(self, raw: str, base_dir: Path) -> Path:
        """A path setting, rendered; relative to the file that holds its text (see above)."""
        path = Path(str(render(raw, self))).expanduser()
        return path if path.is_absolute() else self.base_of(raw, base_dir) / path

    def base_of(self, raw: str, base_dir: Path, depth: int = 0) -> Path:
        """The folder a path written as ``raw`` in ``base_dir`` resolves against."""
        match = _LEADING.match(raw)
        if match is None or depth >= MAX_DEPTH:
            return base_dir
        namespace, name = match.groups()
        if namespace == "env":
            source = source_file(self.env, name)
            return source.parent if source is not None else COMMAND_LINE
        defined = self._definitions.get(name) if name not in self._local else None
        if defined is None or defined.data:
            return base_dir
        if isinstance(defined.value, str):
            return self.base_of(defined.value, defined.origin.base_dir, depth + 1)
        return defined.origin.base_dir


class VarsView(Mapping[str, Any]):
    """``vars``: every variable of a scope by name, rendered when read."""

    __slots__ = ("_scope",)

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def __getitem__(self, name: str) -> Any:
        if self._scope.definition(name) is None:
            raise KeyError(name)
        return self._scope.variable(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._scope.definition(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._scope.names())

    def __len__(self) -> int:
        return len(self._scope.names())

    def __repr__(self) -> str:
        return "vars(" + ", ".join(self._scope.names()) + ")"

    def _describe_missing(self, name: str) -> str:
        return f"no variable named {name!r} (vars.NAME reads a variable by its name)"


class OrgFacts(Mapping[str, Any]):
    """``org`` before an org is prepared: its settings, rendered in the scope when read.

    An emulated org's client id, username and login URL exist only once the
    embedded org hosts it: ``unknown`` says what stands in for them.
    """

    __slots__ = ("_scope", "_spec", "_unknown")

    def __init__(self, spec: OrgSpec | None, scope: Scope, unknown: Unknown) -> None:
        self._spec = spec
        self._scope = scope
        self._unknown = unknown

    def __getitem__(self, key: str) -> Any:
        return self.fact(key, attribute=True)

    def fact(self, key: str, *, attribute: bool) -> Any:
        """One fact; with ``attribute``, a setting that fails to render names itself in the
        error (a template reached it), else the caller says which setting it was."""
        spec = self._spec
        if spec is None or key not in ORG_FACTS:
            raise KeyError(key)
        if key == "name":
            return spec.name
        if key in ("emulated", "production"):
            return spec.is_emulated if key == "emulated" else spec.production
        raw = getattr(spec, key, None)
        if raw is None:
            if key == "api_version":
                return DEFAULT_API_VERSION
            emulator_sets = spec.is_emulated and key != "audience"
            return self._unknown(f"org.{key}") if emulator_sets or key.endswith("left") else None
        origin = Origin(spec.base_dir, spec.position)
        return self._scope.tracked(f"org.{key}", raw, origin, attribute=attribute)

    def __iter__(self) -> Iterator[str]:
        return iter(ORG_FACTS if self._spec is not None else ())

    def __len__(self) -> int:
        return len(ORG_FACTS) if self._spec is not None else 0

    def __repr__(self) -> str:
        return "org(" + ", ".join(self) + ")"

    def _describe_missing(self, key: str) -> str:
        return f"'org' has no {key!r} (org holds: {', '.join(ORG_FACTS)})"

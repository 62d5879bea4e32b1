"""Checks that need no network: templates parse, names are defined, JMESPath compiles.

Run before any org is contacted, so a typo such as ``{{ fund.json }}`` is a
positioned exit-4 error rather than a failure halfway through a run. A name
counts as defined when a ``vars`` entry (of the playbook, an inventory, a group
or an org), an ``-e`` variable, an earlier ``register`` or a built-in scope
(``env``, ``org``, ``vars``) provides it; ``vars.NAME`` and ``org.NAME`` are
checked the same way. Variables that use variables are checked for cycles and
undefined names (``varcheck``). ``env.NAME`` that is not set is only a warning:
a step may guard it with ``default()`` or ``when``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path as PathLike

from runner.errors import PlaybookError, Position
from runner.playbook import filecheck, varcheck
from runner.playbook.document import format_path
from runner.playbook.environ import describe_missing
from runner.playbook.expressions import expression_error, schema_error
from runner.playbook.model import Playbook, raw_at
from runner.playbook.origins import Layer
from runner.playbook.references import References, references
from runner.playbook.scope import ORG_FACTS
from runner.playbook.source import with_chain
from runner.playbook.step_templates import step_templates, strings
from runner.playbook.steps import StepSpec
from runner.playbook.suggest import did_you_mean
from runner.playbook.summaries import syntax_error
from runner.playbook.visible import Names, absent

BUILTINS = frozenset({"env", "org", "vars", "range", "dict", "lipsum", "cycler", "joiner",
                      "namespace", "true", "false", "none", "lookup", "query", "q"})
ORG_TEMPLATE_FIELDS = ("login_url", "client_id", "username", "audience", "emulator",
                       "api_version", "private_key", "certificate")
RESULT_HINT = ("{field}: reads this step's own result as `response` or by its register name; "
               "other names come from vars:, -e, or earlier steps' register")
RESULT_FIELDS = frozenset({"until", "failed_when", "changed_when"})
KNOWN_FACTS = frozenset(ORG_FACTS)
FAILURE_NAMES = frozenset({"ansible_failed_task", "ansible_failed_result"})

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Notice:
    """Something worth a look that does not stop the run."""

    position: Position | None
    message: str
    kind: str = "env"  # "env": a name not set; "hidden": an org's var the playbook's hides


def check_playbook(
    playbook: Playbook, *, extra_vars: Layer, env: Mapping[str, str] | None = None
) -> list[Notice]:
    """Raise a positioned PlaybookError for the first problem; return the warnings
    (``env.NAME`` read but not set, when ``env`` is given; org vars the playbook's hide)."""
    linter = _Linter(playbook, extra_vars, env)
    linter.check_steps()
    linter.check_orgs()
    linter.check_variables()
    return linter.warnings + hidden_org_vars(playbook)


def hidden_org_vars(playbook: Playbook) -> list[Notice]:
    """An org's (or its inventory's or group's) var that a playbook var of the same name
    hides: Ansible's precedence, which surprises whoever expected the org to win."""
    notices = []
    for org in playbook.orgs.values():
        for name in sorted(set(org.vars) & set(playbook.vars)):
            if org.vars[name].value == playbook.vars[name].value:
                continue
            notices.append(Notice(
                org.vars[name].origin.position,
                f"{name} of org {org.name} is hidden by the playbook's vars.{name} "
                f"({playbook.vars[name].origin}), which wins as in Ansible; to let orgs "
                "differ, give the default in the inventory's vars instead", kind="hidden"))
    return notices


class _Linter:
    def __init__(self, playbook: Playbook, extra: Layer, env: Mapping[str, str] | None) -> None:
        self.playbook = playbook
        self.extra = extra
        self.env = env
        self.warnings: list[Notice] = []
        self.roots: set[str] = set()  # variables read by steps and org settings
        variables = set(playbook.vars) | set(extra) | set(playbook.defaults)
        for org in playbook.orgs.values():
            variables |= set(org.vars)
        self.variables = variables
        self.anywhere = set(variables)  # with what some includes and roles give their steps
        for step in playbook.steps:
            self.anywhere |= _own_names(step)
        self.document = playbook.document  # the file of the step being checked
        self.registers = {step.register for step in playbook.steps if step.register}
        self.registers |= {name for step in playbook.steps for name in step.facts or {}}
        self.saved: frozenset[PathLike] = frozenset()  # what earlier steps' save: write

    def check_steps(self) -> None:
        """Every step's templates, in document order, each seeing the names defined so far:
        variables, earlier registers and ``set_fact``, its own ``vars`` and loop variable,
        its own result in its conditions, and a rescue's ``ansible_failed_*``."""
        top, variables = set(BUILTINS) | self.variables, set(self.variables)
        names = Names((top,), (variables,))  # grown in place, step by step
        checked: set[tuple[str, Path]] = set()
        for step in self.playbook.steps:
            if step.rescue_scope:
                top |= FAILURE_NAMES
                variables |= FAILURE_NAMES
            source = step.source
            try:
                self._check_step(step, names, checked)
            except PlaybookError as error:
                raise with_chain(error, source.chain if source else ()) from None
            finally:
                self.document = self.playbook.document
            defined = [*([step.register] if step.register else []), *(step.facts or {})]
            top.update(defined)
            variables.update(defined)

    def _check_step(self, step: StepSpec, names: Names, checked: set[tuple[str, Path]]) -> None:
        """One step's templates and conditions (the blocks' once), its expect and its files."""
        document = step.document or self.playbook.document
        items = step.source.items if step.source else frozenset()
        own_vars = set(step.vars) | _own_names(step)
        control = step.loop_control
        local = {control.loop_var, *([control.index_var] if control.index_var else [])} \
            if step.loop is not None else set()
        own_top = own_vars | items | local
        here = names.adding(own_top, own_vars) if own_top else names
        for condition in step.conditions:  # the blocks' when too (once), for each item
            self.document = condition.document or self.playbook.document
            place = (self.document.path, condition.path)
            if place not in checked and isinstance(condition.test, str):
                checked.add(place)
                self.check_template(condition.path, condition.test, True, here)
        self.document = document
        result = {"response", *([step.register] if step.register else [])}
        for path, text, is_expression in step_templates(raw_at(document, step.path), step.path):
            if (document.path, path) in checked:
                continue
            if step.source is not None:
                filecheck.check_lookups(self.playbook, step.source, path, text,
                                        is_expression, self.saved)
            field = path[len(step.path)]
            seen = here.adding(result, result) if field in RESULT_FIELDS else here
            if field == "debug" and path[-1] == "var":
                self._check_syntax(path, text)  # an undefined var is shown, not an error
                continue
            self.check_template(path, text, is_expression, seen,
                                hint=RESULT_HINT.format(field=field)
                                if field in RESULT_FIELDS else None)
        self._check_expect(step)
        if step.source is not None:
            written = filecheck.check_step_files(self.playbook, step, step.source, self.saved)
            self.saved |= {written} if written else set()

    def _check_syntax(self, path: Path, text: str) -> None:
        problem = syntax_error(text, expression=True)
        if problem:
            raise self.document.error(path, problem, key=False)

    def _check_expect(self, step: StepSpec) -> None:
        document = self.document
        if step.expect is None:
            return
        if step.expect.schema is not None:
            found = schema_error(step.expect.schema)
            if found:
                raise document.error((*step.path, "expect", "schema", *found[0]), found[1])
        for expression in step.expect.json:
            problem = expression_error(expression)
            if problem:
                raise document.error((*step.path, "expect", "json", expression), problem)

    def check_orgs(self) -> None:
        """Org fields are templates too (``client_id: "{{ env.ID }}"``): a typo in one is an
        exit-4 error at its file and line, not a failed login halfway through the run."""
        playbook = self.playbook
        base = set(BUILTINS) | set(playbook.vars) | set(self.extra)
        for org in playbook.orgs.values():
            names = Names((base | set(org.vars),), (base - BUILTINS | set(org.vars),))
            own = org.position is None or org.position.file == playbook.document.path
            for field in ORG_TEMPLATE_FIELDS:
                for path, text in strings(getattr(org, field), ("orgs", org.name, field)):
                    try:
                        self.check_template(path, text, False, names,
                                            position=None if own else org.position)
                    except PlaybookError as error:
                        if own:
                            raise
                        message = f"{format_path(path)}: {error.message}"  # from an inventory
                        raise PlaybookError(message, position=org.position,
                                            hint=error.hint) from None
        key_names = Names((base,), (base - BUILTINS,))
        for key in playbook.keys.values():
            for field in ("private_key", "certificate"):
                text = getattr(key, field)
                if text is not None:
                    self.check_template(("keys", key.name, field), text, False, key_names)

    def check_variables(self) -> None:
        """Cycles and undefined names among variables that use variables, org by org."""
        known = set(BUILTINS) | self.anywhere | self.registers | {"item", "response"}
        known |= FAILURE_NAMES | {name for step in self.playbook.steps for name in
                                  (step.loop_control.loop_var, step.loop_control.index_var)
                                  if name}
        layers = [self.playbook.vars, self.extra]
        for org in self.playbook.orgs.values():
            nodes = varcheck.org_graph(org, layers)
            chain = varcheck.find_cycle(nodes)
            if chain:
                raise self._with_line(varcheck.cycle_error(chain))
            roots = self.roots | {f"org.{field}" for field in varcheck.ORG_TEMPLATES}
            problem = varcheck.used_value_error(nodes, roots, known)
            if problem:
                raise self._with_line(problem)

    def _with_line(self, error: PlaybookError) -> PlaybookError:
        position = error.position
        if position is None or position.file != self.playbook.document.path:
            return error
        line = self.playbook.document.source_line(position.line)
        return PlaybookError(error.message, position=position, source_line=line, hint=error.hint)

    # -- one template ------------------------------------------------------------------
    def check_template(
        self, path: Path, text: str, is_expression: bool, names: Names, *,
        hint: str | None = None, position: Position | None = None,
    ) -> None:
        document = self.document
        problem = syntax_error(text, expression=is_expression)
        if problem:
            raise document.error(path, problem, key=False)
        found = references(text, expression=is_expression)
        self.roots |= found.names - BUILTINS
        missing = [(name, name) for name in absent(found.names, names.top)]
        if found.keys:
            of_vars = found.of("vars")
            self.roots |= of_vars | {f"org.{key}" for key in found.of("org")}
            missing += [(f"vars.{name}", name) for name in absent(of_vars, names.variables)]
        for shown, name in missing:
            choices = sorted(set().union(*names.variables) if shown.startswith("vars.") else
                             set().union(*names.top) - BUILTINS)
            error = document.error(
                path, f"undefined variable {shown!r}{did_you_mean(name, choices)}", key=False,
                hint=hint or "define it under vars:, pass it with -e, "
                "or register it in an earlier step",
            )
            raise _at_name(error, text, name)
        if found.keys:
            self._check_keys(path, text, found, position)

    def _check_keys(self, path: Path, text: str, found: References,
                    position: Position | None) -> None:
        """``org.NAME`` is one of the org's facts; ``env.NAME`` not set is a warning."""
        for key in sorted(found.of("org") - KNOWN_FACTS):
            error = self.document.error(
                path, f"org has no {key!r}{did_you_mean(key, ORG_FACTS)}", key=False,
                hint="org.* holds " + ", ".join(ORG_FACTS),
            )
            raise _at_name(error, text, key)
        self._env_warnings(path, found.of("env"), position)

    def _env_warnings(self, path: Path, names: set[str], position: Position | None) -> None:
        env = self.env
        if env is None or not names:
            return
        where = position or self.document.position_of(path, key=False)
        for name in sorted(names - set(env)):
            self.warnings.append(Notice(where, describe_missing(env, name)))


def _own_names(step: StepSpec) -> set[str]:
    """What a step's place gives it: its role's defaults, the vars of the includes around it."""
    source = step.source
    if source is None or (source.role is None and not source.params):
        return set()
    role = source.role
    return set(role.defaults if role else ()) | set(source.params)


def _at_name(error: PlaybookError, text: str, name: str) -> PlaybookError:
    """Move the caret from the start of a one-line value to the variable itself."""
    position, line = error.position, error.source_line
    match = re.search(rf"\b{re.escape(name)}\b", text)
    if position is None or line is None or match is None or "\n" in text:
        return error
    quote = 1 if line[position.col - 1 : position.col] in ("'", '"') else 0
    column = position.col + quote + match.start()
    if line[column - 1 : column - 1 + len(name)] != name:
        return error
    moved = replace(position, col=column)
    return PlaybookError(error.message, position=moved, source_line=line, hint=error.hint)

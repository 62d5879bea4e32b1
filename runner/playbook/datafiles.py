"""Data a playbook keeps in files: ``vars_files``, and the JSON or YAML of request body files.

Files are found and read through the project (``project.py``): inside it,
bounded, regular files only. YAML and JSON go through the project's loader, so
every value keeps its line and column: a template that fails inside
``account.json`` is reported at ``account.json:4:15``, not at the step.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runner.errors import PlaybookError
from runner.playbook.document import Document, JsonPath
from runner.playbook.loader import MAX_BYTES, load_text
from runner.playbook.origins import Defined, document_layer
from runner.playbook.project import FileAccessError, Project
from runner.playbook.source import Link, with_chain
from runner.playbook.templating import TemplateRenderError, is_template, render_string
from runner.playbook.undefined import explained

_IDENTIFIER_HINT = "variable names are letters, digits and '_', not starting with a digit"


def read_document(project: Project, path: Path) -> Document:
    """A YAML (or JSON) file inside the project, parsed with positions."""
    return load_text(project.read_text(path, limit=MAX_BYTES), str(path))


def read_data(project: Project, path: Path) -> Document:
    """A JSON or YAML data file; JSON that YAML cannot read (tabs) is read as plain JSON."""
    text = project.read_text(path, limit=MAX_BYTES)
    try:
        return load_text(text, str(path))
    except PlaybookError:
        try:
            return Document(str(path), text, json.loads(text))
        except json.JSONDecodeError:
            pass
        raise


def vars_files_layer(document: Document, project: Project) -> dict[str, Defined]:
    """The variables of a playbook's ``vars_files``, later files winning, each with its place."""
    found: dict[str, Defined] = {}
    folder = Path(document.path).parent
    for index, raw in enumerate(document.data.get("vars_files", [])):
        where: JsonPath = ("vars_files", index)
        if is_template(raw):
            raise document.error(where, f"vars_files[{index}]: {raw!r} is read when the playbook "
                                 "loads, before templates can be rendered", key=False,
                                 hint="name the file itself, or pass variables with -e @FILE")
        try:
            loaded = read_document(project, project.find(raw, (folder,), subdir=None))
        except FileAccessError as exc:
            raise document.error(where, f"vars_files[{index}]: {exc.message}", key=False) from None
        except PlaybookError as exc:
            raise with_chain(exc, (Link("vars_files", raw, document.position_of(where)),)) from None
        found.update(variables_of(loaded, Link("vars_files", raw, document.position_of(where))))
    return found


def variables_of(loaded: Document, link: Link) -> dict[str, Defined]:
    """A vars file's (or a role's defaults') variables; refused unless a mapping of names."""
    if not isinstance(loaded.data, dict):
        raise with_chain(loaded.error((), "a vars file holds a mapping of names to values"),
                         (link,))
    for name in loaded.data:
        if not name.isidentifier():
            raise with_chain(loaded.error((name,), f"{name!r} is not a valid variable name",
                                          hint=_IDENTIFIER_HINT), (link,))
    return document_layer(loaded, loaded.data)


def render_document(document: Document, scope: Mapping[str, Any]) -> Any:
    """Every string of a data file rendered; an error names the file, line and column."""
    return _render(document.data, (), document, scope)


def render_text(text: str, path: Path, scope: Mapping[str, Any]) -> str:
    """A text file (a ``body_file``) rendered as one template; an error names the file and,
    when one line's templates fail on their own, that line."""
    try:
        return str(render_string(text, scope))
    except TemplateRenderError as exc:
        where = str(path)
        for number, line in enumerate(text.splitlines(), start=1):
            try:
                render_string(line, scope)
            except TemplateRenderError as own:
                if not own.message.startswith("template syntax error"):  # a block's part
                    where = f"{path}:{number}:{line.index('{') + 1}"
                    break
        raise TemplateRenderError(f"{where}: {explained(exc, [(text, False)], scope)}") from None


def _render(value: Any, path: JsonPath, document: Document, scope: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        try:
            return render_string(value, scope)
        except TemplateRenderError as exc:
            position = document.position_of(path, key=False)
            where = f"{position}: " if position else f"{document.path}: "
            raise TemplateRenderError(where + explained(exc, [(value, False)], scope)) from None
    if isinstance(value, dict):
        return {_render(key, path, document, scope): _render(item, (*path, key), document, scope)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_render(item, (*path, index), document, scope)
                for index, item in enumerate(value)]
    return value

"""The files a step names, checked before the run: inside the project, there, and readable.

A name written as plain text (``json_file: account.json``, ``save: out/x.json``,
``lookup('file', 'data/accounts.csv')``) is known before any org is contacted,
so a path that escapes the project, a missing file or a body file whose
templates do not parse is an exit-4 error at its file, line and column; a file
that an earlier step's ``save:`` writes is not missing. Names built by templates
are checked when the step runs, the same way.
"""

from __future__ import annotations

from pathlib import Path

from runner.errors import PlaybookError, Position
from runner.playbook.datafiles import read_data
from runner.playbook.document import JsonPath
from runner.playbook.model import Playbook, StepSpec
from runner.playbook.project import FileAccessError, FileSearch, MissingFile
from runner.playbook.references import file_lookups
from runner.playbook.source import Link, StepSource, with_chain
from runner.playbook.summaries import syntax_error
from runner.playbook.templating import is_template
from runner.playbook.trees import syntax_error_line

BODY_FILES = ("json_file", "body_file")


def check_step_files(playbook: Playbook, step: StepSpec, source: StepSource,
                     saved: frozenset[Path] = frozenset()) -> Path | None:
    """Raise a positioned PlaybookError for the first file of ``step`` that cannot be used
    (``saved``: the files earlier steps write); return the file its ``save:`` writes."""
    request = step.request
    for field in BODY_FILES if request is not None else ():
        raw = getattr(request, field)
        if raw is None or is_template(raw):
            continue
        files = source.files(playbook.project, playbook.base_dir)
        if files.may_find(raw, saved):
            continue
        path = _find(files, raw, source, ("request", field))
        if request is not None and request.template:
            _check_templates(files, path, field, Link(field, raw, source.position("request",
                                                                                   field)))
    if step.save is None or is_template(step.save):
        return None
    try:
        return playbook.project.target(step.save, playbook.base_dir)
    except FileAccessError as exc:
        raise source.error(("save",), f"save: {exc.message}", key=False) from None


def check_lookups(playbook: Playbook, source: StepSource, path: JsonPath, text: str,
                  expression: bool, saved: frozenset[Path] = frozenset()) -> None:
    """Every ``lookup('file', 'NAME')`` with a plain name in one template finds its file,
    or is one that an earlier step saves (``saved``)."""
    names = file_lookups(text, expression=expression)
    if not names:
        return
    files = source.files(playbook.project, playbook.base_dir)
    for name in names:
        try:
            files.find(name)
        except FileAccessError as exc:
            if isinstance(exc, MissingFile) and files.may_find(name, saved):
                continue
            raise source.document.error(path, f"lookup('file'): {exc.message}",
                                        key=False) from None


def _find(files: FileSearch, raw: str, source: StepSource, field: JsonPath) -> Path:
    try:
        return files.find(raw)
    except FileAccessError as exc:
        raise source.error(field, f"{field[-1]}: {exc.message}", key=False) from None


def _check_templates(files: FileSearch, path: Path, field: str, link: Link) -> None:
    """The templates inside a body file parse (JSON and YAML keep their positions)."""
    try:
        if field == "json_file":
            document = read_data(files.project, path)
        else:
            text = files.project.read_text(path)
            problem = syntax_error(text)
            if problem:
                lines = text.splitlines() or [""]
                number = min(syntax_error_line(text), len(lines))
                line = lines[number - 1]
                raise PlaybookError(problem, position=Position(str(path), number,
                                                               line.find("{") + 1 or 1),
                                    source_line=line)
            return
    except FileAccessError as exc:
        raise PlaybookError(f"{field}: {exc.message}", position=link.position) from None
    except PlaybookError as exc:
        raise with_chain(exc, (link,)) from None
    for where, text in _strings(document.data, ()):
        problem = syntax_error(text)
        if problem:
            raise with_chain(document.error(where, problem, key=False), (link,))


def _strings(value: object, path: JsonPath) -> list[tuple[JsonPath, str]]:
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in _strings(item, (*path, key))]
    if isinstance(value, list):
        return [found for index, item in enumerate(value)
                for found in _strings(item, (*path, index))]
    return []

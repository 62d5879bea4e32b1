"""A step's files on the wire: the request body from ``json_file`` / ``body_file``, and ``save:``.

Both go through the project (``runner.playbook.project``): a body file is found
along the step's search path and rendered in the step's scope unless
``template: false``; ``save`` writes the response body relative to the
playbook's folder, inside the project, with the secrets the run knows masked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from runner.playbook.datafiles import read_data, render_document, render_text
from runner.playbook.project import FileAccessError, FileSearch, write_text
from runner.playbook.scope import Scope
from runner.playbook.step_parts import RequestSpec
from runner.playbook.steps import StepSpec
from runner.playbook.templating import TemplateRenderError, render_string
from runner.run.actions import ActionResult
from runner.run.done import StepError
from runner.secrets import redact

Where = Callable[[StepSpec, str], str]
"""``file:line:col (field)`` of a step's field, for messages."""


def file_body(step: StepSpec, request: RequestSpec, scope: Scope, where: Where) -> RequestSpec:
    """``with_file_body``, its errors placed at the step's ``json_file`` or ``body_file``."""
    field = "request.json_file" if request.json_file is not None else "request.body_file"
    try:
        return with_file_body(request, scope)
    except (TemplateRenderError, FileAccessError) as exc:
        raise StepError(f"{where(step, field)}: {exc.message}") from None


def save(step: StepSpec, done: ActionResult, scope: Scope, folder: Path, where: Where
         ) -> ActionResult:
    """Write the response body to the step's ``save:`` file, if it has one."""
    if step.save is not None:
        try:
            save_body(step.save, str(done.registered["text"]), scope, folder)
        except (TemplateRenderError, FileAccessError) as exc:
            raise StepError(f"{where(step, 'save')}: {exc.message}") from None
    return done


def _search(scope: Scope) -> FileSearch:
    if scope.files is None:  # pragma: no cover - every step's scope has one
        raise FileAccessError("files are read only in a playbook's steps")
    return scope.files


def with_file_body(request: RequestSpec, scope: Scope) -> RequestSpec:
    """The request with the body its ``json_file`` or ``body_file`` holds; raises
    FileAccessError or TemplateRenderError saying what failed, and where in the file."""
    raw = request.json_file or request.body_file
    if raw is None:
        return request
    files = _search(scope)
    path = files.find(str(render_string(raw, scope)))
    if request.json_file is not None:
        document = read_data(files.project, path)
        value = render_document(document, scope) if request.template else document.data
        return replace(request, json=value, has_json=True, body=None)
    text = files.project.read_text(path)
    body = render_text(text, path, scope) if request.template else text
    return replace(request, body=body, has_json=False)


def save_body(raw: str, text: str, scope: Scope, playbook_folder: Path) -> Path:
    """Write a response body to ``raw`` (a template), relative to the playbook's folder."""
    files = _search(scope)
    path = files.project.target(str(render_string(raw, scope)), playbook_folder)
    write_text(path, redact(text))
    return path

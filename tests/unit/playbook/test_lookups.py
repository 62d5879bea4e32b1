"""lookup('file', ...) and query('file', ...) read data files of the project, as Ansible's do."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.playbook.project import FileSearch, Project
from runner.playbook.scope import RunVars, Scope, build_scope
from runner.playbook.templating import TemplateRenderError, render_string


@pytest.fixture
def scope(tmp_path: Path) -> Scope:
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "a.txt").write_text("  alpha  \n\n")
    (tmp_path / "b.txt").write_text("beta\n")
    return build_scope(RunVars(files=FileSearch(Project.at(tmp_path), (tmp_path,))))


def test_the_text_with_trailing_whitespace_stripped(scope: Scope) -> None:
    assert render_string("{{ lookup('file', 'a.txt') }}", scope) == "  alpha"
    assert render_string("{{ lookup('file', 'a.txt', lstrip=true) }}", scope) == "alpha"
    assert render_string("{{ lookup('file', 'a.txt', rstrip=false) }}", scope) == "  alpha  \n\n"


def test_several_names_join_with_commas_or_make_a_list(scope: Scope) -> None:
    assert render_string("{{ lookup('file', 'a.txt', 'b.txt') }}", scope) == "  alpha,beta"
    assert render_string("{{ query('file', 'a.txt', 'b.txt') }}", scope) == ["  alpha", "beta"]
    assert render_string("{{ lookup('file', 'b.txt', wantlist=true) }}", scope) == ["beta"]


def test_a_missing_file_fails_unless_told_to_ignore_it(scope: Scope) -> None:
    with pytest.raises(TemplateRenderError, match=r"'c\.txt': no such file"):
        render_string("{{ lookup('file', 'c.txt') }}", scope)
    assert render_string("{{ lookup('file', 'c.txt', 'b.txt', errors='ignore') }}",
                         scope) == "beta"


@pytest.mark.parametrize(("template", "words"), [
    ("{{ lookup('env', 'HOME') }}", "no lookup named 'env'"),
    ("{{ lookup('file', 'b.txt', trim=true) }}", "unknown option 'trim'"),
    ("{{ lookup('file', 'b.txt', errors='loud') }}", "errors='loud' is not"),
    ("{{ lookup('file', 3) }}", "a file name is text, got int"),
])
def test_mistakes_are_named(scope: Scope, template: str, words: str) -> None:
    with pytest.raises(TemplateRenderError, match=words):
        render_string(template, scope)


def test_a_context_without_a_folder_reads_nothing() -> None:
    with pytest.raises(TemplateRenderError, match="not available here"):
        render_string("{{ lookup('file', 'b.txt') }}", {})

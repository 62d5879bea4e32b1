"""Data files stay inside the project: found along the search path, refused when they escape."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runner.playbook.project import FileAccessError, FileSearch, Project, write_text


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "recipes"
    (root / "files").mkdir(parents=True)
    (root / "roles" / "limits" / "files").mkdir(parents=True)
    (root / "files" / "a.csv").write_text("from files/\n")
    (root / "a.csv").write_text("from the folder\n")
    (root / "roles" / "limits" / "files" / "a.csv").write_text("from the role\n")
    (tmp_path / "secret.txt").write_text("outside\n")
    return root


def test_files_first_then_the_folder_then_the_next_folder(project: Path) -> None:
    role = project / "roles" / "limits"
    found = FileSearch(Project.at(project), (role, project))
    assert found.read("a.csv") == "from the role\n"
    assert FileSearch(Project.at(project), (project,)).read("a.csv") == "from files/\n"
    assert Project.at(project).find("a.csv", (project,)) == project / "a.csv"


@pytest.mark.parametrize(("name", "words"), [
    ("../secret.txt", "is outside the project"),
    ("../../etc/passwd", "is outside the project"),
    ("/etc/passwd", "is an absolute path"),
    ("~/.ssh/id_rsa", "is an absolute path"),
    ("", "an empty file name"),
])
def test_names_that_leave_the_project_are_refused(project: Path, name: str, words: str) -> None:
    with pytest.raises(FileAccessError, match=words):
        Project.at(project).find(name, (project,), subdir="files")


def test_a_symlink_out_of_the_project_is_refused_and_one_inside_is_not(project: Path) -> None:
    os.symlink(project.parent / "secret.txt", project / "files" / "out.txt")
    os.symlink(project / "a.csv", project / "files" / "in.csv")
    search = FileSearch(Project.at(project), (project,))
    with pytest.raises(FileAccessError, match="through a symbolic link"):
        search.read("out.txt")
    assert search.read("in.csv") == "from the folder\n"


def test_a_symlinked_folder_out_of_the_project_is_refused(project: Path) -> None:
    outside = project.parent / "elsewhere"
    outside.mkdir()
    (outside / "x.json").write_text("{}")
    os.symlink(outside, project / "linked")
    with pytest.raises(FileAccessError, match="through a symbolic link"):
        Project.at(project).find("linked/x.json", (project,))


def test_climbing_inside_the_project_is_fine(project: Path) -> None:
    role = project / "roles" / "limits"
    assert Project.at(project).find("../../a.csv", (role,)) == project / "a.csv"


def test_a_missing_file_says_where_it_looked(project: Path) -> None:
    with pytest.raises(FileAccessError, match=r"'nope.csv': no such file \(looked in .*recipes"):
        Project.at(project).find("nope.csv", (project,), subdir="files")


def test_reads_are_capped_and_only_regular_files(project: Path) -> None:
    (project / "big.txt").write_text("x" * 100)
    with pytest.raises(FileAccessError, match="larger than 64 bytes"):
        Project.at(project).read_text(project / "big.txt", limit=64)
    os.mkfifo(project / "pipe")
    with pytest.raises(FileAccessError, match="named pipe"):
        Project.at(project).read_text(project / "pipe")


def test_text_must_be_utf8(project: Path) -> None:
    (project / "latin1.csv").write_bytes("Société\n".encode("latin-1"))
    with pytest.raises(FileAccessError, match="not UTF-8 text"):
        Project.at(project).read_text(project / "latin1.csv")


def test_an_inventory_widens_the_project_unless_a_root_was_given(tmp_path: Path,
                                                                  project: Path) -> None:
    other = tmp_path / "inventory"
    assert Project.at(project).widened([other]).contains(other / "x")
    assert not Project.at(project, explicit=True).widened([other]).contains(other / "x")


def test_writes_stay_inside_and_make_their_folders(project: Path) -> None:
    target = Project.at(project).target("out/run/limits.json", project)
    write_text(target, '{"a": 1}')
    assert (project / "out" / "run" / "limits.json").read_text() == '{"a": 1}'
    with pytest.raises(FileAccessError, match="is outside the project"):
        Project.at(project).target("../x.json", project)
    os.symlink(project.parent, project / "up")
    with pytest.raises(FileAccessError, match="through a symbolic link"):
        Project.at(project).target("up/x.json", project)
    os.symlink(project.parent / "secret.txt", project / "s.txt")
    with pytest.raises(FileAccessError, match="symbolic link to a file outside"):
        Project.at(project).target("s.txt", project)

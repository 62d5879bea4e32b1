"""Report files are replaced in one step, or left as they were; paths are judged before a run."""

import errno
import os
import stat
from pathlib import Path

import pytest

from runner.report import writing


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_report_replaces_its_file_and_keeps_its_mode(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    report.write_text("old")
    report.chmod(0o640)
    writing.write_text(report, "new ✓")
    assert report.read_text(encoding="utf-8") == "new ✓"
    assert stat.S_IMODE(report.stat().st_mode) == 0o640
    assert _leftovers(tmp_path) == []


def test_a_failed_write_leaves_the_old_report_whole(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    report = tmp_path / "r.json"
    report.write_text('{"old": true}')

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OSError, match="No space left"):
        writing.write_text(report, '{"new": true}')
    monkeypatch.undo()
    assert report.read_text() == '{"old": true}'
    assert _leftovers(tmp_path) == []


def test_a_symlinked_report_replaces_the_target_and_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "r.md"
    target.write_text("old")
    link = tmp_path / "r.md"
    link.symlink_to(target)
    writing.write_text(link, "new")
    assert link.is_symlink() and target.read_text() == "new"


def test_a_named_pipe_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        writing.write_text(fifo, "through the pipe")
        assert os.read(reader, 100) == b"through the pipe"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_appending_keeps_what_was_there(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("## step 1\n")
    writing.write_text(summary, "## step 2\n", append=True)
    assert summary.read_text() == "## step 1\n## step 2\n"


def test_text_that_utf8_cannot_carry_is_replaced_not_fatal(tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    writing.write_text(report, "a\ud800b")
    assert report.read_bytes() == b"a?b"


@pytest.mark.parametrize(("name", "reason"), [
    ("folder", "it is a folder"),
    ("file/r.xml", "a part of its path is a file"),
])
def test_paths_that_cannot_take_a_report_say_why(tmp_path: Path, name: str, reason: str) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("")
    assert reason in (writing.unwritable(tmp_path / name) or "")


def test_a_new_path_is_fine_and_its_folders_are_made(tmp_path: Path) -> None:
    assert writing.unwritable(tmp_path / "a" / "b" / "r.json") is None
    assert (tmp_path / "a" / "b").is_dir() and _leftovers(tmp_path / "a" / "b") == []

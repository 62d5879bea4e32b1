"""Tests for runner.localfiles: only small regular files are read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runner.localfiles import FileRefused, read_bounded, size_text


def test_a_small_regular_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    path.write_bytes(b"key")
    assert read_bounded(path, 10) == b"key"


@pytest.mark.parametrize(("path", "words"), [
    ("/dev/zero", "is a character device, not a regular file"),
    ("/nowhere/k.pem", "does not exist"),
])
def test_devices_and_missing_files_are_refused(path: str, words: str) -> None:
    with pytest.raises(FileRefused, match=words):
        read_bounded(Path(path), 1024)


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "k.pem"
    os.mkfifo(fifo)  # nobody writes: a plain open() would wait forever
    with pytest.raises(FileRefused, match="named pipe"):
        read_bounded(fifo, 1024)


def test_directories_and_large_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FileRefused, match="is a directory"):
        read_bounded(tmp_path, 1024)
    big = tmp_path / "big.pem"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(FileRefused, match="larger than 1 KB"):
        read_bounded(big, 1024)


@pytest.mark.parametrize(("size", "text"), [(512, "512 bytes"), (1 << 20, "1 MB"),
                                            (int(1.9 * (1 << 30)), "1.9 GB")])
def test_sizes_read_as_a_person_says_them(size: int, text: str) -> None:
    assert size_text(size) == text

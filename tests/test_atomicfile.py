"""The one atomic writer every file goes through."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from releasekit.atomicfile import write_atomic
from releasekit.errors import StorageError


def test_writes_with_mode_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    write_atomic(target, b"one")
    write_atomic(target, b"two", mode=0o600)
    assert target.read_bytes() == b"two"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]


def test_no_overwrite_refuses_and_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "keep.tgz"
    target.write_bytes(b"old")
    with pytest.raises(StorageError, match="already exists"):
        write_atomic(target, b"new", overwrite=False)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.tgz"]


def test_failure_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(StorageError, match=r"out\.json: cannot write the report: No space left on device"):
        write_atomic(tmp_path / "out.json", b"{}", what="the report")
    assert list(tmp_path.iterdir()) == []


def test_parent_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(StorageError, match="cannot write"):
        write_atomic(tmp_path / "file" / "out", b"x")


def test_make_parents_keeps_private_folders_private(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "token.json"
    write_atomic(target, b"{}", mode=0o600, make_parents=True)
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o700

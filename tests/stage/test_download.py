"""Saving a staged tarball: sha1 first, never over an existing file, nothing half-written."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from releasekit.errors import RegistryError, StorageError
from releasekit.stage.download import default_filename, save_staged_tarball

STAGE_ID = "3f2c1a9e-0b7d-4c55-9a1e-5d2f6b8c0e14"


def _tgz(name: str = "@acme/demo", version: str = "1.0.0") -> bytes:
    buf = io.BytesIO()
    files = {
        "package/package.json": json.dumps({"name": name, "version": version}).encode(),
        "package/lib/index.js": b"export default 1;\n",
    }
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_saves_with_npms_name_and_lists_files(tmp_path: Path) -> None:
    data = _tgz()
    saved = save_staged_tarball(
        data, stage_id=STAGE_ID, expected_shasum=hashlib.sha1(data).hexdigest(), cwd=tmp_path
    )
    assert saved.path == tmp_path / f"acme-demo-1.0.0-{STAGE_ID}.tgz"
    assert saved.path.read_bytes() == data
    assert [f.path for f in saved.files] == ["lib/index.js", "package.json"]
    assert (saved.name, saved.version) == ("@acme/demo", "1.0.0")
    assert saved.verified and saved.to_dict()["verified"] is True
    assert sorted(p.name for p in tmp_path.iterdir()) == [saved.path.name]  # no temp file left


def test_output_directory_gets_the_default_name(tmp_path: Path) -> None:
    data = _tgz("plain")
    saved = save_staged_tarball(data, stage_id=STAGE_ID, expected_shasum=None, output=tmp_path)
    assert saved.path.name == default_filename("plain", "1.0.0", STAGE_ID) == f"plain-1.0.0-{STAGE_ID}.tgz"
    assert saved.verified is False  # no shasum to check against: said so, not claimed


def test_shasum_mismatch_writes_nothing(tmp_path: Path) -> None:
    data = _tgz()
    with pytest.raises(RegistryError, match="does not match"):
        save_staged_tarball(data, stage_id=STAGE_ID, expected_shasum="0" * 40, output=tmp_path / "x.tgz")
    assert list(tmp_path.iterdir()) == []


def test_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "keep.tgz"
    target.write_bytes(b"precious")
    with pytest.raises(StorageError, match="already exists"):
        save_staged_tarball(_tgz(), stage_id=STAGE_ID, expected_shasum=None, output=target)
    assert target.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.tgz"]


def test_not_a_tarball_is_a_registry_error(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="not a readable"):
        save_staged_tarball(
            b"<html>oops</html>", stage_id=STAGE_ID, expected_shasum=None, output=tmp_path / "x.tgz"
        )
    assert list(tmp_path.iterdir()) == []


def test_missing_directory_is_an_io_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no such directory"):
        save_staged_tarball(
            _tgz(), stage_id=STAGE_ID, expected_shasum=None, output=tmp_path / "nope" / "x.tgz"
        )

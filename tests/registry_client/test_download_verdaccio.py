"""``lpm stage download``'s library path against the real Verdaccio: streamed to disk, capped, atomic."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest

from releasekit.errors import RegistryError, StorageError
from releasekit.stage.download import download_staged_tarball
from tests.registry_client.conftest import Stageable

pytestmark = pytest.mark.registry


def test_download_streams_the_staged_bytes_to_a_new_file(stageable: Stageable, tmp_path: Path) -> None:
    tmp_path = tmp_path / "downloads"
    tmp_path.mkdir()
    client = stageable.client()
    stage_id = client.stage_publish(stageable.name, stageable.body("1.2.0"))["stageId"]
    tarball = stageable.tarballs["1.2.0"]

    saved = download_staged_tarball(client, stage_id, cwd=tmp_path)

    scope, bare = stageable.name[1:].split("/")
    assert saved.path == tmp_path / f"{scope}-{bare}-1.2.0-{stage_id}.tgz"
    assert saved.path.read_bytes() == tarball
    assert (saved.size, saved.shasum, saved.verified) == (
        len(tarball),
        hashlib.sha1(tarball).hexdigest(),
        True,
    )
    assert stat.S_IMODE(saved.path.stat().st_mode) == 0o644
    assert [f.path for f in saved.files] == ["README.md", "index.js", "package.json"]
    assert saved.to_dict()["entry"]["id"] == stage_id
    assert [p.name for p in tmp_path.iterdir()] == [saved.path.name]  # no temporary file left

    with pytest.raises(StorageError, match="already exists"):
        download_staged_tarball(client, stage_id, cwd=tmp_path)
    assert saved.path.read_bytes() == tarball


def test_a_tarball_past_the_limit_is_refused_and_nothing_is_written(
    stageable: Stageable, tmp_path: Path
) -> None:
    tmp_path = tmp_path / "downloads"
    tmp_path.mkdir()
    client = stageable.client()
    stage_id = client.stage_publish(stageable.name, stageable.body("1.3.0"))["stageId"]
    size = len(stageable.tarballs["1.3.0"])

    with pytest.raises(RegistryError, match=f"more than the {size - 1}-byte limit"):
        download_staged_tarball(client, stage_id, cwd=tmp_path, limit=size - 1)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(RegistryError, match="limit"):
        client.stage_tarball(stage_id, limit=size - 1)
    assert client.stage_tarball(stage_id, limit=size) == stageable.tarballs["1.3.0"]

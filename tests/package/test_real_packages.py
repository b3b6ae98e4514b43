"""Parity with npm pack over the unpacked contents of real published packages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from releasekit.package.npm_pack import npm_pack_json
from releasekit.package.pack import pack_project
from releasekit.testing.npm_fixtures import CORPUS, FixtureUnavailable, fetch_package

pytestmark = [pytest.mark.npm, pytest.mark.network]


@pytest.mark.parametrize("name,version", CORPUS, ids=[f"{n}@{v}" for n, v in CORPUS])
def test_real_package_same_as_npm(name: str, version: str, npm_pack: Any) -> None:
    try:
        project = fetch_package(name, version)
    except FixtureUnavailable as exc:
        pytest.skip(str(exc))
    npm = npm_pack(project)
    ours = npm_pack_json(pack_project(project), [])
    assert [f["path"] for f in ours["files"]] == [f["path"] for f in npm["files"]]
    assert [f["mode"] for f in ours["files"]] == [f["mode"] for f in npm["files"]]
    assert ours["unpackedSize"] == npm["unpackedSize"]
    assert ours["id"] == npm["id"]


@pytest.mark.parametrize("name,version", CORPUS, ids=[f"{n}@{v}" for n, v in CORPUS])
def test_real_package_tar_stream_is_byte_identical(
    name: str, version: str, npm_pack: Any, tmp_path: Path
) -> None:
    import gzip

    try:
        project = fetch_package(name, version)
    except FixtureUnavailable as exc:
        pytest.skip(str(exc))
    info = npm_pack(project, dry_run=False)
    theirs = (tmp_path / "npm-work" / info["filename"]).read_bytes()
    ours = pack_project(project).tarball
    assert gzip.decompress(ours) == gzip.decompress(theirs)


def test_corpus_has_the_benchmark_packages() -> None:
    assert ("lodash", "4.17.21") in CORPUS and ("typescript", "5.6.3") in CORPUS
    assert len(CORPUS) >= 5


def test_offline_is_a_clear_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import releasekit.testing.npm_fixtures as fixtures

    monkeypatch.setattr(fixtures, "CACHE_DIR", tmp_path)
    monkeypatch.setattr(fixtures, "REGISTRY", "http://127.0.0.1:9")  # nothing listens on the discard port
    with pytest.raises(FixtureUnavailable, match="cannot fetch left-pad@1.3.0"):
        fixtures.fetch_package("left-pad", "1.3.0", timeout=2)

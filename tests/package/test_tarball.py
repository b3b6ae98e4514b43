"""The tarball: byte parity of the tar stream with npm's, determinism, format details."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from releasekit.package.model import PackedFile
from releasekit.package.pack import pack_project
from releasekit.package.tarball import NPM_MTIME, build_tarball

from .test_parity import LAYOUTS, POST


def _members(data: bytes) -> list[tuple[str, int, bytes, int, int, int]]:
    out = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar:
            content = tar.extractfile(member)
            assert content is not None
            out.append((member.name, member.mode, content.read(), member.mtime, member.uid, member.gid))
    return out


@pytest.mark.npm
@pytest.mark.parametrize(
    "name",
    [
        "no-files-field",
        "bin-map",
        "bundle-dependencies",
        "deep-paths",
        "unicode-names",
        "sorting",
        "odd-modes",
        "bin-mode-quirk",
        "hard-links",
    ],
)
def test_tar_stream_is_byte_identical_to_npm(name: str, layout: Any, npm_pack: Any, tmp_path: Path) -> None:
    manifest, files = LAYOUTS[name]
    project = layout(manifest, files)
    if name in POST:
        POST[name](project)
    info = npm_pack(project, dry_run=False)
    npm_tgz = (tmp_path / "npm-work" / info["filename"]).read_bytes()
    ours = pack_project(project).tarball
    # the uncompressed tar streams match byte for byte ...
    assert gzip.decompress(ours) == gzip.decompress(npm_tgz)
    # ... and so do the gzip headers; only the deflate bytes differ (Node's zlib is Chromium's)
    assert ours[:10] == npm_tgz[:10]
    assert _members(ours) == _members(npm_tgz)


def test_entries_are_under_package_with_npm_metadata(layout: Any) -> None:
    project = layout(
        {"name": "m", "version": "1.0.0", "bin": {"x": "bin/x.js", "y": "y.js"}},
        {"bin/x.js": "x", "y.js": "y", "run.sh": ("s", 0o700), "a.txt": ("a", 0o600), "g.txt": ("g", 0o664)},
    )
    members = _members(pack_project(project).tarball)
    assert {name for name, *_ in members} == {
        f"package/{n}" for n in ("package.json", "bin/x.js", "y.js", "run.sh", "a.txt", "g.txt")
    }
    modes = {name: mode for name, mode, *_ in members}
    # a bin at the root gains +x; npm leaves bin/x.js as it is on disk (pacote's quirk)
    assert modes == {
        "package/package.json": 0o644,
        "package/bin/x.js": 0o644,
        "package/y.js": 0o755,
        "package/run.sh": 0o700,
        "package/a.txt": 0o600,
        "package/g.txt": 0o644,
    }
    assert {(mtime, uid, gid) for *_, mtime, uid, gid in members} == {(NPM_MTIME, 0, 0)}


def test_same_input_same_bytes_whatever_the_disk_metadata(layout: Any) -> None:
    files = {"b.js": "b", "a/c.js": "c", "README.md": "r"}
    first = layout({"name": "d", "version": "1.0.0"}, files, where="one")
    second = layout({"name": "d", "version": "1.0.0"}, dict(reversed(list(files.items()))), where="two")
    os.utime(second / "b.js", (1, 1))
    os.chmod(second / "README.md", 0o664)  # npm drops group write: still 0644
    one, two = pack_project(first), pack_project(second)
    assert one.tarball == two.tarball
    assert one.integrity == two.integrity and one.shasum == two.shasum
    assert one.integrity.startswith("sha512-") and len(one.shasum) == 40


_names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="/\0", exclude_categories=("Cs", "Cc")),
    min_size=1,
    max_size=40,
)
_paths = (
    st.lists(_names, min_size=1, max_size=4)
    .map("/".join)
    .filter(lambda p: all(s not in (".", "..") for s in p.split("/")))
)
_files = st.dictionaries(
    _paths, st.tuples(st.binary(max_size=700), st.sampled_from([0o644, 0o755])), min_size=1, max_size=8
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_files)
def test_property_tarball_is_deterministic_and_round_trips(entries: dict[str, tuple[bytes, int]]) -> None:
    packed = [PackedFile(path, len(data), mode, data) for path, (data, mode) in entries.items()]
    first = build_tarball(packed)
    assert build_tarball(list(packed)) == first
    members = _members(first)
    assert [(name, mode, data) for name, mode, data, *_ in members] == [
        ("package/" + f.path, f.mode, f.data) for f in packed
    ]


def test_a_second_name_of_one_inode_is_a_link_entry(layout: Any) -> None:
    project = layout({"name": "l", "version": "1.0.0"}, {"a.js": "same", "b.js": "b"})
    os.link(project / "a.js", project / "c.js")
    packed = pack_project(project)
    link = packed.get("c.js")
    assert link is not None and link.linkpath == "a.js" and link.kind == "link" and link.size == 0
    with tarfile.open(fileobj=io.BytesIO(packed.tarball), mode="r:gz") as tar:
        member = tar.getmember("package/c.js")
        assert member.islnk() and member.linkname == "package/a.js"
    assert packed.unpacked_size == len(b"same") + len(b"b") + len(packed.read("package.json"))


def test_a_tarball_compressed_in_the_background_is_the_same_bytes(make_project) -> None:  # type: ignore[no-untyped-def]
    from releasekit.package.pack import pack_project

    project = make_project(
        {"name": "bg", "version": "1.0.0"}, {"index.js": "x".join(map(str, range(50_000)))}
    )
    background = pack_project(project, gzip="background")
    lazy = pack_project(project, gzip="lazy")
    assert background.files == pack_project(project).files
    assert background.tarball == lazy.tarball == pack_project(project).tarball


def test_a_background_size_limit_is_raised_when_the_bytes_are_asked_for(make_project) -> None:  # type: ignore[no-untyped-def]
    import os

    import pytest

    from releasekit.config import load_config
    from releasekit.errors import PackError
    from releasekit.package.pack import pack_project

    project = make_project({"name": "bg", "version": "1.0.0"}, {"blob.bin": os.urandom(300_000)})
    (project / "releasekit.yaml").write_text("pack:\n  max_size: 100000\n")
    for mode in ("background", "lazy"):
        package = pack_project(project, load_config(project), gzip=mode)  # type: ignore[arg-type]
        with pytest.raises(PackError, match="max_size"):
            package.tarball  # noqa: B018

"""The npm view of hand-built tarballs: node-tar advisory classes reported, never followed; caps enforced.

Agreement with npm itself is tested in tests/tar_oracle against node-tar and pacote."""

from __future__ import annotations

import gzip
import io
import os
import tarfile

import pytest

from releasekit.errors import PackError
from releasekit.review.archive import MAX_DEPTH, Archive, read_archive
from releasekit.review.tarstream import MAX_META_SIZE


def build(*members: tuple[tarfile.TarInfo, bytes], fmt: int = tarfile.PAX_FORMAT, gz: bool = True) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=fmt) as tar:
        for info, data in members:
            info.size = len(data) if info.type in (tarfile.REGTYPE, tarfile.AREGTYPE) else 0
            tar.addfile(info, io.BytesIO(data) if info.size else None)
    return gzip.compress(raw.getvalue(), mtime=0) if gz else raw.getvalue()


def regular(name: str, mode: int = 0o644) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.mode = mode
    return info


def link(name: str, target: str, kind: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


def rules(blob: bytes) -> list[str]:
    return [f.rule_id for f in read_archive(blob).findings]


def test_reads_npm_layout_in_memory_with_modes() -> None:
    blob = build(
        (regular("package/package.json"), b"{}"),
        (regular("package/bin/cli.js", 0o755), b"#!/usr/bin/env node"),
    )
    archive = read_archive(blob)
    assert archive.findings == []
    assert sorted(archive.entries) == ["bin/cli.js", "package.json"]
    assert archive.entries["bin/cli.js"].mode == 0o755
    assert archive.entries["package.json"].data == b"{}"


def test_plain_tar_is_read_too() -> None:
    archive = read_archive(build((regular("package/a.js"), b"1"), gz=False))
    assert list(archive.entries) == ["a.js"]


@pytest.mark.parametrize(
    ("name", "rule", "installed"),
    [
        ("package/../../etc/passwd", "tar-unsafe-path", None),  # CVE-2021-32804 family: npm skips it
        ("/etc/passwd", "tar-unsafe-path", "etc/passwd"),  # npm strips the root and installs it
        ("////etc/passwd", "tar-unsafe-path", "etc/passwd"),  # repeated roots: CVE-2021-32804
        ("package//etc/passwd", "tar-unsafe-path", "etc/passwd"),  # a root after the top folder
        ("C:/Windows/evil.js", "tar-outside-package", "Windows/evil.js"),  # "C:" is just the top folder
        ("package\\..\\..\\evil.js", "tar-outside-package", None),  # no '/': no folder to strip, npm skips it
        ("package/a\\b.js", "tar-unsafe-path", "a\\b.js"),  # a separator on Windows
    ],
)
def test_escaping_paths_are_findings_with_what_npm_installs(
    name: str, rule: str, installed: str | None
) -> None:
    archive = read_archive(build((regular(name), b"x"), (regular("package/ok.js"), b"1")))
    assert rule in rules_of(archive)
    assert sorted(archive.entries) == sorted(["ok.js"] + ([installed] if installed else []))


def test_windows_drive_after_the_top_folder_is_refused() -> None:
    with pytest.raises(PackError, match="Windows-absolute"):
        read_archive(build((regular("package/C:/evil.js"), b"x")))


def test_symlink_entry_is_reported_not_followed() -> None:  # CVE-2021-32803, 2021-37701
    archive = read_archive(build((link("package/evil", "/etc/passwd", tarfile.SYMTYPE), b"")))
    assert rules_of(archive) == ["tar-symlink"]
    assert archive.entries == {}


def test_hardlink_entry_is_reported_not_followed() -> None:  # node-tar hardlink-following advisories
    archive = read_archive(
        build((regular("package/a.js"), b"1"), (link("package/b.js", "../../x", tarfile.LNKTYPE), b""))
    )
    assert rules_of(archive) == ["tar-hardlink"]
    assert list(archive.entries) == ["a.js"]


def test_duplicate_entries_last_one_wins_as_in_npm() -> None:
    archive = read_archive(build((regular("package/a.js"), b"first"), (regular("package/a.js"), b"second")))
    assert rules_of(archive) == ["tar-duplicate"]
    assert archive.entries["a.js"].data == b"second"


def test_case_only_collision() -> None:  # CVE-2021-37712 (case-insensitive file systems)
    archive = read_archive(build((regular("package/Index.js"), b"1"), (regular("package/index.js"), b"2")))
    assert rules_of(archive) == ["tar-name-collision"]
    assert "case" in archive.findings[0].message


def test_unicode_normalization_collision() -> None:  # CVE-2021-37712 (NFD vs NFC on macOS)
    nfc, nfd = "package/caf\u00e9.js", "package/cafe\u0301.js"
    archive = read_archive(build((regular(nfc), b"1"), (regular(nfd), b"2"), fmt=tarfile.USTAR_FORMAT))
    assert rules_of(archive) == ["tar-name-collision"]
    assert "Unicode" in archive.findings[0].message


@pytest.mark.parametrize("name", ["package/a\nb.js", "package/\x1b]8;;x\x07.js", "package/\u202eevil.js"])
def test_control_characters_in_names_are_findings_shown_escaped(name: str) -> None:  # issue 12
    archive = read_archive(build((regular(name), b"1"), fmt=tarfile.USTAR_FORMAT))
    assert rules_of(archive) == ["tar-control-character"]
    finding = archive.findings[0]
    assert not any(ch in finding.message + (finding.file or "") for ch in "\n\x1b\x07\u202e")


def test_non_ascii_pax_path_unlike_its_header_is_refused() -> None:
    # tarfile writes "caf?.js" in the header: node-tar falls back to it when its input is chunked mid-character
    with pytest.raises(PackError, match="non-ASCII pax path"):
        read_archive(build((regular("package/caf\u00e9.js"), b"1")))


def test_gitignore_is_reviewed_as_the_npmignore_npm_installs() -> None:
    archive = read_archive(build((regular("package/.gitignore"), b"node_modules")))
    assert list(archive.entries) == [".npmignore"]


def test_oversized_pax_header_is_refused() -> None:
    info = regular("package/a.js")
    info.pax_headers = {"comment": "x" * (MAX_META_SIZE + 10)}
    with pytest.raises(PackError, match="limit"):
        read_archive(build((info, b"1")))


def test_deep_folder_nesting() -> None:  # CVE-2024-28863
    deep = "package/" + "d/" * (MAX_DEPTH + 1) + "x.js"
    assert rules(build((regular(deep), b"1"))) == ["tar-deep-path"]


def test_special_files() -> None:
    fifo = tarfile.TarInfo("package/pipe")
    fifo.type = tarfile.FIFOTYPE
    assert rules(build((fifo, b""))) == ["tar-special-file"]


def test_corrupt_checksum_is_refused() -> None:
    raw = bytearray(
        build(
            (regular("package/a.js"), b"1"),
            (regular("package/b.js"), b"2"),
            fmt=tarfile.USTAR_FORMAT,
            gz=False,
        )
    )
    raw[1024 + 148 : 1024 + 156] = b"0000000\0"
    with pytest.raises(PackError, match="header at byte 1024 has a bad checksum"):
        read_archive(bytes(raw))
    raw[148:156] = b"0000000\0"
    with pytest.raises(PackError, match="not an npm tarball"):
        read_archive(bytes(raw))


def test_not_gzip_at_all() -> None:
    with pytest.raises(PackError, match="not valid gzip"):
        read_archive(b"\x1f\x8b" + b"garbage" * 10)


def test_streams_from_a_file_object(tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "x.tgz"
    target.write_bytes(build((regular("package/a.js"), b"1")))
    with target.open("rb") as stream:
        assert list(read_archive(stream).entries) == ["a.js"]


def test_decompressed_size_cap_is_enforced_while_streaming() -> None:
    blob = build((regular("package/a.js"), os.urandom(300_000)))
    with pytest.raises(PackError, match="expands past"):
        read_archive(blob, max_size=100_000)


def test_gzip_ratio_bomb_is_refused_early() -> None:
    with pytest.raises(PackError, match="1000x"):
        read_archive(gzip.compress(b"\0" * 50_000_000))


def test_entry_count_cap() -> None:
    blob = build(*[(regular(f"package/{i}.js"), b"") for i in range(50)])
    assert len(read_archive(blob, max_entries=50).entries) == 50
    with pytest.raises(PackError, match="more than 49 entries"):
        read_archive(blob, max_entries=49)


def rules_of(archive: Archive) -> list[str]:
    return [f.rule_id for f in archive.findings]

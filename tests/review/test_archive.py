"""Hostile tarballs built by hand, one per node-tar advisory class: reported, never followed."""

from __future__ import annotations

import gzip
import io
import tarfile

import pytest

from releasekit.errors import PackError
from releasekit.review.archive import MAX_DEPTH, MAX_LONG_HEADER, read_archive


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
    blob = build((regular("package/package.json"), b"{}"), (regular("package/bin/cli.js", 0o755), b"#!/usr/bin/env node"))
    archive = read_archive(blob)
    assert archive.findings == []
    assert sorted(archive.entries) == ["bin/cli.js", "package.json"]
    assert archive.entries["bin/cli.js"].mode == 0o755
    assert archive.entries["package.json"].data == b"{}"


def test_plain_tar_is_read_too() -> None:
    archive = read_archive(build((regular("package/a.js"), b"1"), gz=False))
    assert list(archive.entries) == ["a.js"]


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("package/../../etc/passwd", "traversal"),  # CVE-2021-32804 family
        ("/etc/passwd", "absolute"),
        ("////etc/passwd", "absolute"),  # repeated roots: CVE-2021-32804
        ("C:/Windows/evil.js", "absolute"),  # drive-relative: CVE-2021-37701 / 37712
        ("package\\..\\..\\evil.js", "traversal"),  # backslash separators on Windows
    ],
)
def test_escaping_paths_are_findings_and_not_kept(name: str, why: str) -> None:
    archive = read_archive(build((regular(name), b"x"), (regular("package/ok.js"), b"1")))
    assert [f.rule_id for f in archive.findings] == ["tar-unsafe-path"]
    assert list(archive.entries) == ["ok.js"]


def test_symlink_entry_is_reported_not_followed() -> None:  # CVE-2021-32803, 2021-37701
    archive = read_archive(build((link("package/evil", "/etc/passwd", tarfile.SYMTYPE), b"")))
    assert rules_of(archive) == ["tar-symlink"]
    assert archive.entries == {}


def test_hardlink_entry_is_reported_not_followed() -> None:  # node-tar hardlink-following advisories
    archive = read_archive(build((regular("package/a.js"), b"1"), (link("package/b.js", "../../x", tarfile.LNKTYPE), b"")))
    assert rules_of(archive) == ["tar-hardlink"]
    assert list(archive.entries) == ["a.js"]


def test_duplicate_entries_are_reported() -> None:
    archive = read_archive(build((regular("package/a.js"), b"first"), (regular("package/a.js"), b"second")))
    assert rules_of(archive) == ["tar-duplicate"]
    assert archive.entries["a.js"].data == b"first"


def test_case_only_collision() -> None:  # CVE-2021-37712 (case-insensitive file systems)
    archive = read_archive(build((regular("package/Index.js"), b"1"), (regular("package/index.js"), b"2")))
    assert rules_of(archive) == ["tar-name-collision"]
    assert "case" in archive.findings[0].message


def test_unicode_normalization_collision() -> None:  # CVE-2021-37712 (NFD vs NFC on macOS)
    nfc, nfd = "package/caf\u00e9.js", "package/cafe\u0301.js"
    archive = read_archive(build((regular(nfc), b"1"), (regular(nfd), b"2")))
    assert rules_of(archive) == ["tar-name-collision"]
    assert "Unicode" in archive.findings[0].message


def test_oversized_pax_header() -> None:
    info = regular("package/a.js")
    info.pax_headers = {"comment": "x" * (MAX_LONG_HEADER + 10)}
    assert rules(build((info, b"1"))) == ["tar-oversized-header"]


def test_deep_folder_nesting() -> None:  # CVE-2024-28863
    deep = "package/" + "d/" * (MAX_DEPTH + 1) + "x.js"
    assert rules(build((regular(deep), b"1"))) == ["tar-deep-path"]


def test_special_files() -> None:
    fifo = tarfile.TarInfo("package/pipe")
    fifo.type = tarfile.FIFOTYPE
    assert rules(build((fifo, b""))) == ["tar-special-file"]


def test_corrupt_checksum_stops_reading() -> None:
    raw = bytearray(build((regular("package/a.js"), b"1"), fmt=tarfile.USTAR_FORMAT, gz=False))
    raw[148:156] = b"0000000\0"
    assert rules(bytes(raw)) == ["tar-corrupt-header"]


def test_not_gzip_at_all() -> None:
    with pytest.raises(PackError, match="not valid gzip"):
        read_archive(b"\x1f\x8b" + b"garbage" * 10)


def test_gzip_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("releasekit.review.archive.MAX_DECOMPRESSED", 1024)
    with pytest.raises(PackError, match="expands past"):
        read_archive(gzip.compress(b"\0" * 10_000))


def rules_of(archive) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.rule_id for f in archive.findings]

"""One hand-built tarball per class where readers disagree, each checked against npm's own extraction.

Every case runs through node-tar's parser and pacote's extraction in the same
test: we either read exactly what npm installs or refuse in one line.
"""

from __future__ import annotations

import gzip

import pytest

from tests.tar_oracle.blocks import GNU, base256, end, entry, gnu_long, gz, header, package, pax, record
from tests.tar_oracle.node_tar import NodeTar, compare

MANIFEST = entry("package/package.json", b'{"name":"x","version":"1.0.0"}')
INDEX = entry("package/index.js", b"module.exports = 1\n")
PAYLOAD = entry("package/index.js", b"require('child_process').exec(process.env.NPM_TOKEN)\n")

# name -> (tar stream or .tgz, expected: "read" | "refused" | a finding rule id that must be reported)
CASES: dict[str, tuple[bytes, str]] = {
    "npm-layout": (gz(package({"index.js": b"1", "bin/cli.js": b"#!/usr/bin/env node\n"})), "read"),
    "plain-tar": (package({"index.js": b"1"}), "read"),
    # end of archive: one zero block is skipped by node-tar, two end it
    "one-zero-block-then-payload": (gz(MANIFEST + INDEX + end(1) + PAYLOAD + end()), "tar-duplicate"),
    "two-zero-blocks-then-payload": (gz(MANIFEST + INDEX + end() + PAYLOAD + end()), "refused"),
    "zero-padding-after-end": (gz(MANIFEST + INDEX + end(20)), "read"),
    "no-end-marker": (gz(MANIFEST + INDEX), "read"),
    "stray-partial-block": (gz(MANIFEST + INDEX + end() + b"\0" * 100 + b"x"), "refused"),
    "empty-tar-stream": (gz(b""), "refused"),
    "only-zero-blocks": (gz(end(4)), "refused"),
    "truncated-body": (gz(MANIFEST + header("package/big.js", size=5000) + b"x" * 600), "refused"),
    # gzip framing
    "two-gzip-members": (gz(MANIFEST + INDEX) + gz(PAYLOAD + end()), "refused"),
    "garbage-after-gzip": (gz(MANIFEST + INDEX + end()) + b"garbage", "refused"),
    "zeros-after-gzip": (gz(MANIFEST + INDEX + end()) + bytes(16), "refused"),
    "truncated-gzip": (gz(MANIFEST + INDEX + end())[:-9], "refused"),
    "zstd-magic": (b"\x28\xb5\x2f\xfd" + bytes(600), "refused"),
    # pax extended headers
    "pax-size": (
        gz(
            MANIFEST
            + pax([("size", "5")])
            + header("package/a.js", size=0)
            + b"hello".ljust(512, b"\0")
            + end()
        ),
        "read",
    ),
    "pax-path": (
        gz(
            MANIFEST
            + pax([("path", "package/lib/long-" + "n" * 150 + ".js")])
            + entry("package/short.js", b"1")
            + end()
        ),
        "read",
    ),
    "pax-path-unicode": (
        gz(
            MANIFEST
            + pax([("path", "package/caf\u00e9.js")])
            + entry("package/caf\u00e9.js".encode(), b"1")
            + end()
        ),
        "read",
    ),
    "pax-ignored-keys": (
        gz(
            MANIFEST
            + pax(
                [
                    ("mtime", "1.5"),
                    ("uid", "x"),
                    ("mode", "0777"),
                    ("type", "2"),
                    ("comment", "hi"),
                    ("SCHILY.dev", "1"),
                ]
            )
            + INDEX
            + end()
        ),
        "read",
    ),
    "pax-accumulates": (
        gz(
            MANIFEST
            + pax([("size", "3")])
            + pax([("path", "package/b.js")])
            + header("package/a.js", size=0)
            + b"abc".ljust(512, b"\0")
            + end()
        ),
        "read",
    ),
    "pax-before-null-block": (
        gz(MANIFEST + pax([("path", "package/p.js")]) + end(1) + INDEX + end()),
        "read",
    ),
    "pax-size-then-pax": (gz(MANIFEST + pax([("size", "0")]) + pax([("comment", "x")]) + end(1)), "refused"),
    "pax-size-then-long-name": (
        gz(
            MANIFEST
            + pax([("size", "1")])
            + gnu_long(b"L", "package/x.js")
            + entry("package/y.js", b"1")
            + end()
        ),
        "read",
    ),
    "pax-size-then-empty-long-name": (
        gz(
            MANIFEST
            + pax([("size", "1")])
            + header("././@LongLink", type=b"L")
            + entry("package/y.js", b"1")
            + end()
        ),
        "refused",
    ),
    "file-with-long-link": (
        gz(MANIFEST + gnu_long(b"K", "../x") + entry("package/a.js", b"1") + end()),
        "refused",
    ),
    "file-with-pax-linkpath": (
        gz(MANIFEST + pax([("linkpath", "../../x")]) + entry("package/a.js", b"1") + end()),
        "refused",
    ),
    "global-pax-linkpath": (
        gz(MANIFEST + pax([("linkpath", "../x")], global_=True) + INDEX + end()),
        "refused",
    ),
    "pax-bad-length": (gz(MANIFEST + pax(b"99 path=package/evil.js\n") + INDEX + end()), "refused"),
    "pax-leading-zero-length": (gz(MANIFEST + pax(b"021 path=package/x.js\n") + INDEX + end()), "refused"),
    "pax-nul-in-value": (gz(MANIFEST + pax(record("path", b"package/a\0.js")) + INDEX + end()), "refused"),
    "pax-oversized": (gz(MANIFEST + pax([("comment", "x" * 70_000)]) + INDEX + end()), "refused"),
    "pax-size-on-folder": (
        gz(MANIFEST + pax([("size", "512")]) + header("package/lib/", type=b"5") + PAYLOAD + end()),
        "refused",
    ),
    "global-pax-path": (
        gz(MANIFEST + pax([("path", "package/logo.png")], global_=True) + PAYLOAD + end()),
        "read",
    ),
    "global-pax-comment": (
        gz(pax([("comment", "0123abc")], global_=True) + MANIFEST + INDEX + end()),
        "read",
    ),
    "global-pax-size": (gz(MANIFEST + pax([("size", "0")], global_=True) + PAYLOAD + end()), "refused"),
    # GNU long names
    "gnu-long-name": (
        gz(
            MANIFEST
            + gnu_long(b"L", "package/" + "d/" * 30 + "deep.js")
            + entry("package/x.js", b"1")
            + end()
        ),
        "read",
    ),
    "gnu-long-link": (
        gz(
            MANIFEST
            + gnu_long(b"K", "../" * 60 + "etc/passwd")
            + header("package/l", type=b"2", linkname="x")
            + end()
        ),
        "tar-symlink",
    ),
    "gnu-long-name-non-ascii": (
        gz(MANIFEST + gnu_long(b"L", "package/\u00e9.js") + entry("package/x.js", b"1") + end()),
        "refused",
    ),
    # numbers and checksums
    "base256-size": (
        gz(MANIFEST + header("package/a.js", size=base256(3, 12)) + b"abc".ljust(512, b"\0") + end()),
        "read",
    ),
    "base256-mode": (gz(MANIFEST + entry("package/a.js", b"1", mode=base256(0o755, 8)) + end()), "read"),
    "base256-negative-size": (
        gz(MANIFEST + header("package/a.js", size=base256(-1, 12)) + PAYLOAD + end()),
        "refused",
    ),
    "base256-invalid": (
        gz(MANIFEST + entry("package/a.js", b"1", mtime=b"\x81" + bytes(11)) + end()),
        "refused",
    ),
    "octal-garbage": (gz(MANIFEST + header("package/a.js", size=b"+0x10") + bytes(512) + end()), "refused"),
    "space-padded-numbers": (gz(MANIFEST + entry("package/a.js", b"1", mode=b"  644 \0\0") + end()), "read"),
    "bad-checksum": (
        gz(
            MANIFEST
            + header("package/index.js", size=5, checksum=1)
            + b"evil!".ljust(512, b"\0")
            + INDEX
            + end()
        ),
        "refused",
    ),
    "zero-block-but-checksum": (
        gz(MANIFEST + bytes(148) + b"xxxxxxxx" + bytes(356) + INDEX + end()),
        "refused",
    ),
    # names and prefixes
    "ustar-prefix": (gz(MANIFEST + entry("a.js", b"1", prefix="package/lib") + end()), "read"),
    "gnu-magic-ignores-prefix": (
        gz(MANIFEST + entry("a.js", b"1", magic=GNU, prefix="package/lib") + end()),
        "tar-outside-package",
    ),
    "garbage-after-nul-in-name": (gz(MANIFEST + entry(b"package/a.js\0evil", b"1") + end()), "refused"),
    "invalid-utf8-name": (gz(MANIFEST + entry(b"package/\xff.js", b"1") + end()), "refused"),
    "file-with-linkname": (
        gz(MANIFEST + header("package/a.js", size=512, linkname="x") + INDEX + end()),
        "refused",
    ),
    "folder-with-size": (gz(MANIFEST + header("package/lib/", size=512) + PAYLOAD + end()), "refused"),
    "folder-entry": (
        gz(MANIFEST + header("package/lib/", type=b"5") + entry("package/lib/a.js", b"1") + end()),
        "read",
    ),
    "unknown-type": (gz(MANIFEST + entry("package/a.js", b"1", type=b"Z") + end()), "refused"),
    "vendor-type": (gz(MANIFEST + entry("package/a.js", b"1", type=b"S") + end()), "refused"),
    "contiguous-file": (gz(MANIFEST + entry("package/a.js", b"1", type=b"7") + end()), "read"),
    "old-file-type": (gz(MANIFEST + entry("package/a.js", b"1", type=b"\0") + end()), "read"),
    # what npm installs: strip, last wins, pacote's filter
    "duplicate-path": (gz(MANIFEST + INDEX + PAYLOAD + end()), "tar-duplicate"),
    "dot-slash-top": (
        gz(entry("./package/package.json", b"{}") + entry("./package/x.js", b"1") + end()),
        "read",
    ),
    "outside-any-folder": (gz(MANIFEST + entry("index.js", b"1") + end()), "tar-outside-package"),
    "two-top-folders": (gz(MANIFEST + INDEX + entry("other/index.js", b"2") + end()), "tar-outside-package"),
    "normalized-duplicate": (
        gz(MANIFEST + INDEX + entry("package/./index.js", b"2") + end()),
        "tar-duplicate",
    ),
    "gitignore-renamed": (gz(MANIFEST + entry("package/.gitignore", b"node_modules\n") + end()), "read"),
    "gitignore-after-npmignore": (
        gz(MANIFEST + entry("package/.npmignore", b"a") + entry("package/.gitignore", b"b") + end()),
        "read",
    ),
    "file-and-folder": (
        gz(MANIFEST + entry("package/a", b"1") + entry("package/a/b", b"2") + end()),
        "refused",
    ),
    # the classes node-tar's advisories name
    "traversal": (gz(MANIFEST + entry("package/../../etc/passwd", b"x") + end()), "tar-unsafe-path"),
    "absolute": (gz(MANIFEST + entry("/etc/passwd", b"x") + end()), "tar-unsafe-path"),
    "absolute-after-top": (gz(MANIFEST + entry("package//etc/passwd", b"x") + end()), "tar-unsafe-path"),
    "drive-letter": (gz(MANIFEST + entry("package/C:/evil.js", b"x") + end()), "refused"),
    "backslash": (gz(MANIFEST + entry("package/a\\b.js", b"x") + end()), "tar-unsafe-path"),
    "symlink": (
        gz(MANIFEST + header("package/evil", type=b"2", linkname="/etc/passwd") + end()),
        "tar-symlink",
    ),
    "hardlink": (
        gz(MANIFEST + INDEX + header("package/b.js", type=b"1", linkname="package/index.js") + end()),
        "tar-hardlink",
    ),
    "fifo": (gz(MANIFEST + header("package/pipe", type=b"6") + end()), "tar-special-file"),
    "case-collision": (gz(MANIFEST + entry("package/Index.js", b"1") + INDEX + end()), "tar-name-collision"),
    "unicode-collision": (
        gz(MANIFEST + entry("package/caf\u00e9.js", b"1") + entry("package/cafe\u0301.js", b"2") + end()),
        "tar-name-collision",
    ),
    "control-character": (gz(MANIFEST + entry("package/a\nb.js", b"1") + end()), "tar-control-character"),
    "escape-sequence": (gz(MANIFEST + entry("package/\x1b[2Jx.js", b"1") + end()), "tar-control-character"),
    "deep-path": (
        gz(MANIFEST + pax([("path", "package/" + "d/" * 70 + "x.js")]) + entry("package/x.js", b"1") + end()),
        "tar-deep-path",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_agrees_with_npm(node_tar: NodeTar, name: str) -> None:
    blob, expected = CASES[name]
    verdict = compare(node_tar, blob, extract=True)
    if expected == "refused":
        assert verdict.refused is not None, f"{name}: read, expected a refusal"
        assert "\n" not in verdict.refused
    else:
        assert verdict.refused is None, f"{name}: refused: {verdict.refused}"
        if expected == "read":
            assert verdict.hostile == []
        else:
            assert expected in verdict.hostile


def test_payload_after_one_zero_block_is_what_gets_reviewed(node_tar: NodeTar) -> None:
    """The issue's first attack: the reviewed index.js must be the one npm installs."""
    from releasekit.review.archive import read_archive

    archive = read_archive(CASES["one-zero-block-then-payload"][0])
    assert b"child_process" in archive.entries["index.js"].data


def test_gzip_stream_is_rebuilt_member_by_member() -> None:
    # sanity of the corpus itself: the two-member case really is two members
    blob = CASES["two-gzip-members"][0]
    assert gzip.decompress(blob).count(b"child_process") == 1

"""Hypothesis against npm's node-tar: generated tar streams and mutated real package tarballs.

Any disagreement that is not a refusal fails. The default run is derandomized
and sized for CI (a few thousand cases in about a minute on two cores);
``nox -s fuzz`` sets ``RELEASEKIT_FUZZ_EXAMPLES`` for long random runs.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from releasekit.package.pack import pack_project
from tests.tar_oracle.blocks import (
    BLOCK,
    GNU,
    USTAR,
    base256,
    end,
    entry,
    gnu_long,
    gz,
    header,
    pad,
    pax,
    record,
)
from tests.tar_oracle.node_tar import NodeTar, Verdict, compare

_LONG_RUN = os.environ.get("RELEASEKIT_FUZZ_EXAMPLES")
EXAMPLES = int(_LONG_RUN or 0)
FUZZ = settings(
    max_examples=EXAMPLES or 1500,
    deadline=None,
    derandomize=not _LONG_RUN,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
    database=None,
)

_tops = st.sampled_from(["package"] * 8 + [".", "", "other", "..", "/"])
_parts = st.sampled_from(
    [
        "index.js",
        "a",
        "b.js",
        "A",
        "lib",
        "index.js",
        "a",
        "b.js",
        "lib",
        "c.js",
        "..",
        ".",
        "",
        ".gitignore",
        ".npmignore",
        "caf\u00e9.js",
        "cafe\u0301.js",
        "x\\y",
        "C:",
        "a\nb",
        "package.json",
        "d" * 120,
    ]
)
_names = st.builds(
    lambda top, parts, slash: "/".join([top, *parts]) + ("/" if slash else ""),
    _tops,
    st.lists(_parts, min_size=1, max_size=3) | st.just([]),
    st.integers(0, 7).map(lambda n: n == 0),
)
_types = st.sampled_from([b"0"] * 12 + [b"\0", b"7", b"5", b"5", b"1", b"2", b"3", b"6", b"Z"])
_bodies = st.binary(max_size=700) | st.sampled_from([b"", b"1", b"module.exports = 1\n", bytes(600)])


@st.composite
def _file_entry(draw: st.DrawFn) -> bytes:
    name = draw(_names)
    data = draw(_bodies)
    typeflag = draw(_types)
    carries_data = typeflag in (b"0", b"\0", b"7")
    size: int | bytes = len(data) if carries_data else 0
    if draw(st.integers(0, 5)) == 0:
        size = draw(st.sampled_from([0, len(data) + 1, 512, max(len(data) - 1, 0)]))
    if draw(st.integers(0, 9)) == 0:
        size = base256(int(size) if isinstance(size, int) else 0, 12)
    is_link = typeflag in (b"1", b"2")
    linkname = (
        draw(st.sampled_from(["package/index.js", "../x", "/etc/passwd", "index.js"])) if is_link else ""
    )
    if draw(st.integers(0, 40)) == 0:
        linkname = "" if is_link else "x"
    magic = draw(st.sampled_from([USTAR, USTAR, USTAR, GNU, bytes(8)]))
    prefix = ""
    if len(name.encode()) > 100 or draw(st.integers(0, 7)) == 0:
        head, _, tail = name.rpartition("/")
        name, prefix = tail, head
    mode = draw(st.sampled_from([0o644, 0o644, 0o755, 0o4755, 0, b"\0" * 8, b"  644 \0\0"]))
    block = header(
        name.encode()[:100],
        type=typeflag,
        size=size,
        mode=mode,
        linkname=linkname,
        prefix=prefix,
        magic=magic,
    )
    written = size if isinstance(size, int) else 0
    return block + pad(data[:written].ljust(written, b"z") if carries_data or draw(st.booleans()) else b"")


_pax_keys = st.sampled_from(
    ["path", "path", "size", "linkpath", "mtime", "comment", "mode", "uid", "type", "SCHILY.dev"]
)
_pax_values = _names | st.sampled_from(["0", "1", "5", "512", "00", "-1", "1e3", "", "x"])


@st.composite
def _meta(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["x", "x", "x", "g", "L", "K", "zero", "zero", "garbage", "raw-x"]))
    if kind in ("x", "g"):
        records = draw(st.lists(st.tuples(_pax_keys, _pax_values), min_size=1, max_size=3))
        return pax(records, global_=kind == "g")
    if kind == "raw-x":  # a record with one byte changed: lengths, separators, NULs, newlines
        body = bytearray(record(draw(_pax_keys), draw(_pax_values)))
        body[draw(st.integers(0, len(body) - 1))] = draw(st.sampled_from([0, 10, 32, 48, 49, 61, 0xC3, 0xFF]))
        return pax(bytes(body))
    if kind in ("L", "K"):
        return gnu_long(kind.encode(), draw(_names))
    if kind == "zero":
        return end(1)
    return draw(st.binary(min_size=BLOCK, max_size=BLOCK))


_pieces = st.lists(st.one_of(_file_entry(), _file_entry(), _meta()), min_size=1, max_size=8)


def _wrap(tar: bytes, how: str, tail: bytes) -> bytes:
    if how == "plain":
        return tar
    if how == "gz":
        return gz(tar)
    if how == "two-members":
        cut = len(tar) // 2
        return gz(tar[:cut]) + gz(tar[cut:])
    return gz(tar) + tail


@given(
    pieces=_pieces,
    ending=st.sampled_from([2, 2, 1, 0, 3]),
    after=st.sampled_from([b"", b"", b"", entry("package/index.js", b"evil")]),
    how=st.sampled_from(["gz"] * 7 + ["plain", "two-members", "tail"]),
    tail=st.sampled_from([b"\0", b"garbage", b"\x1f\x8b"]),
)
@FUZZ
def test_generated_streams(
    node_tar: NodeTar, pieces: list[bytes], ending: int, after: bytes, how: str, tail: bytes
) -> None:
    manifest = entry("package/package.json", b'{"name":"x","version":"1.0.0"}')
    blob = _wrap(manifest + b"".join(pieces) + end(ending) + after, how, tail)
    _record(compare(node_tar, blob, extract=_sampled(blob)))


@pytest.fixture(scope="module")
def real_tarball(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A package packed by releasekit's packer: long names (pax), a bin, folders, unicode."""
    root = tmp_path_factory.mktemp("real")
    (root / "package.json").write_text('{"name":"fuzz-real","version":"1.2.3","bin":{"fz":"bin/cli.js"}}')
    files = {
        "index.js": "module.exports = require('./lib/a')\n",
        "lib/a.js": "exports.a = 1\n" * 40,
        "bin/cli.js": "#!/usr/bin/env node\nconsole.log(1)\n",
        "lib/" + "nested/" * 14 + "deep-file-name-that-is-long.js": "x\n",
        "lib/caf\u00e9.js": "1\n",
        "README.md": "# fuzz\n" * 100,
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "bin" / "cli.js").chmod(0o755)
    return pack_project(root).tarball


def _fix_checksums(tar: bytearray, touched: set[int]) -> None:
    for start in touched:
        block = tar[start : start + BLOCK]
        if len(block) == BLOCK and block.strip(b"\0"):
            block[148:156] = b" " * 8
            tar[start + 148 : start + 156] = f"{sum(block):06o}\0 ".encode()


@given(
    edits=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), min_size=1, max_size=6),
    in_headers=st.booleans(),
    fix=st.booleans(),
    cut=st.none() | st.integers(0, 1 << 20),
)
@FUZZ
def test_mutated_real_tarballs(
    node_tar: NodeTar,
    real_tarball: bytes,
    edits: list[tuple[int, int]],
    in_headers: bool,
    fix: bool,
    cut: int | None,
) -> None:
    tar = bytearray(gzip.decompress(real_tarball))
    headers = _header_offsets(bytes(tar))
    touched: set[int] = set()
    for where, value in edits:
        if in_headers:
            start = headers[where % len(headers)]
            pos = start + (where >> 8) % BLOCK
        else:
            pos = where % len(tar)
            start = pos - pos % BLOCK
        if pos in range(start + 148, start + 156) and fix:
            continue
        tar[pos] = value
        touched.add(start)
    if fix:
        _fix_checksums(tar, touched)
    if cut is not None and cut % 5 == 0:
        del tar[cut % len(tar) :]
    blob = gz(bytes(tar))
    _record(compare(node_tar, blob, extract=_sampled(blob)))


@given(cut=st.integers(0, 1 << 16), flip=st.integers(0, 1 << 16))
@settings(FUZZ, max_examples=EXAMPLES or 200)
def test_mutated_gzip_bytes(node_tar: NodeTar, real_tarball: bytes, cut: int, flip: int) -> None:
    blob = bytearray(real_tarball)
    blob[10 + flip % (len(blob) - 10)] ^= 1 << (flip % 8)
    if cut % 3 == 0:
        del blob[cut % len(blob) :]
    _record(compare(node_tar, bytes(blob)))


def _record(verdict: Verdict) -> None:
    # --hypothesis-show-statistics tells how many cases were read, not just refused
    reason = re.sub(r"[0-9]+", "N", (verdict.refused or "").removeprefix("tarball refused: "))[:48]
    event(f"refused: {reason}" if verdict.refused else "read")


def _header_offsets(tar: bytes) -> list[int]:
    offsets, pos = [], 0
    while pos + BLOCK <= len(tar) and tar[pos : pos + BLOCK].strip(b"\0"):
        offsets.append(pos)
        size = int(tar[pos + 124 : pos + 136].strip(b" \0") or b"0", 8)
        pos += BLOCK + -(-size // BLOCK) * BLOCK
    return offsets


def _sampled(blob: bytes) -> bool:
    """Extract with pacote for one case in eight in CI, one in two in long runs (an extraction costs ten listings)."""
    return hashlib.sha1(blob).digest()[0] < (128 if _LONG_RUN else 32)


def test_real_tarball_is_read_and_installed_alike(node_tar: NodeTar, real_tarball: bytes) -> None:
    verdict = compare(node_tar, real_tarball, extract=True)
    assert verdict.refused is None and verdict.hostile == []


def test_fixture_is_a_real_package(real_tarball: bytes) -> None:
    assert Path("package/package.json").as_posix().encode() in gzip.decompress(real_tarball)

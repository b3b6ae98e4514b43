"""Every command that reads a .tgz refuses, in one line and with exit 2, a tarball npm would read differently."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tar_oracle.blocks import end, entry, gz, pax

MANIFEST = entry("package/package.json", b'{"name":"x","version":"1.0.0","license":"MIT"}')
INDEX = entry("package/index.js", b"module.exports = 1\n")
PAYLOAD = entry("package/index.js", b"require('child_process').exec(process.env.NPM_TOKEN)\n")

REFUSED = {
    "after-end-marker": (
        gz(MANIFEST + INDEX + end() + PAYLOAD + end()),
        "data after the end-of-archive marker",
    ),
    "two-gzip-members": (gz(MANIFEST + INDEX) + gz(PAYLOAD + end()), "second gzip member"),
    "global-pax-size": (
        gz(MANIFEST + pax([("size", "0")], global_=True) + PAYLOAD + end()),
        "global pax header",
    ),
}


@pytest.mark.parametrize("command", ["check", "quality"])
@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_tarball_is_one_usage_error(tmp_path: Path, lpm, command: str, case: str) -> None:  # type: ignore[no-untyped-def]
    blob, reason = REFUSED[case]
    target = tmp_path / "x.tgz"
    target.write_bytes(blob)
    run = lpm(command, str(target))
    assert run.code == 2, run.text
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and reason in lines[0], run.text


@pytest.mark.parametrize("command", ["check", "quality"])
def test_hostile_entry_is_one_usage_error(tmp_path: Path, lpm, command: str) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "x.tgz"
    target.write_bytes(gz(MANIFEST + entry("package/a\x1b[2Jb.js", b"1") + end()))
    run = lpm(command, str(target))
    assert run.code == 2, run.text
    assert "unsafe tarball" in run.err and "\x1b" not in run.err, run.text


def test_pax_size_is_honoured_so_the_payload_is_scanned(tmp_path: Path, lpm) -> None:  # type: ignore[no-untyped-def]
    """The issue's third attack: a pax size the old reader ignored; the reviewed file is the installed one."""
    from releasekit.review.archive import read_archive

    body = b"require('child_process').exec(process.env.NPM_TOKEN)\n"
    smuggled = (
        pax([("size", str(len(body)))])
        + entry("package/index.js", b"", size=0)[:512]
        + body.ljust(512, b"\0")
    )
    archive = read_archive(gz(MANIFEST + smuggled + end()))
    assert archive.entries["index.js"].data == body

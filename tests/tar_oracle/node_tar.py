"""npm's node-tar and pacote as a long-lived child process: the oracle for releasekit's tar reader."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from releasekit.errors import PackError
from releasekit.review.archive import Archive, read_archive
from releasekit.review.tarstream import FILE_TYPES, iter_entries

ORACLE = Path(__file__).with_name("oracle.js")
_FILE_NAMES = set(FILE_TYPES.values())


def npm_dir() -> Path | None:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return None
    root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, timeout=60).stdout.strip()
    found = Path(root) / "npm"
    return (
        found
        if (found / "node_modules" / "tar").is_dir() and (found / "node_modules" / "pacote").is_dir()
        else None
    )


class NodeTar:
    """Sends tarballs to one ``node oracle.js`` process and reads its answers."""

    def __init__(self, npm: Path) -> None:
        self._proc = subprocess.Popen(
            ["node", str(ORACLE), str(npm)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self._next = 0

    def ask(self, mode: str, blob: bytes) -> dict[str, Any]:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._next += 1
        self._proc.stdin.write(
            json.dumps({"id": self._next, "mode": mode, "data": base64.b64encode(blob).decode()}) + "\n"
        )
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the node-tar oracle died (exit {self._proc.wait()})")
        answer: dict[str, Any] = json.loads(line)
        assert answer["id"] == self._next
        return answer

    def close(self) -> None:
        if self._proc.stdin:
            self._proc.stdin.close()
        self._proc.wait(timeout=30)


def _valid_manifest(archive: Archive) -> bool:
    entry = archive.entries.get("package.json")
    try:
        return entry is not None and isinstance(json.loads(entry.data), dict)
    except ValueError:
        return False


@dataclass
class Verdict:
    refused: str | None  # our one-line refusal, or None when we read it
    hostile: list[str]  # finding rule ids


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def compare(node: NodeTar, blob: bytes, *, extract: bool = False) -> Verdict:
    """Our reading of ``blob`` against node-tar's; AssertionError on any disagreement that is not a refusal.

    With ``RELEASEKIT_FUZZ_DUMP=DIR`` a disagreeing tarball is also written to DIR for replay.
    """
    try:
        return _compare(node, blob, extract=extract)
    except AssertionError:
        dump = os.environ.get("RELEASEKIT_FUZZ_DUMP")
        if dump:
            Path(dump).mkdir(parents=True, exist_ok=True)
            (Path(dump) / f"{hashlib.sha1(blob).hexdigest()[:12]}.tgz").write_bytes(blob)
        raise


def _compare(node: NodeTar, blob: bytes, *, extract: bool) -> Verdict:
    try:
        ours = list(iter_entries(blob))
        archive = read_archive(blob)
    except PackError as exc:
        return Verdict(exc.message, [])
    theirs = node.ask("list", blob)
    assert theirs["error"] is None, f"we read it, node-tar fails: {theirs['error']}"
    got = [(e.path, e.type, e.mode, e.size, sha256(e.data) if e.type in _FILE_NAMES else "") for e in ours]
    want = [
        (e["path"], e["type"], e["mode"], e["size"], e["sha256"] if e["type"] in _FILE_NAMES else "")
        for e in theirs["entries"]
    ]
    assert got == want, f"node-tar lists {want}, we list {got}"
    if extract:
        installed = node.ask("extract", blob)
        if installed["error"] is not None:  # only a manifest npm cannot read, which our commands refuse too
            assert "package.json" in installed["error"] and not _valid_manifest(archive), installed["error"]
        on_disk = {f["path"]: (f["kind"], f["size"], f["sha256"]) for f in installed["files"]}
        view = {p: ("file", len(e.data), sha256(e.data)) for p, e in archive.entries.items()}
        assert view == on_disk, f"npm installs {on_disk}, we review {view}"
    return Verdict(None, [f.rule_id for f in archive.findings])

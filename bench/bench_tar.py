"""Reading tarballs: releasekit's tar reader against npm's node-tar, on real packages and on bombs.

Bombs (built here, streamed to disk):
- ``zeros``: a package whose one file is 1 GiB of zeros (about 1 MiB gzipped);
- ``million``: 1,000,000 empty entries (512 MB of tar headers).
releasekit must refuse each in one line (``lpm check X.tgz`` exits 2) in well under
5 s and 200 MiB; node-tar (``tar.t``, listing every entry, as npm's extractor
reads them) is the peer on the same files. Real packages (typescript@5.6.3,
lodash@4.17.21, packed by releasekit's packer) are read in full by both.
Figures: median wall time and the child's own peak RSS, plus ratios ours/node-tar.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.results import run_measured, save

REPEAT = 3
BLOCK = 512
ZERO_BYTES = 1 << 30
MILLION = 1_000_000
REAL = (("typescript", "5.6.3"), ("lodash", "4.17.21"))

READ = "import sys; from releasekit.review.archive import read_archive; read_archive(open(sys.argv[1], 'rb'))"
NODE_LIST = (
    "const tar = require(process.argv[1]); let n = 0;"
    "tar.t({file: process.argv[2], onReadEntry: e => { n++; e.resume() }})"
    ".then(() => process.exit(0), () => process.exit(1))"
)


def _header(name: str, size: int) -> bytes:
    block = bytearray(BLOCK)
    block[0 : len(name)] = name.encode()
    block[100:108] = b"0000644\0"
    block[108:124] = b"0000000\0" * 2
    block[124:136] = f"{size:011o}\0".encode()
    block[136:148] = b"00000000000\0"
    block[148:156] = b" " * 8
    block[156:157] = b"0"
    block[257:265] = b"ustar\x0000"
    block[148:156] = f"{sum(block):06o}\0 ".encode()
    return bytes(block)


def _write_gzip(path: Path, pieces: Any) -> None:
    deflate = zlib.compressobj(6, zlib.DEFLATED, 31)
    with path.open("wb") as out:
        for piece in pieces:
            out.write(deflate.compress(piece))
        out.write(deflate.flush())


def zeros_bomb(path: Path) -> None:
    manifest = b'{"name":"zeros","version":"1.0.0"}'
    chunk = bytes(16 << 20)

    def pieces() -> Any:
        yield _header("package/package.json", len(manifest)) + manifest.ljust(BLOCK, b"\0")
        yield _header("package/zeros.bin", ZERO_BYTES)
        for _ in range(ZERO_BYTES // len(chunk)):
            yield chunk
        yield bytes(2 * BLOCK)

    _write_gzip(path, pieces())


def million_bomb(path: Path) -> None:
    def pieces() -> Any:
        batch = []
        for i in range(MILLION):
            batch.append(_header(f"package/f{i:07d}.js", 0))
            if len(batch) == 10_000:
                yield b"".join(batch)
                batch = []
        yield b"".join(batch) + bytes(2 * BLOCK)

    _write_gzip(path, pieces())


def measure(argv: Sequence[str], ok_codes: tuple[int, ...]) -> dict[str, float]:
    runs = [run_measured(argv, ok_codes=ok_codes) for _ in range(REPEAT)]
    return {"seconds": statistics.median(t for t, _ in runs), "peak_mib": max(m for _, m in runs)}


def build(work: Path) -> None:
    """Write the bombs and the real packages' tarballs into ``work`` (run in a child: see main)."""
    from releasekit.package.pack import pack_project
    from releasekit.testing.npm_fixtures import fetch_package

    zeros_bomb(work / "zeros-1GiB.tgz")
    million_bomb(work / "million-empty-entries.tgz")
    for name, version in REAL:
        (work / f"{name}@{version}.tgz").write_bytes(pack_project(fetch_package(name, version)).tarball)


def main() -> dict[str, Any]:
    lpm = shutil.which("lpm")
    lpm_argv = [lpm] if lpm else [sys.executable, "-m", "releasekit"]
    npm_root = subprocess.run(
        ["npm", "root", "-g"], capture_output=True, text=True, check=True
    ).stdout.strip()
    node_tar = str(Path(npm_root) / "npm" / "node_modules" / "tar")
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="rk-bench-tar-") as tmp:
        work = Path(tmp)
        # built in a child: on Linux a command's peak RSS starts at its parent's, so this process stays small
        subprocess.run([sys.executable, "-m", "bench.bench_tar", "--build", str(work)], check=True)
        files = {
            "zeros-1GiB": (work / "zeros-1GiB.tgz", True),
            "million-empty-entries": (work / "million-empty-entries.tgz", True),
        }
        files.update({f"{n}@{v}": (work / f"{n}@{v}.tgz", False) for n, v in REAL})
        floor = measure([sys.executable, "-c", "pass"], ok_codes=(0,))
        print(f"floor (an empty python): {floor['seconds']:.2f}s {floor['peak_mib']:.0f} MiB")
        results["floor"] = floor
        for label, (path, bomb) in files.items():
            ours_read = measure([sys.executable, "-c", READ, str(path)], ok_codes=(1,) if bomb else (0,))
            ours_check = measure([*lpm_argv, "check", str(path)], ok_codes=(2,)) if bomb else None
            theirs = measure(["node", "-e", NODE_LIST, node_tar, str(path)], ok_codes=(0, 1))
            entry: dict[str, Any] = {
                "compressed_bytes": path.stat().st_size,
                "releasekit_reader": ours_read,
                "node_tar_list": theirs,
                "time_ratio": ours_read["seconds"] / theirs["seconds"],
                "memory_ratio": ours_read["peak_mib"] / theirs["peak_mib"],
            }
            if ours_check:
                entry["lpm_check"] = ours_check
            results[label] = entry
            check = (
                f" | lpm check (exit 2) {ours_check['seconds']:.2f}s {ours_check['peak_mib']:.0f} MiB"
                if ours_check
                else ""
            )
            print(
                f"{label}: {entry['compressed_bytes'] / 1e6:.1f} MB | reader {ours_read['seconds']:.2f}s "
                f"{ours_read['peak_mib']:.0f} MiB{check} | node-tar {theirs['seconds']:.2f}s {theirs['peak_mib']:.0f} MiB"
                f" | time ratio {entry['time_ratio']:.2f}, memory ratio {entry['memory_ratio']:.2f}"
            )
    path = save("tar", results)
    print(f"saved {path}")
    return results


if __name__ == "__main__":
    if sys.argv[1:2] == ["--build"]:
        build(Path(sys.argv[2]))
    else:
        main()

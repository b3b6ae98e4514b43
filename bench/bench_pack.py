"""Packing speed and memory: ``lpm pack --dry-run`` against ``npm pack --dry-run``.

Both pack the same unpacked real packages (typescript@5.6.3, ~22 MB, and
lodash@4.17.21, 1,054 files) in the same run; both build and hash the full
gzipped tarball (npm's dry run does too, it only skips writing it). Each
command runs ``REPEAT`` times; the figures are median wall time and the peak
RSS of that very child process (``os.wait4``), and the ratios ours/npm. A
ratio below 1 means releasekit is faster or smaller.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.results import run_measured, save
from releasekit.testing.npm_fixtures import fetch_package, npm_binary, npm_env

TARGETS = (("typescript", "5.6.3"), ("lodash", "4.17.21"))
REPEAT = 5


def measure(
    argv: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> dict[str, float]:
    run_measured(argv, env=env, cwd=cwd)  # warm the page cache and any on-disk caches
    runs = [run_measured(argv, env=env, cwd=cwd) for _ in range(REPEAT)]
    return {"seconds": statistics.median(t for t, _ in runs), "peak_mib": max(m for _, m in runs)}


def main() -> dict[str, Any]:
    lpm = shutil.which("lpm")
    lpm_argv = [lpm] if lpm else [sys.executable, "-m", "releasekit"]
    npm = npm_binary()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="rk-bench-pack-") as tmp:
        work = Path(tmp)
        env = npm_env(work / "npm")
        for name, version in TARGETS:
            project = fetch_package(name, version)
            ours = measure([*lpm_argv, "--json", "pack", "--dry-run", str(project)], cwd=work)
            theirs = measure(
                [npm, "pack", "--dry-run", "--json", "--ignore-scripts", str(project)], env=env, cwd=work
            )
            from releasekit.package.pack import pack_project

            start = time.perf_counter()
            packed = pack_project(project)
            in_process = time.perf_counter() - start
            entry = {
                "files": len(packed.files),
                "unpacked_bytes": packed.unpacked_size,
                "releasekit": ours,
                "npm": theirs,
                "releasekit_in_process_seconds": in_process,
                "time_ratio": ours["seconds"] / theirs["seconds"],
                "memory_ratio": ours["peak_mib"] / theirs["peak_mib"],
            }
            results[f"{name}@{version}"] = entry
            print(
                f"{name}@{version}: {entry['files']} files, {entry['unpacked_bytes'] / 1e6:.1f} MB | "
                f"lpm {ours['seconds']:.3f}s {ours['peak_mib']:.0f} MiB | npm {theirs['seconds']:.3f}s "
                f"{theirs['peak_mib']:.0f} MiB | time ratio {entry['time_ratio']:.2f}, memory ratio "
                f"{entry['memory_ratio']:.2f} (in-process pack {in_process:.3f}s)"
            )
    path = save("pack", results)
    print(f"saved {path}")
    return results


if __name__ == "__main__":
    main()

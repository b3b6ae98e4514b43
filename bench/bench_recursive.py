"""Staging a workspace: ``lpm stage publish -r --dry-run`` against ``npm pack --workspaces --dry-run``.

The input is a generated npm workspace of ``PACKAGES`` packages (each a copy of
docs/example-package, so every policy has something to read: README, LICENSE,
types, tests), chained by ``workspace:^`` dependencies. Both commands pack
every package in the same run; lpm also runs every policy (secret scan,
quality score, version rules) on each. Figures: median wall time over
``REPEAT`` runs and peak RSS; the ratio ours/npm (target: at most 1.0).
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.results import run_measured, save
from releasekit.testing.npm_fixtures import npm_binary, npm_env

PACKAGES = 50
REPEAT = 3
EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "example-package"


def generate_workspace(root: Path, count: int = PACKAGES) -> Path:
    """An npm workspace of ``count`` packages; package i depends on i-1 and i-7 with ``workspace:^``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "package.json").write_text(
        json.dumps({"name": "bench-root", "version": "0.0.0", "private": True, "workspaces": ["packages/*"]})
    )
    for i in range(count):
        pkg = root / "packages" / f"p{i:03d}"
        shutil.copytree(EXAMPLE, pkg)
        manifest = json.loads((pkg / "package.json").read_text())
        deps = {f"@bench/p{j:03d}": "workspace:^" for j in (i - 1, i - 7) if j >= 0}
        manifest.update(name=f"@bench/p{i:03d}", version="1.0.0", dependencies=deps)
        (pkg / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
        for extra in range(20):  # some bulk for the packers and the secret scan
            (pkg / "lib" / f"mod{extra}.js").write_text(
                f"// module {extra}\nexport const value{extra} = {extra};\n" + "export const pad = 1;\n" * 40
            )
    return root


def measure(argv: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> dict[str, float]:
    run_measured(argv, env=env, cwd=cwd)  # warm the page cache
    runs = [run_measured(argv, env=env, cwd=cwd) for _ in range(REPEAT)]
    return {"seconds": statistics.median(t for t, _ in runs), "peak_mib": max(m for _, m in runs)}


def main() -> dict[str, Any]:
    lpm = shutil.which("lpm")
    lpm_argv = [lpm] if lpm else [sys.executable, "-m", "releasekit"]
    npm = npm_binary()
    with tempfile.TemporaryDirectory(prefix="rk-bench-recursive-") as tmp:
        work = Path(tmp)
        root = generate_workspace(work / "ws")
        env = npm_env(work / "npm")
        ours = measure([*lpm_argv, "--json", "stage", "publish", "-r", "--dry-run"], cwd=root)
        theirs = measure([npm, "pack", "--workspaces", "--dry-run", "--json", "--ignore-scripts"], env=env, cwd=root)
    results = {
        "packages": PACKAGES,
        "releasekit": ours,
        "npm": theirs,
        "time_ratio": ours["seconds"] / theirs["seconds"],
        "memory_ratio": ours["peak_mib"] / theirs["peak_mib"],
    }
    print(
        f"{PACKAGES}-package workspace | lpm stage publish -r --dry-run {ours['seconds']:.2f}s "
        f"{ours['peak_mib']:.0f} MiB | npm pack --workspaces --dry-run {theirs['seconds']:.2f}s "
        f"{theirs['peak_mib']:.0f} MiB | time ratio {results['time_ratio']:.2f} (target <= 1.0), "
        f"memory ratio {results['memory_ratio']:.2f}"
    )
    path = save("recursive", results)
    print(f"saved {path}")
    return results


if __name__ == "__main__":
    main()

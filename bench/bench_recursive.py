"""Staging a workspace: ``lpm stage publish -r --dry-run`` against ``npm pack --workspaces --dry-run``.

The input is a generated npm workspace of ``PACKAGES`` packages (each a copy of
docs/example-package, so every policy has something to read: README, LICENSE,
types, tests), chained by ``workspace:^`` dependencies. Both commands pack
every package in the same run; lpm also runs every policy (secret scan,
quality score, version rules) on each. Figures: median wall time over
``REPEAT`` alternated runs, CPU time and peak RSS; the ratio ours/npm (target: at most 1.0).
"""

from __future__ import annotations

import json
import resource
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
REPEAT = 5
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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _one(argv: Sequence[str], env: dict[str, str] | None, cwd: Path) -> tuple[float, float, float]:
    before = _children_cpu()
    seconds, peak = run_measured(argv, env=env, cwd=cwd)
    return seconds, _children_cpu() - before, peak


def measure_pair(
    ours: Sequence[str], theirs: Sequence[str], *, env: dict[str, str], cwd: Path
) -> tuple[dict[str, float], dict[str, float]]:
    """Both commands, alternated ``REPEAT`` times after a warm-up run each, so a change in the
    machine's load hits both alike. Per command: median wall time, median CPU time (user + sys of it
    and every process it forked) and peak RSS of the main process (``wait4``; forked workers share
    its pages copy-on-write)."""
    _one(ours, None, cwd)
    _one(theirs, env, cwd)
    runs: dict[str, list[tuple[float, float, float]]] = {"ours": [], "theirs": []}
    for _ in range(REPEAT):
        runs["ours"].append(_one(ours, None, cwd))
        runs["theirs"].append(_one(theirs, env, cwd))

    def summary(rows: list[tuple[float, float, float]]) -> dict[str, float]:
        return {
            "seconds": statistics.median(r[0] for r in rows),
            "cpu_seconds": statistics.median(r[1] for r in rows),
            "peak_mib": max(r[2] for r in rows),
        }

    return summary(runs["ours"]), summary(runs["theirs"])


def main() -> dict[str, Any]:
    lpm = shutil.which("lpm")
    lpm_argv = [lpm] if lpm else [sys.executable, "-m", "releasekit"]
    npm = npm_binary()
    with tempfile.TemporaryDirectory(prefix="rk-bench-recursive-") as tmp:
        work = Path(tmp)
        root = generate_workspace(work / "ws")
        env = npm_env(work / "npm")
        ours, theirs = measure_pair(
            [*lpm_argv, "--json", "stage", "publish", "-r", "--dry-run"],
            [npm, "pack", "--workspaces", "--dry-run", "--json", "--ignore-scripts"],
            env=env,
            cwd=root,
        )
    results = {
        "packages": PACKAGES,
        "releasekit": ours,
        "npm": theirs,
        "time_ratio": ours["seconds"] / theirs["seconds"],
        "cpu_ratio": ours["cpu_seconds"] / theirs["cpu_seconds"],
        "memory_ratio": ours["peak_mib"] / theirs["peak_mib"],
    }
    print(
        f"{PACKAGES}-package workspace | lpm stage publish -r --dry-run {ours['seconds']:.2f}s "
        f"{ours['peak_mib']:.0f} MiB | npm pack --workspaces --dry-run {theirs['seconds']:.2f}s "
        f"{theirs['peak_mib']:.0f} MiB | time ratio {results['time_ratio']:.2f} (target <= 1.0), "
        f"CPU ratio {results['cpu_ratio']:.2f} ({ours['cpu_seconds']:.2f}s vs {theirs['cpu_seconds']:.2f}s), "
        f"memory ratio {results['memory_ratio']:.2f}"
    )
    path = save("recursive", results)
    print(f"saved {path}")
    return results


if __name__ == "__main__":
    main()

"""``lpm stage verify`` of a typescript@5.6.3-sized staged version against ``npm pack --dry-run``.

typescript@5.6.3 (unpacked, ~22 MB) is renamed, staged once on a local Verdaccio
with ``npm stage publish``, then, in the same run: ``lpm stage verify <id>
--source <dir>`` (download the staged tarball, read it, pack the source,
compare every entry, look for provenance) and ``npm pack --dry-run`` of the
same folder. Median wall time of ``REPEAT`` runs after a warm-up, peak RSS of
each child, and the ratio ours/npm; the target is a time ratio of 1.5 or less.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.results import run_measured, save
from releasekit.testing.npm_fixtures import fetch_package, npm_binary

TARGET = ("typescript", "5.6.3")
REPEAT = 5


def measure(argv: Sequence[str], env: dict[str, str], cwd: Path) -> dict[str, float]:
    run_measured(argv, env=env, cwd=cwd)  # warm-up
    runs = [run_measured(argv, env=env, cwd=cwd) for _ in range(REPEAT)]
    return {"seconds": statistics.median(t for t, _ in runs), "peak_mib": max(m for _, m in runs)}


def main() -> dict[str, Any]:
    from releasekit.testing.verdaccio import Verdaccio

    npm = npm_binary()
    lpm = [sys.executable, "-m", "releasekit"]
    name, version = TARGET
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="rk-bench-verify-") as tmp:
        work = Path(tmp)
        project = work / "project"
        shutil.copytree(fetch_package(name, version), project)
        manifest = json.loads((project / "package.json").read_text())
        manifest["name"] = "rk-bench-verify"
        manifest.pop("scripts", None)  # the published package's scripts are the repository's
        (project / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
        with Verdaccio(work / "verdaccio", log_level="warn") as registry:
            token = registry.add_user("bench", "bench-password")
            staged = registry.npm("stage", "publish", "--json", token=token, cwd=project)
            doc = json.loads(staged.stdout[staged.stdout.index("{") :])
            stage_id = str(
                doc.get("stageId") or next(v["stageId"] for v in doc.values() if isinstance(v, dict))
            )
            home = work / "home"
            home.mkdir()
            base = {k: v for k, v in os.environ.items() if not k.lower().startswith("npm_")}
            base.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
            lpm_env = {**base, "NPM_TOKEN": token}
            npm_env = {
                **base,
                "npm_config_cache": str(work / "npm-cache"),
                "npm_config_update_notifier": "false",
            }
            ours = measure(
                [
                    *lpm,
                    "stage",
                    "verify",
                    stage_id,
                    "--json",
                    "--source",
                    str(project),
                    "--npm-registry",
                    registry.url,
                ],
                lpm_env,
                work,
            )
            theirs = measure(
                [npm, "pack", "--dry-run", "--json", "--ignore-scripts", str(project)], npm_env, work
            )
    entry = {
        "releasekit_verify": ours,
        "npm_pack_dry_run": theirs,
        "time_ratio": round(ours["seconds"] / theirs["seconds"], 3),
        "memory_ratio": round(ours["peak_mib"] / theirs["peak_mib"], 3),
        "target_time_ratio": 1.5,
    }
    results[f"{name}@{version}"] = entry
    print(
        f"{name}@{version}: lpm stage verify {ours['seconds']:.3f}s {ours['peak_mib']:.0f} MiB | npm pack --dry-run "
        f"{theirs['seconds']:.3f}s {theirs['peak_mib']:.0f} MiB | time ratio {entry['time_ratio']:.2f} "
        f"(target <= 1.5), memory ratio {entry['memory_ratio']:.2f}"
    )
    print(f"saved {save('verify', results)}")
    return results


if __name__ == "__main__":
    main()

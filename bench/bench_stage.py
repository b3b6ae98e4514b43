"""``lpm stage`` against ``npm stage`` (npm 11.19) on the same local Verdaccio, in the same run.

Measured per command: median wall time over ``REPEAT`` runs (after one warm-up)
and the ratio ours/npm (below 1: releasekit is faster).

* ``list``: ``stage list --json`` with ``STAGED`` staged versions (one page of 100 for both);
* ``view``: ``stage view <id> --json``;
* ``download``: ``stage download <id>`` into a fresh directory;
* ``publish``: staging a new version of the example package. ``lpm`` also packs
  with its own packer and runs every built-in policy (secret scan, quality score,
  version rules against the registry) before uploading; npm runs none.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from bench.results import save

REPEAT = 5
STAGED = 40
EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "example-package"


def _timed(argv: Sequence[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(list(argv), env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:4])} failed ({proc.returncode}): {proc.stderr[-500:]}")
    return elapsed


def _median(run: Callable[[int], float]) -> float:
    run(-1)  # warm caches (page cache, npm's cache, Python bytecode)
    return statistics.median(run(i) for i in range(REPEAT))


def _set_version(project: Path, version: str) -> None:
    manifest = json.loads((project / "package.json").read_text())
    manifest["version"] = version
    (project / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")


def main() -> dict[str, Any]:
    from releasekit.package.pack import pack_project
    from releasekit.stage.packument import publish_body
    from releasekit.testing.verdaccio import Verdaccio

    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm CLI not on PATH")
    lpm = [sys.executable, "-m", "releasekit"]
    results: dict[str, Any] = {"repeat": REPEAT, "staged": STAGED}
    with tempfile.TemporaryDirectory(prefix="rk-bench-stage-") as tmp:
        work = Path(tmp)
        with Verdaccio(work / "verdaccio", log_level="warn") as registry:
            token = registry.add_user("bench", "bench-password")
            project = work / "project"
            shutil.copytree(EXAMPLE, project)
            manifest = json.loads((project / "package.json").read_text())
            manifest["name"] = name = "rk-bench-stage"
            (project / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
            registry.publish(project, token)

            # Fill the stage list straight over HTTP (fast, and the same for both tools).
            headers = {"authorization": f"Bearer {token}"}
            for n in range(STAGED):
                _set_version(project, f"2.0.{n}")
                body = publish_body(pack_project(project), tag=f"t{n}", access=None, registry=registry.url)
                httpx.post(
                    f"{registry.url}-/stage/package/{name}", json=body, headers=headers, timeout=60
                ).raise_for_status()
            stage_id = httpx.get(
                f"{registry.url}-/stage", params={"page": 0, "perPage": 1}, headers=headers
            ).json()["items"][0]["id"]

            home = work / "home"
            home.mkdir()
            base = {k: v for k, v in os.environ.items() if not k.lower().startswith("npm_")}
            base.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), COLUMNS="200")
            lpm_env = {**base, "NPM_TOKEN": token}
            npm_env = {
                **base,
                "npm_config_userconfig": str(registry.npmrc(token, work / "npmrc")),
                "npm_config_registry": registry.url,
                "npm_config_cache": str(work / "npm-cache"),
                "npm_config_update_notifier": "false",
            }
            reg = ["--npm-registry", registry.url]

            def pair(label: str, ours: Callable[[int], float], theirs: Callable[[int], float]) -> None:
                lpm_s, npm_s = _median(ours), _median(theirs)
                results[label] = {
                    "lpm_seconds": round(lpm_s, 4),
                    "npm_seconds": round(npm_s, 4),
                    "ratio": round(lpm_s / npm_s, 3),
                }
                print(f"{label:9} lpm {lpm_s:7.3f}s  npm {npm_s:7.3f}s  ratio {lpm_s / npm_s:5.2f}")

            pair(
                "list",
                lambda i: _timed([*lpm, "stage", "list", "--json", *reg], lpm_env, work),
                lambda i: _timed([npm, "stage", "list", "--json"], npm_env, work),
            )
            pair(
                "view",
                lambda i: _timed([*lpm, "stage", "view", stage_id, "--json", *reg], lpm_env, work),
                lambda i: _timed([npm, "stage", "view", stage_id, "--json"], npm_env, work),
            )

            def fresh(tool: str, i: int) -> Path:
                where = work / f"dl-{tool}-{i + 1}"
                where.mkdir()
                return where

            pair(
                "download",
                lambda i: _timed([*lpm, "stage", "download", stage_id, *reg], lpm_env, fresh("lpm", i)),
                lambda i: _timed([npm, "stage", "download", stage_id], npm_env, fresh("npm", i)),
            )

            def stage_with(tool: str, argv: list[str], env: dict[str, str]) -> Callable[[int], float]:
                def run(i: int) -> float:
                    _set_version(project, f"3.{0 if tool == 'lpm' else 1}.{i + 1}")
                    return _timed([*argv, "--tag", f"{tool}{i + 1}"], env, project)

                return run

            pair(
                "publish",
                stage_with("lpm", [*lpm, "stage", "publish", "-y", *reg], lpm_env),
                stage_with("npm", [npm, "stage", "publish"], npm_env),
            )
    save("stage", results)
    return results


if __name__ == "__main__":
    main()

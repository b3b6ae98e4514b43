"""Peak memory of downloading a large staged tarball: ``lpm stage download`` vs ``npm stage download``.

One package of ``FILES`` random (incompressible) files of ``FILE_MIB`` MiB is
staged on the local Verdaccio; both tools download it into a fresh folder in
the same run. Reported per tool: wall time and peak RSS (``wait4`` rusage of
that process), and the ratios lpm/npm. The body is streamed to disk, so what
lpm holds is the listing's largest file and the interpreter, not the tarball.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bench.results import run_measured, save

FILES = 96
FILE_MIB = 1
NAME = "rk-bench-download"


def stage_large_package(registry_url: str, token: str, work: Path) -> str:
    """Pack and stage the large package; answers its stage id. Runs in its own process (see ``main``)."""
    from releasekit.package.pack import pack_project
    from releasekit.stage.packument import publish_body

    project = work / "project"
    (project / "data").mkdir(parents=True)
    (project / "package.json").write_text(json.dumps({"name": NAME, "version": "1.0.0"}) + "\n")
    for n in range(FILES):
        (project / "data" / f"blob{n:03}.bin").write_bytes(os.urandom(FILE_MIB << 20))
    package = pack_project(project)
    body = publish_body(package, tag="latest", access=None, registry=registry_url)
    answer = httpx.post(
        f"{registry_url}-/stage/package/{NAME}",
        json=body,
        headers={"authorization": f"Bearer {token}"},
        timeout=600,
    )
    answer.raise_for_status()
    return str(answer.json()["stageId"])


def main() -> dict[str, Any]:
    from releasekit.testing.verdaccio import Verdaccio

    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm CLI not on PATH")
    results: dict[str, Any] = {"files": FILES, "file_mib": FILE_MIB}
    with tempfile.TemporaryDirectory(prefix="rk-bench-download-") as tmp:
        work = Path(tmp)
        with Verdaccio(work / "verdaccio", log_level="warn") as registry:
            token = registry.add_user("bench", "bench-password")
            # Linux starts a child's peak RSS at its parent's size when it forks: the packing and the
            # upload run in their own process so this one stays small for the measured children.
            staged = subprocess.run(
                [sys.executable, "-m", "bench.bench_download", registry.url, token, str(work)],
                capture_output=True,
                text=True,
                check=True,
                timeout=900,
            )
            stage_id = staged.stdout.strip()
            results["bench_process_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

            home = work / "home"
            home.mkdir()
            base = {k: v for k, v in os.environ.items() if not k.lower().startswith("npm_")}
            base.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
            lpm_env = {**base, "NPM_TOKEN": token}
            npm_env = {
                **base,
                "npm_config_userconfig": str(registry.npmrc(token, work / "npmrc")),
                "npm_config_registry": registry.url,
                "npm_config_cache": str(work / "npm-cache"),
                "npm_config_update_notifier": "false",
            }
            runs = {
                "lpm": (
                    [
                        sys.executable,
                        "-m",
                        "releasekit",
                        "stage",
                        "download",
                        stage_id,
                        "--npm-registry",
                        registry.url,
                    ],
                    lpm_env,
                ),
                "npm": ([npm, "stage", "download", stage_id], npm_env),
            }
            for tool, (argv, env) in runs.items():
                where = work / f"dl-{tool}"
                where.mkdir()
                seconds, peak = run_measured(argv, cwd=where, env=env)
                (saved,) = where.iterdir()
                results.setdefault("tarball_bytes", saved.stat().st_size)
                if saved.stat().st_size != results["tarball_bytes"]:
                    raise RuntimeError(
                        f"{tool} saved {saved.stat().st_size} bytes, not what the other tool saved"
                    )
                results[tool] = {"seconds": round(seconds, 3), "peak_mib": round(peak, 1)}
    results["ratio_time"] = round(results["lpm"]["seconds"] / results["npm"]["seconds"], 3)
    results["ratio_peak"] = round(results["lpm"]["peak_mib"] / results["npm"]["peak_mib"], 3)
    mib = results["tarball_bytes"] / (1 << 20)
    print(
        f"download of a {mib:.0f} MiB staged tarball: lpm {results['lpm']['seconds']:.2f}s "
        f"{results['lpm']['peak_mib']:.0f} MiB, npm {results['npm']['seconds']:.2f}s "
        f"{results['npm']['peak_mib']:.0f} MiB; ratio time {results['ratio_time']:.2f}, peak {results['ratio_peak']:.2f}"
    )
    save("download", results)
    return results


if __name__ == "__main__":
    if len(sys.argv) == 4:  # the staging helper process
        print(stage_large_package(sys.argv[1], sys.argv[2], Path(sys.argv[3])))
    else:
        main()

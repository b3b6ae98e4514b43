"""The main job against its peer: ``lpm stage publish --dry-run`` against ``npm pack --dry-run``.

``lpm`` packs, gzips, scans for secrets and runs every built-in policy (quality score,
and the version rules, asking a local Verdaccio); npm only packs and gzips. Both run on the same unpacked real packages (typescript@5.6.3,
lodash@4.17.21) in the same run, their runs taken in turn; figures are the median wall
time of ``REPEAT`` runs and the peak RSS of that very child (``wait4``), and the ratios ours/npm.

Also measured: ``lpm check -k secret`` on lodash as a whole process (packing
included) against ``detect-secrets scan --all-files`` on the same folder, with the
findings of detect-secrets' own plugins compared (releasekit's own detectors and
file-name rules are counted apart).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.results import save, time_alternating
from releasekit.testing.npm_fixtures import fetch_package, npm_binary, npm_env

TARGETS = (("typescript", "5.6.3"), ("lodash", "4.17.21"))
REPEAT = 5
ROOT = Path(__file__).resolve().parents[1]


def _lpm() -> list[str]:
    lpm = shutil.which("lpm")
    return [lpm] if lpm else [sys.executable, "-m", "releasekit"]


def _check_findings(project: Path, env: dict[str, str]) -> set[tuple[str, int | None, str]]:
    run = subprocess.run(
        [*_lpm(), "--json", "check", "-k", "secret", str(project)], env=env, capture_output=True, text=True
    )
    document = json.loads(run.stdout)
    results = document.get("data", document)["results"]
    return {(f["file"], f["line"], f["rule_id"]) for r in results for f in r["findings"] if f.get("file")}


def _detect_secrets_findings(project: Path) -> set[tuple[str, int | None, str]]:
    out = subprocess.run(
        ["detect-secrets", "scan", "--all-files", "."], cwd=project, capture_output=True, text=True
    ).stdout
    return {
        (name, item.get("line_number"), item["type"])
        for name, items in json.loads(out)["results"].items()
        for item in items
    }


def main() -> dict[str, Any]:
    from releasekit.scan.engine import plugin_classes
    from releasekit.testing.verdaccio import Verdaccio

    npm = npm_binary()
    lpm = _lpm()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="rk-bench-publish-") as tmp:
        work = Path(tmp)
        env = npm_env(work / "npm")
        base = {k: v for k, v in os.environ.items() if not k.lower().startswith("npm_") and k != "CI"}
        base.update(HOME=str(work / "home"), COLUMNS="200")
        # An installed lpm runs from cached bytecode (pip compiles it); a shell that forbids
        # writing it would make every run recompile ~70 modules, which no user pays.
        base.pop("PYTHONDONTWRITEBYTECODE", None)
        with Verdaccio(work / "verdaccio", log_level="warn") as registry:
            for name, version in TARGETS:
                project = fetch_package(name, version)
                ours, theirs = time_alternating(
                    [
                        (
                            [*lpm, "--json", "stage", "publish", "--dry-run", "--npm-registry", registry.url],
                            project,
                            base,
                        ),
                        ([npm, "pack", "--dry-run", "--json", "--ignore-scripts"], project, env),
                    ],
                    repeat=REPEAT,
                )
                entry = {
                    "lpm_stage_publish_dry_run": ours,
                    "npm_pack_dry_run": theirs,
                    "time_ratio": ours["seconds"] / theirs["seconds"],
                    "memory_ratio": ours["peak_mib"] / theirs["peak_mib"],
                }
                results[f"publish {name}@{version}"] = entry
                print(
                    f"publish {name}@{version}: lpm stage publish --dry-run {ours['seconds']:.2f}s {ours['peak_mib']:.0f} MiB"
                    f" | npm pack --dry-run {theirs['seconds']:.2f}s {theirs['peak_mib']:.0f} MiB"
                    f" | time ratio {entry['time_ratio']:.2f}, memory ratio {entry['memory_ratio']:.2f}"
                )

        lodash = fetch_package("lodash", "4.17.21")
        if shutil.which("detect-secrets") is None:
            raise SystemExit("bench publish: the detect-secrets CLI is not on PATH")
        ours, theirs = time_alternating(
            [
                ([*lpm, "--json", "check", "-k", "secret", str(lodash)], work, base),
                (["detect-secrets", "scan", "--all-files", "."], lodash, None),
            ],
            repeat=REPEAT,
        )
        detect_secrets_types = {cls.secret_type for cls in plugin_classes().values()}
        our_findings = _check_findings(lodash, base)
        their_findings = _detect_secrets_findings(lodash)
        ours_same_plugins = {f for f in our_findings if f[2] in detect_secrets_types}
        entry = {
            "lpm_check_secret": ours,
            "detect_secrets_cli": theirs,
            "time_ratio": ours["seconds"] / theirs["seconds"],
            "findings": len(ours_same_plugins),
            "findings_equal": ours_same_plugins == their_findings,
            "releasekit_only_rules": len(our_findings - ours_same_plugins),
        }
        results["check -k secret lodash@4.17.21"] = entry
        print(
            f"check -k secret lodash: lpm {ours['seconds']:.2f}s | detect-secrets {theirs['seconds']:.2f}s"
            f" | time ratio {entry['time_ratio']:.3f} | findings {len(ours_same_plugins)} vs {len(their_findings)}:"
            f" {'equal' if entry['findings_equal'] else 'DIFFERENT'}"
        )
    path = save("publish", results)
    print(f"saved {path}")
    if not entry["findings_equal"]:
        raise SystemExit("bench publish: findings differ from detect-secrets")
    return results


if __name__ == "__main__":
    main()

"""Secret-scan speed and parity: releasekit's scan against ``detect-secrets scan --all-files``.

Both scan the same unpacked real packages (typescript@5.6.3, ~22 MB; lodash@4.17.21,
1,054 files) in the same run, with the same plugins (detect-secrets' default set;
releasekit's extra detectors and file-name rules off for the comparison). Each side is
a whole child process, imports included: ours reads the files and scans them in
memory, as the policy does with a packed tarball. The findings are compared as sets
of (file, line, type); any difference is printed and fails the benchmark.

Figures: median wall time of ``REPEAT`` runs of ours, one run of detect-secrets on
typescript (it takes a minute or more), peak RSS, the ratio ours/theirs, and the
in-process scan time of the engine alone.
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
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.results import save
from releasekit.testing.npm_fixtures import fetch_package

TARGETS = (("typescript", "5.6.3"), ("lodash", "4.17.21"))
REPEAT = 3
ROOT = Path(__file__).resolve().parents[1]

Findings = set[tuple[str, int | None, str]]


def read_tree(root: Path) -> list[tuple[str, bytes]]:
    files = []
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = Path(dirpath) / name
            files.append((path.relative_to(root).as_posix(), path.read_bytes()))
    return files


def child(root: str) -> None:
    """Entry of the measured child process: scan ``root``, print findings as JSON."""
    from releasekit.scan import ScanSettings, scan_files

    plan = replace(ScanSettings.default().plan, extra_patterns=False, filenames=False)
    findings = scan_files(read_tree(Path(root)), plan)
    json.dump([[f.file, f.line, f.type] for f in findings], sys.stdout)


def run_measured(
    argv: Sequence[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) of that very child, and its stdout."""
    with tempfile.TemporaryFile(mode="w+") as out, tempfile.TemporaryFile(mode="w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), cwd=cwd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed ({proc.returncode}): {err.read()[-500:]}")
        return elapsed, usage.ru_maxrss / 1024, out.read()


def _measure(
    argv: Sequence[str], cwd: Path, repeat: int, env: dict[str, str] | None = None
) -> tuple[dict[str, float], str]:
    runs = [run_measured(argv, cwd, env) for _ in range(repeat)]
    return {"seconds": statistics.median(r[0] for r in runs), "peak_mib": max(r[1] for r in runs)}, runs[-1][
        2
    ]


def detect_secrets_findings(out: str) -> Findings:
    results = json.loads(out)["results"]
    return {
        (name, item.get("line_number"), item["type"]) for name, items in results.items() for item in items
    }


def main() -> dict[str, Any]:
    cli = shutil.which("detect-secrets")
    if cli is None:
        raise SystemExit("bench scan: the detect-secrets CLI is not on PATH")
    from releasekit.scan import ScanSettings, scan_files

    results: dict[str, Any] = {}
    failed = False
    for name, version in TARGETS:
        root = fetch_package(name, version)
        files = read_tree(root)
        ours_argv = [sys.executable, "-c", f"from bench.bench_scan import child; child({str(root)!r})"]
        ours, ours_out = _measure(ours_argv, ROOT, REPEAT)
        # the same scan with Hyperscan switched off: what its one-pass prefilter is worth
        regex_path, regex_out = _measure(
            ours_argv, ROOT, REPEAT, env={**os.environ, "RELEASEKIT_HYPERSCAN": "0"}
        )
        theirs_repeat = 1 if name == "typescript" else REPEAT
        theirs, theirs_out = _measure([cli, "scan", "--all-files", "."], root, theirs_repeat)
        our_findings: Findings = {(f, ln, t) for f, ln, t in json.loads(ours_out)}
        their_findings = detect_secrets_findings(theirs_out)
        plan = replace(ScanSettings.default().plan, extra_patterns=False, filenames=False)
        start = time.perf_counter()
        scan_files(files, plan)
        in_process = time.perf_counter() - start
        start = time.perf_counter()
        full = scan_files(files, ScanSettings.default().plan)
        in_process_full = time.perf_counter() - start
        equal = our_findings == their_findings and regex_out == ours_out
        failed |= not equal
        entry = {
            "files": len(files),
            "bytes": sum(len(d) for _, d in files),
            "releasekit": ours,
            "releasekit_regex_path": regex_path,
            "detect_secrets": theirs,
            "detect_secrets_runs": theirs_repeat,
            "time_ratio": ours["seconds"] / theirs["seconds"],
            "speedup": theirs["seconds"] / ours["seconds"],
            "in_process_scan_seconds": in_process,
            "in_process_full_scan_seconds": in_process_full,
            "findings": len(our_findings),
            "findings_equal": equal,
            "only_releasekit": sorted(map(list, our_findings - their_findings)),  # type: ignore[arg-type]
            "only_detect_secrets": sorted(map(list, their_findings - our_findings)),  # type: ignore[arg-type]
            "findings_with_extras_and_filenames": len(full),
            "cpus": len(os.sched_getaffinity(0)),
        }
        results[f"{name}@{version}"] = entry
        print(
            f"{name}@{version}: {entry['files']} files, {entry['bytes'] / 1e6:.1f} MB | releasekit "
            f"{ours['seconds']:.2f}s {ours['peak_mib']:.0f} MiB (scan alone {in_process:.2f}s; "
            f"regex path {regex_path['seconds']:.2f}s) | detect-secrets "
            f"{theirs['seconds']:.2f}s {theirs['peak_mib']:.0f} MiB | {entry['speedup']:.1f}x faster | "
            f"findings {len(our_findings)} vs {len(their_findings)}: {'equal' if equal else 'DIFFERENT'}"
        )
        if not equal:
            print(f"  only releasekit: {entry['only_releasekit'][:10]}")
            print(f"  only detect-secrets: {entry['only_detect_secrets'][:10]}")
    path = save("scan", results)
    print(f"saved {path}")
    if failed:
        raise SystemExit("bench scan: findings differ from detect-secrets")
    return results


if __name__ == "__main__":
    main()

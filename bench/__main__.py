"""Run benchmarks: ``python -m bench [NAME ...]`` (names: collect, startup, pack, scan, publish, stage, recursive, tar, verify, download, crafted).

Every benchmark times releasekit and a peer tool in the same run and reports
ratios, so the figures mean the same on any machine. Results are printed and
written as JSON to ``bench/results/``.
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = {
    "collect": "bench.bench_collect",
    "startup": "bench.bench_startup",
    "pack": "bench.bench_pack",
    "scan": "bench.bench_scan",
    "publish": "bench.bench_publish",
    "stage": "bench.bench_stage",
    "recursive": "bench.bench_recursive",
    "tar": "bench.bench_tar",
    "verify": "bench.bench_verify",
    "download": "bench.bench_download",
    "crafted": "bench.bench_crafted",
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}",
            file=sys.stderr,
        )
        return 2
    for name in names:
        print(f"== bench {name}")
        module = importlib.import_module(BENCHMARKS[name])
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

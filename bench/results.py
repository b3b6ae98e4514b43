"""Timing and result files shared by the benchmarks."""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).parent / "results"


def time_command(argv: Sequence[str], *, repeat: int = 3, cwd: Path | None = None, env: dict[str, str] | None = None) -> dict[str, float]:
    """Median wall time (s) and peak RSS (MiB) of a child command over ``repeat`` runs."""
    times, peaks = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(list(argv), cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
        peaks.append(max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024)
    return {"seconds": statistics.median(times), "peak_mib": max(peaks)}


def save(name: str, data: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path

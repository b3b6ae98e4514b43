"""Timing and result files shared by the benchmarks."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).parent / "results"


def run_measured(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    ok_codes: Collection[int] = (0,),
) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MiB) of one run of a child command, from its own rusage.

    An exit code outside ``ok_codes`` is an error (a refusal bench expects exit 2).
    """
    with tempfile.TemporaryFile() as stderr:  # a file, not a pipe: a chatty child cannot block
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        err = stderr.read().decode(errors="replace")
    if proc.returncode not in ok_codes:
        raise RuntimeError(f"{argv[0]} failed ({proc.returncode}): {err[-500:]}")
    return elapsed, usage.ru_maxrss / 1024


def time_command(
    argv: Sequence[str], *, repeat: int = 3, cwd: Path | None = None, env: dict[str, str] | None = None
) -> dict[str, float]:
    """Median wall time (s) and peak RSS (MiB) of a child command over ``repeat`` runs.

    The peak is the command's own (``wait4`` rusage), not the largest child seen so far.
    """
    return time_alternating([(argv, cwd, env)], repeat=repeat)[0]


def time_alternating(
    commands: Sequence[tuple[Sequence[str], Path | None, dict[str, str] | None]], *, repeat: int = 5
) -> list[dict[str, float]]:
    """:func:`time_command` for each ``(argv, cwd, env)``, their runs taken in turn (A B A B ...),
    so that a slow moment of a shared machine weighs on ours and the peer's alike."""
    times: list[list[float]] = [[] for _ in commands]
    peaks: list[list[float]] = [[] for _ in commands]
    for _ in range(repeat):
        for index, (argv, cwd, env) in enumerate(commands):
            elapsed, peak = run_measured(argv, cwd=cwd, env=env)
            times[index].append(elapsed)
            peaks[index].append(peak)
    return [{"seconds": statistics.median(t), "peak_mib": max(p)} for t, p in zip(times, peaks, strict=True)]


def save(name: str, data: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path

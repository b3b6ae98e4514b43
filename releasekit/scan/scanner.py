"""Scan a packed package's files, across processes when there is enough to scan.

Files are handed to forked workers by index: the bytes are inherited, never pickled.
Largest files go first so that one big file does not finish last on its own.
"""

from __future__ import annotations

import multiprocessing
import os
import warnings
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from releasekit.progress import SCAN, report
from releasekit.redaction import register_secret
from releasekit.scan.engine import Hit, ScanPlan, load, scan_file

# Below this many bytes, starting processes costs more than it saves.
PARALLEL_MIN_BYTES = 1_000_000


@dataclass(frozen=True, order=True)
class SecretFinding:
    """A found secret: where, which rule, and the sha1 of the secret.

    ``secret`` is the found text, for redaction (:mod:`releasekit.redaction`) only: it is
    never shown, and ``repr`` leaves it out. ``note`` says why the finding is not
    plausibly a live credential (a placeholder, a documented example, a failed
    checksum); such a finding warns instead of failing the gate. ``None``: it may be real.
    """

    file: str
    line: int | None
    type: str
    hashed_secret: str
    secret: str = field(default="", repr=False, compare=False)
    note: str | None = field(default=None, compare=False)

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.file, self.line or 0, self.type, self.hashed_secret)


# Set in the parent just before forking, read by the workers.
_FILES: Sequence[tuple[str, bytes]] = ()
_PLAN: ScanPlan | None = None


def _scan_index(index: int) -> tuple[int, list[Hit]]:
    assert _PLAN is not None
    path, data = _FILES[index]
    return index, scan_file(path, data, _PLAN)


def _warm_up(plan: ScanPlan) -> None:
    """Build the plugins and do every lazy import once, in the parent, before forking.

    Workers then inherit them instead of each paying for them (and never import while
    another thread of the parent might have held a lock at fork time).
    """
    load(plan)
    scan_file("warm-up.cfg", b"[section]\nkey = value\n", plan)
    scan_file("warm-up.yaml", b"key: value\n", plan)
    scan_file("warm-up.js", b"const password = 'kR8vZ2xLq0pW9mN3bT7yH1cF5dG4sJ6a'; // id\n", plan)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def scan_files(
    files: Iterable[tuple[str, bytes]], plan: ScanPlan, jobs: int | None = None
) -> list[SecretFinding]:
    """Findings in ``files`` (path relative to the package root, content), sorted."""
    global _FILES, _PLAN
    files = list(files)
    jobs = default_jobs() if jobs is None else jobs
    _warm_up(plan)
    results: dict[int, list[Hit]] = {}
    total = sum(len(data) for _, data in files)
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if jobs > 1 and len(files) > 1 and total >= PARALLEL_MIN_BYTES and can_fork:
        order = sorted(range(len(files)), key=lambda i: -len(files[i][1]))
        _FILES, _PLAN = files, plan
        try:
            # An executor, not a Pool: a worker that dies (OOM killer) raises
            # BrokenProcessPool here instead of leaving its file unscanned forever.
            context = multiprocessing.get_context("fork")
            with warnings.catch_warnings():
                # The packer's gzip thread may be running. The workers only scan bytes
                # they inherited; they never touch its state (Python 3.12 warns anyway).
                warnings.filterwarnings(
                    "ignore", message=r".*multi-threaded, use of fork\(\)", category=DeprecationWarning
                )
                with ProcessPoolExecutor(min(jobs, len(files)), mp_context=context) as pool:
                    done = 0
                    for index, hits in pool.map(_scan_index, order):
                        results[index] = hits
                        done += len(files[index][1])
                        report(SCAN, done, total, "bytes")
        finally:
            _FILES, _PLAN = (), None
    else:
        done = 0
        for index, (path, data) in enumerate(files):
            results[index] = scan_file(path, data, plan)
            done += len(data)
            report(SCAN, done, total, "bytes")
    for hits in results.values():  # found in this run: no output may print them from now on
        for hit in hits:
            register_secret(hit.secret)
    findings = [
        SecretFinding(files[index][0], hit.line, hit.type, hit.hashed_secret, hit.secret, hit.note)
        for index, hits in results.items()
        for hit in hits
    ]
    return sorted(findings, key=SecretFinding.sort_key)

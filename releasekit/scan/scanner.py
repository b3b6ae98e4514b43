"""Scan a packed package's files, across processes when there is enough to scan.

Files are handed to forked workers by index, in batches of about equal size: the bytes
are inherited, never pickled. Largest files go first so that one big file does not finish
last on its own. (:mod:`releasekit.scan.background` runs all of this in a child while a
session's other policies run.)
"""

from __future__ import annotations

import multiprocessing
import warnings
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from releasekit.progress import SCAN, report
from releasekit.redaction import register_secret
from releasekit.scan import accelerated
from releasekit.scan.engine import Hit, ScanPlan, load, scan_file
from releasekit.scan.processes import can_fork, default_jobs
from releasekit.scan.tokens import PATTERNS as token_patterns

# Below this many bytes, starting processes costs more than it saves (measured: lodash,
# 1.4 MB in 1,054 files, scans in 0.15 s here and in 0.20 s across two workers).
PARALLEL_MIN_BYTES = 4_000_000
# Above this many bytes, building the Hyperscan database (about 50 ms of CPU, on a
# thread) pays for itself: lodash's 1.4 MB scan in 0.145 s on the regex path, 0.08 s with it.
ACCELERATE_MIN_BYTES = 1_000_000


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


def _scan_batch(indexes: Sequence[int]) -> list[tuple[int, list[Hit]]]:
    assert _PLAN is not None
    return [(index, scan_file(*_FILES[index], _PLAN)) for index in indexes]


def _warm_up(plan: ScanPlan, total: int, *, imports: bool, wait: bool) -> None:
    """Build the plugins, and start the Hyperscan builds when there is enough text to
    repay them. ``imports``: do every lazy import now (a parent about to fork, so that
    its workers inherit them, and never import while another thread might have held a
    lock at fork time). ``wait``: for the Hyperscan builds, so that workers inherit them.
    """
    loaded = load(plan)
    accelerate = total >= ACCELERATE_MIN_BYTES
    if accelerate:
        accelerated.prepare(loaded.cores, wait=False)
        accelerated.prepare_formats(token_patterns, wait=False)
    if imports:
        scan_file("warm-up.cfg", b"[section]\nkey = value\n", plan)
        scan_file("warm-up.yaml", b"key: value\n", plan)
        scan_file("warm-up.js", b"const password = 'kR8vZ2xLq0pW9mN3bT7yH1cF5dG4sJ6a'; // id\n", plan)
    if accelerate and wait:
        accelerated.prepare(loaded.cores, wait=True)
        accelerated.prepare_formats(token_patterns, wait=True)


def get_ready(plan: ScanPlan) -> None:
    """What :func:`scan_files` can do before the files are known: the plugins built and
    the Hyperscan builds started (a scan that begins before they are done switches to
    them when they are). Lazy imports are left to the files that need them: PyYAML alone
    takes 20 ms, and most packages hold no YAML."""
    _warm_up(plan, ACCELERATE_MIN_BYTES, imports=False, wait=False)


def _batches(files: Sequence[tuple[str, bytes]], count: int) -> list[list[int]]:
    """File indexes in ``count`` batches of about equal bytes, largest files first.

    A batch is one task for a worker: a thousand small files cost a thousand round
    trips when sent one by one.
    """
    order = sorted(range(len(files)), key=lambda i: -len(files[i][1]))
    batches: list[list[int]] = [[] for _ in range(count)]
    sizes = [0] * count
    for index in order:
        smallest = sizes.index(min(sizes))
        batches[smallest].append(index)
        sizes[smallest] += len(files[index][1])
    # the batch with the largest file first, so that it never starts last
    return [b for b in batches if b]


def scan_files(
    files: Iterable[tuple[str, bytes]], plan: ScanPlan, jobs: int | None = None
) -> list[SecretFinding]:
    """Findings in ``files`` (path relative to the package root, content), sorted.

    Forked workers scan them when the text is large enough to repay starting them.
    """
    files = list(files)
    jobs = default_jobs() if jobs is None else jobs
    total = sum(len(data) for _, data in files)
    if can_fork() and jobs > 1 and len(files) > 1 and total >= PARALLEL_MIN_BYTES:
        results = _scan_in_workers(files, plan, min(jobs, len(files)), total)
    else:
        _warm_up(plan, total, imports=False, wait=False)
        results = {}
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


def _scan_in_workers(
    files: Sequence[tuple[str, bytes]], plan: ScanPlan, workers: int, total: int
) -> dict[int, list[Hit]]:
    global _FILES, _PLAN
    _warm_up(plan, total, imports=True, wait=True)
    results: dict[int, list[Hit]] = {}
    _FILES, _PLAN = files, plan
    try:
        with warnings.catch_warnings():
            # The packer's gzip thread may be running. The workers only scan bytes
            # they inherited; they never touch its state (Python 3.12 warns anyway).
            warnings.filterwarnings(
                "ignore", message=r".*multi-threaded, use of fork\(\)", category=DeprecationWarning
            )
            batches = _batches(files, workers * 4 if len(files) > workers else len(files))
            # An executor, not a Pool: a worker that dies (OOM killer) raises
            # BrokenProcessPool here instead of leaving its files unscanned forever.
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(min(workers, len(batches)), mp_context=context) as pool:
                done = 0
                for batch in pool.map(_scan_batch, batches):
                    for index, hits in batch:
                        results[index] = hits
                        done += len(files[index][1])
                    report(SCAN, done, total, "bytes")
    finally:
        _FILES, _PLAN = (), None
    return results

"""Progress of packing, scanning and the policies: told to a callback; drawn only on a terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from releasekit.options import StageOptions
from releasekit.package.pack import pack_project
from releasekit.policy.session import run_policies
from releasekit.progress import PACK, POLICIES, SCAN, ProgressEvent, reporting

MANIFEST = {"name": "demo-progress", "version": "1.0.0", "main": "lib/index.js", "license": "MIT"}
FILES = {f"lib/m{i}.js": f"module.exports = {i};\n" * 50 for i in range(150)}


def test_pack_scan_and_policies_report_to_the_callback(make_project: Callable[..., Path]) -> None:
    project = make_project(MANIFEST, {**FILES, "lib/index.js": "module.exports = 1;\n"})
    events: list[ProgressEvent] = []
    with reporting(events.append):
        package = pack_project(project)
    run_policies(
        project, options=StageOptions(), package=package, progress=events.append, keyword="not registry"
    )
    by_task: dict[str, list[ProgressEvent]] = {}
    for event in events:
        by_task.setdefault(event.task, []).append(event)
    assert {PACK, SCAN, POLICIES} <= set(by_task)
    for task, seen in by_task.items():
        done = [e.done for e in seen]
        assert done == sorted(done) and seen[-1].done == seen[-1].total, task
    assert by_task[PACK][-1].total == len(package.files)
    assert by_task[SCAN][-1].total == sum(f.size for f in package.files if f.path != ".secrets.baseline")


def test_no_callback_no_events_and_nothing_drawn(make_project: Callable[..., Path]) -> None:
    project = make_project(MANIFEST, {"lib/index.js": "module.exports = 1;\n"})
    run_policies(project, options=StageOptions(), keyword="not registry")  # nothing to report to: no error


def _lpm_stderr(project: Path, *args: str, tty: bool, env: dict[str, str] | None = None) -> str:
    """stderr of ``lpm ARGS check PROJECT`` in a child, on a pseudo-terminal or a pipe."""
    environment = {k: v for k, v in os.environ.items() if k != "CI"}
    environment.update({"TERM": "xterm", "COLUMNS": "100", **(env or {})})
    argv = [sys.executable, "-m", "releasekit", *args, "check", "-k", "not registry", str(project)]
    if not tty:
        return subprocess.run(argv, env=environment, capture_output=True, text=True, timeout=120).stderr
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, env=environment, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=120)
    os.close(master)
    return b"".join(chunks).decode(errors="replace")


@pytest.fixture
def project(make_project: Callable[..., Path]) -> Path:
    return make_project(MANIFEST, {**FILES, "lib/index.js": "module.exports = 1;\n"})


def test_a_terminal_shows_progress_on_stderr(project: Path) -> None:
    assert "Running policies" in _lpm_stderr(project, tty=True)


@pytest.mark.parametrize(
    ("args", "tty", "env"),
    [((), False, None), (("--json",), True, None), ((), True, {"CI": "true"})],
    ids=["stderr-not-a-tty", "json", "ci"],
)
def test_no_progress_off_a_terminal_with_json_or_in_ci(
    project: Path, args: tuple[str, ...], tty: bool, env: dict[str, str] | None
) -> None:
    assert "Running policies" not in _lpm_stderr(project, *args, tty=tty, env=env)

"""The scan started early in forked workers: the same findings, errors surfaced, no worker left."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest

import releasekit
from releasekit.config import load_config
from releasekit.package.pack import pack_project
from releasekit.policy.session import run_policies
from releasekit.scan import ScanSettings, scan_files, start_scan
from releasekit.scan import scanner as scanner_module
from tests.scan.corpus import build, secrets

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="background scans fork"
)

PLAN = ScanSettings.default().plan
AWS_KEY = secrets()["aws_key_id"][0]
CORPUS = build()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_background_scan_finds_what_a_serial_scan_finds(jobs: int) -> None:
    files = sorted(CORPUS.files.items())
    serial = scan_files(files, PLAN, jobs=1)
    assert serial
    started = start_scan(files, PLAN, jobs, background=True)
    assert multiprocessing.active_children()  # forked at once, before anyone waits
    assert started.result() == serial
    assert started.result() is started.result()  # asked twice, computed once
    assert multiprocessing.active_children() == []


def test_batches_cover_every_file_once_largest_first() -> None:
    files = [(f"f{i}", b"x" * size) for i, size in enumerate([5, 900, 40, 40, 700, 1, 3])]
    batches = scanner_module._batches(files, 3)
    assert sorted(i for batch in batches for i in batch) == list(range(len(files)))
    assert batches[0][0] == 1  # the largest file opens the first batch
    sizes = [sum(len(files[i][1]) for i in batch) for batch in batches]
    assert max(sizes) == 900  # greedy: nothing joins the batch of the largest file


def _die(indexes: Any) -> Any:
    os._exit(9)  # what the OOM killer does to a worker


def test_a_worker_that_dies_is_an_error_not_missing_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scanner_module, "_scan_batch", _die)
    started = start_scan(sorted(CORPUS.files.items()), PLAN, 2, background=True)
    with pytest.raises(BrokenProcessPool):
        started.result()
    assert multiprocessing.active_children() == []


def test_a_scan_nobody_waits_for_is_cancelled() -> None:
    started = start_scan(sorted(CORPUS.files.items()), PLAN, 2, background=True)
    started.cancel()
    started.cancel()
    assert multiprocessing.active_children() == []


class _SeeSession:
    scan: Any = None

    @releasekit.hookimpl
    def releasekit_sessionfinish(self, session: Any, result: Any) -> None:
        self.scan = session.secret_scan


def _secret_findings(result: Any) -> list[tuple[str | None, int | None, str, str]]:
    [policy] = [r for r in result.results if r.name == "policy_no_secrets"]
    return [(f.file, f.line, f.rule_id, f.severity) for f in policy.findings]


def test_the_session_scans_while_the_other_policies_run(make_project: Callable[..., Path]) -> None:
    project = make_project(
        {"name": "demo-background", "version": "1.0.0", "main": "index.js"},
        {"index.js": f"module.exports = '{AWS_KEY}';\n", "README.md": "# demo\n"},
    )
    package = pack_project(project, load_config(project))
    seen = _SeeSession()
    everything = run_policies(project, package=package, plugins=[seen])
    assert seen.scan is not None  # started in the background, before the policies ran
    assert len(everything.results) > 1
    alone = run_policies(project, package=package, keyword="no_secrets")  # waited for at once
    assert _secret_findings(everything) == _secret_findings(alone)
    assert ("index.js", 1, "AWS Access Key", "error") in _secret_findings(everything)
    assert multiprocessing.active_children() == []


def test_a_scan_started_for_a_fixture_a_project_overrides_is_cancelled(
    make_project: Callable[..., Path],
) -> None:
    project = make_project(
        {"name": "demo-override", "version": "1.0.0"},
        {
            "index.js": f"module.exports = '{AWS_KEY}';\n",
            "policies/policyconf.py": "import releasekit\n\n@releasekit.fixture\ndef found_secrets():\n    return []\n",
        },
    )
    package = pack_project(project, load_config(project))
    result = run_policies(project, package=package, paths=[project / "policies"])
    assert _secret_findings(result) == []
    assert multiprocessing.active_children() == []

"""The scan started early in a forked child: the same findings, errors surfaced, no process left."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest

import releasekit
from releasekit.config import load_config
from releasekit.errors import ConfigError
from releasekit.package.pack import pack_project
from releasekit.policy.session import run_policies
from releasekit.scan import ScanSettings, scan_package
from releasekit.scan import background as background_module
from releasekit.scan import scanner as scanner_module
from releasekit.scan.background import BACKGROUND_MIN_BYTES, BackgroundScan, start_before_packing
from tests.scan.corpus import secrets

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="background scans fork"
)

AWS_KEY = secrets()["aws_key_id"][0]
BIG = "x = 1\n" * (BACKGROUND_MIN_BYTES // 6 + 1)  # enough to scan for a child to pay off


def _packed(make_project: Callable[..., Path], files: dict[str, str]) -> tuple[Any, Any]:
    project = make_project({"name": "demo-background", "version": "1.0.0", "main": "index.js"}, files)
    config = load_config(project)
    return pack_project(project, config), config


@pytest.mark.parametrize("size", [100, 5_000_000])  # in the child alone; with workers of its own
def test_a_background_scan_finds_what_a_direct_scan_finds(
    make_project: Callable[..., Path], size: int
) -> None:
    package, config = _packed(
        make_project, {"index.js": f"module.exports = '{AWS_KEY}';\n", "big.txt": "x = 1\n" * (size // 6)}
    )
    direct = scan_package(package, ScanSettings.from_config(config))
    assert direct
    started = BackgroundScan(config, package)
    assert multiprocessing.active_children()  # forked at once, before anyone waits
    assert started.result() == direct
    assert started.result() == direct  # asked twice, answered once
    assert multiprocessing.active_children() == []


def test_the_parent_takes_the_settings_the_child_read(make_project: Callable[..., Path]) -> None:
    package, config = _packed(make_project, {"index.js": "x\n"})
    BackgroundScan(config, package).result()
    settings = ScanSettings.from_config(config)
    assert settings is ScanSettings.from_config(config)  # remembered, not read again
    assert settings == ScanSettings.from_section(config.section("secrets"))


def test_an_error_in_the_child_leaves_the_scan_to_the_parent(make_project: Callable[..., Path]) -> None:
    package, _ = _packed(make_project, {"index.js": "x\n"})
    started = BackgroundScan(object(), package)  # not a Config: the child cannot read it
    assert started.result() is None
    assert multiprocessing.active_children() == []


def test_a_bad_secrets_config_is_reported_as_without_a_background_scan(
    make_project: Callable[..., Path],
) -> None:
    project = make_project(
        {"name": "demo-bad-config", "version": "1.0.0"},
        {"index.js": "x\n", "big.txt": BIG, "releasekit.yaml": "secrets:\n  plugins: [NoSuchDetector]\n"},
    )
    package = pack_project(project, load_config(project))
    alone = run_policies(project, package=package, keyword="no_secrets")  # no background scan
    seen = _SeeSession()
    result = run_policies(project, package=package, plugins=[seen])
    assert seen.scan is not None
    [policy] = [r for r in result.results if r.name == "policy_no_secrets"]
    [expected] = [r for r in alone.results if r.name == "policy_no_secrets"]
    assert (policy.outcome, policy.message) == (expected.outcome, expected.message)
    assert "NoSuchDetector" in policy.message
    assert multiprocessing.active_children() == []


def test_a_child_that_dies_is_an_error_not_an_empty_scan(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    package, config = _packed(make_project, {"index.js": f"module.exports = '{AWS_KEY}';\n"})
    monkeypatch.setattr(background_module, "_scan_in_child", _die)
    started = BackgroundScan(config, package)
    with pytest.raises(BrokenProcessPool, match="exit code 9"):
        started.result()
    assert multiprocessing.active_children() == []


def _group(pgid: int) -> list[int]:
    """Processes in a process group (Linux's /proc)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # state, ppid, pgrp
            members.append(int(stat.parent.name))
    return members


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_scan_nobody_waits_for_is_stopped_with_its_workers(make_project: Callable[..., Path]) -> None:
    package, config = _packed(make_project, {f"f{i}.txt": "x = 1\n" * 400_000 for i in range(4)})
    started = BackgroundScan(config, package)
    child = started._child.pid
    deadline = time.monotonic() + 20
    while len(_group(child)) < 2 and time.monotonic() < deadline:  # the child forked its workers
        time.sleep(0.01)
    assert len(_group(child)) >= 2
    started.cancel()
    started.cancel()
    assert multiprocessing.active_children() == []
    deadline = time.monotonic() + 5
    while _group(child) and time.monotonic() < deadline:  # killed workers are reaped by init
        time.sleep(0.01)
    assert _group(child) == []


def test_batches_cover_every_file_once_largest_first() -> None:
    files = [(f"f{i}", b"x" * size) for i, size in enumerate([5, 900, 40, 40, 700, 1, 3])]
    batches = scanner_module._batches(files, 3)
    assert sorted(i for batch in batches for i in batch) == list(range(len(files)))
    assert batches[0][0] == 1  # the largest file opens the first batch
    sizes = [sum(len(files[i][1]) for i in batch) for batch in batches]
    assert max(sizes) == 900  # greedy: nothing joins the batch of the largest file


def _die(*args: Any) -> Any:
    os._exit(9)  # what the OOM killer does


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
        {"index.js": f"module.exports = '{AWS_KEY}';\n", "README.md": "# demo\n", "big.txt": BIG},
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
            "big.txt": BIG,
            "policies/policyconf.py": "import releasekit\n\n@releasekit.fixture\ndef found_secrets():\n    return []\n",
        },
    )
    package = pack_project(project, load_config(project))
    result = run_policies(project, package=package, paths=[project / "policies"])
    assert _secret_findings(result) == []
    assert multiprocessing.active_children() == []


def test_a_small_package_is_scanned_in_the_session_process(make_project: Callable[..., Path]) -> None:
    project = make_project({"name": "demo-small", "version": "1.0.0"}, {"index.js": f"x = '{AWS_KEY}';\n"})
    seen = _SeeSession()
    result = run_policies(project, package=pack_project(project, load_config(project)), plugins=[seen])
    assert seen.scan is None
    assert ("index.js", 1, "AWS Access Key", "error") in _secret_findings(result)


def test_a_cancelled_scan_answers_none(make_project: Callable[..., Path]) -> None:
    package, config = _packed(make_project, {"index.js": "x\n"})
    started = BackgroundScan(config, package)
    started.cancel()
    assert started.result() is None


def test_a_child_started_before_packing_scans_what_it_is_sent(make_project: Callable[..., Path]) -> None:
    package, config = _packed(make_project, {"index.js": f"module.exports = '{AWS_KEY}';\n", "big.txt": BIG})
    waiting = BackgroundScan(config)  # gets ready while the caller packs
    assert waiting.package is None and waiting.result() is None  # nothing sent yet
    waiting.cancel()
    started = BackgroundScan(config)
    started.send(package)
    assert started.package is package
    assert started.result() == scan_package(package, ScanSettings.from_config(config))
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("send", [False, True])
def test_a_child_before_packing_is_stopped_when_given_up(
    make_project: Callable[..., Path], send: bool
) -> None:
    package, config = _packed(make_project, {"index.js": "x\n", "big.txt": BIG})
    started = BackgroundScan(config)
    if send:
        started.send(package)
    started.cancel()
    assert multiprocessing.active_children() == []


def test_run_policies_takes_a_scan_already_started(make_project: Callable[..., Path]) -> None:
    package, config = _packed(make_project, {"index.js": f"module.exports = '{AWS_KEY}';\n"})
    started = BackgroundScan(config)
    started.send(package)
    seen = _SeeSession()
    result = run_policies(
        package.source_dir or Path.cwd(),
        config=config,
        package=package,
        keyword="no_secrets",
        plugins=[seen],
        secret_scan=started,
    )
    assert seen.scan is started
    assert ("index.js", 1, "AWS Access Key", "error") in _secret_findings(result)
    assert multiprocessing.active_children() == []


def test_lpm_check_stops_its_early_scan_when_packing_fails(make_project: Callable[..., Path]) -> None:
    project = make_project({"name": "demo-private", "version": "1.0.0", "private": True}, {"index.js": "x\n"})
    run = subprocess.run(
        [sys.executable, "-m", "releasekit", "check", str(project)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1 and '"private": true' in run.stderr
    assert "Traceback" not in run.stderr and run.stderr.count("\n") == 1


def test_a_package_too_large_to_copy_is_not_sent(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    package, config = _packed(make_project, {"index.js": "x\n", "big.txt": BIG})
    monkeypatch.setattr(background_module, "SEND_MAX_BYTES", len(BIG) - 1)
    started = BackgroundScan(config)
    assert started.send(package) is False
    assert started.result() is None
    assert multiprocessing.active_children() == []


def test_a_child_forked_before_the_config_scans_with_the_config_it_is_sent(
    make_project: Callable[..., Path],
) -> None:
    files = {"index.js": f"module.exports = '{AWS_KEY}';\n", "big.txt": BIG}
    files["releasekit.yaml"] = "secrets:\n  disable_plugins: [AWSKeyDetector]\n  extra_patterns: false\n"
    package, config = _packed(make_project, files)
    configured = scan_package(package, ScanSettings.from_config(config))
    assert configured != scan_package(package, ScanSettings.default())  # the config matters here
    started = start_before_packing()  # as lpm does, before anything is read
    assert started is not None
    started.configure(config)  # its secrets section goes through the pipe
    started.send(package)
    assert started.result() == configured
    assert multiprocessing.active_children() == []


def test_a_bad_config_sent_to_the_child_is_met_by_the_parent(make_project: Callable[..., Path]) -> None:
    files = {"index.js": "x\n", "releasekit.yaml": "secrets:\n  disable_plugins: [NoSuchDetector]\n"}
    package, config = _packed(make_project, files)
    started = start_before_packing()
    assert started is not None
    started.configure(config)
    started.send(package)
    assert started.result() is None  # the child met the error: the caller scans, and meets it there
    with pytest.raises(ConfigError, match="NoSuchDetector"):
        ScanSettings.from_config(config)
    assert multiprocessing.active_children() == []


def test_a_child_never_configured_is_stopped(make_project: Callable[..., Path]) -> None:
    started = start_before_packing()
    assert started is not None
    started.cancel()
    assert started.result() is None
    assert multiprocessing.active_children() == []

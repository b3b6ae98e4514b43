"""``lpm check``'s pipeline as a library call: the result, the scan child it owns, bad input."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from pathlib import Path

import pytest

from releasekit.errors import UsageError
from releasekit.progress import PACK, POLICIES, SCAN, ProgressEvent
from releasekit.scan.background import start_before_packing
from releasekit.stage.check import CheckRequest, check_path
from tests.scan.corpus import secrets

AWS_KEY = secrets()["aws_key_id"][0]
forks = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="the scan child forks"
)


def _project(make_project: Callable[..., Path]) -> Path:
    return make_project(
        {"name": "demo-check", "version": "1.0.0", "main": "index.js"},
        {"index.js": f"module.exports = '{AWS_KEY}';\n"},
    )


@pytest.mark.parametrize("early", [False, True])
def test_check_path_runs_the_policies_on_the_packed_project(
    make_project: Callable[..., Path], early: bool
) -> None:
    scan = start_before_packing() if early else None
    checked = check_path(_project(make_project), CheckRequest(keyword="secret"), secret_scan=scan)
    failed = [r for r in checked.session.results if r.outcome == "failed"]
    assert [r.name for r in failed] == ["policy_no_secrets"]
    assert any(f.rule_id == "AWS Access Key" for f in failed[0].findings)
    assert checked.exit_code == 1 and checked.error is None
    assert multiprocessing.active_children() == []


@forks
def test_a_listing_stops_the_child_it_was_given(make_project: Callable[..., Path]) -> None:
    scan = start_before_packing()
    assert scan is not None
    checked = check_path(_project(make_project), CheckRequest(list_only=True), secret_scan=scan)
    assert checked.session.collected and not checked.session.results
    assert multiprocessing.active_children() == []


@forks
@pytest.mark.parametrize(
    ("request_", "where", "message"),
    [
        (CheckRequest(tag="next"), "project", "add --remote"),
        (CheckRequest(), "missing", "no such folder"),
        (CheckRequest(update_baseline=True), "tarball", "needs a project folder"),
    ],
)
def test_bad_input_is_a_usage_error_and_stops_the_child(
    make_project: Callable[..., Path], tmp_path: Path, request_: CheckRequest, where: str, message: str
) -> None:
    paths = {"project": _project(make_project), "missing": tmp_path / "nope", "tarball": tmp_path / "x.tgz"}
    paths["tarball"].write_bytes(b"")
    scan = start_before_packing()
    with pytest.raises(UsageError, match=message):
        check_path(paths[where], request_, secret_scan=scan)
    assert multiprocessing.active_children() == []


def test_check_path_tells_its_progress_packing_included(make_project: Callable[..., Path]) -> None:
    events: list[ProgressEvent] = []
    check_path(_project(make_project), CheckRequest(keyword="secret"), progress=events.append)
    tasks = [e.task for e in events]
    assert {PACK, SCAN, POLICIES} <= set(tasks)
    assert tasks.index(PACK) < tasks.index(POLICIES)
    assert [e.done == e.total for e in events if e.task == PACK][-1]

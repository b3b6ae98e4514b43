"""The verdicts issue 14 reported wrong, on the real published tarballs (cached; skipped offline)."""

from __future__ import annotations

from pathlib import Path

import pytest

from releasekit.options import StageOptions
from releasekit.package.model import PackedPackage
from releasekit.policy.result import SessionResult
from releasekit.policy.session import run_policies
from releasekit.review.archive import read_archive
from releasekit.review.diff import manifest_of
from releasekit.testing.npm_fixtures import FixtureUnavailable, fetch_tarball

pytestmark = [pytest.mark.network]


def score(name: str, version: str, checks: str, folder: Path) -> dict[str, tuple[float | None, str]]:
    """``{check: (points or None when not applicable, detail)}`` for the tarball alone (no project folder)."""
    try:
        blob = fetch_tarball(name, version).read_bytes()
    except FixtureUnavailable as exc:
        pytest.skip(str(exc))
    archive = read_archive(blob)
    package = PackedPackage(manifest_of(archive), archive.packed_files(), blob, None)
    session: SessionResult = run_policies(
        folder, package=package, keyword=checks, options=StageOptions(dry_run=True)
    )
    earned = {c.id: c.points for c in session.score.checks} if session.score else {}
    return {
        r.name: (earned.get(r.id), r.detail or r.message) for r in session.results if r.points is not None
    }


def test_react_commonjs_exports_map_is_not_es_modules(tmp_path: Path) -> None:
    got = score("react", "18.3.1", "policy_esm", tmp_path)
    points, detail = got["policy_esm"]
    assert points == 0 and detail.startswith("no entry point is ES module code (pkg.exports")


def test_typescript_dangling_source_map_comments(tmp_path: Path) -> None:
    points, detail = score("typescript", "5.6.3", "policy_source_maps", tmp_path)["policy_source_maps"]
    assert points == 0
    assert detail == (
        "6 file(s) point to source maps not in the tarball: lib/cancellationToken.js -> lib/cancellationToken.js.map, "
        "lib/tsc.js -> lib/tsc.js.map, lib/tsserver.js -> lib/tsserver.js.map and 3 more"
    )


def test_lodash_echo_test_script_and_eval_detail(tmp_path: Path) -> None:
    got = score("lodash", "4.17.21", "policy_test_script or policy_no_dynamic_code", tmp_path)
    assert got["policy_test_script"][0] == 0 and "runs no tests" in got["policy_test_script"][1]
    points, detail = got["policy_no_dynamic_code"]
    assert points == 0
    count = int(detail.split(" ", 1)[0])
    listed = detail.split(": ", 1)[1].split(" and ")[0].split(", ")
    more = int(detail.rsplit(" and ", 1)[1].split()[0]) if " and " in detail else 0
    assert count == len(listed) + more  # the count is what the list (and "and N more") shows
    assert "_root.js:7 (Function)" in listed  # Function(...) without new is named as written

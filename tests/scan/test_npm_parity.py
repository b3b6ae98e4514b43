"""Parity with ``detect-secrets scan --all-files`` on a real npm package.

lodash@4.17.21 runs here (a few seconds; it has no findings, so the planted corpus and
the differential test in test_corpus.py / test_engine.py carry the weight).
typescript@5.6.3 (22 MB, 42 findings, 40-100 s for detect-secrets) runs with
RELEASEKIT_SCAN_TYPESCRIPT=1, and in ``python -m bench scan``, which fails when the
findings differ.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace

import pytest

from releasekit.scan import ScanSettings, scan_files
from releasekit.testing.npm_fixtures import FixtureUnavailable, fetch_package


def _compare(name: str, version: str, expected_at_least: int = 0) -> None:
    cli = shutil.which("detect-secrets")
    if cli is None:
        pytest.skip("detect-secrets CLI not on PATH")
    try:
        root = fetch_package(name, version)
    except FixtureUnavailable as exc:
        pytest.skip(str(exc))
    out = subprocess.run(
        [cli, "scan", "--all-files", "."], cwd=root, capture_output=True, text=True, check=True, timeout=900
    )
    theirs = {
        (n, item["line_number"], item["type"])
        for n, items in json.loads(out.stdout)["results"].items()
        for item in items
    }
    files = [(p.relative_to(root).as_posix(), p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()]
    plan = replace(ScanSettings.default().plan, extra_patterns=False, filenames=False)
    ours = {(f.file, f.line, f.type) for f in scan_files(files, plan)}
    assert ours == theirs
    assert len(ours) >= expected_at_least


@pytest.mark.network
def test_lodash_findings_equal_detect_secrets_cli() -> None:
    _compare("lodash", "4.17.21")


@pytest.mark.network
@pytest.mark.skipif(
    not os.environ.get("RELEASEKIT_SCAN_TYPESCRIPT"),
    reason="slow (detect-secrets takes 40-100 s); set RELEASEKIT_SCAN_TYPESCRIPT=1, or run python -m bench scan",
)
def test_typescript_findings_equal_detect_secrets_cli() -> None:
    _compare("typescript", "5.6.3", expected_at_least=42)

"""Parity with ``detect-secrets scan --all-files`` on a real npm package.

lodash@4.17.21 runs here (a few seconds). typescript@5.6.3 (22 MB, 42 findings, over a
minute for detect-secrets) is compared by ``python -m bench scan``, which fails when
the findings differ.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace

import pytest

from releasekit.scan import ScanSettings, scan_files
from releasekit.testing.npm_fixtures import FixtureUnavailable, fetch_package


@pytest.mark.network
def test_lodash_findings_equal_detect_secrets_cli() -> None:
    cli = shutil.which("detect-secrets")
    if cli is None:
        pytest.skip("detect-secrets CLI not on PATH")
    try:
        root = fetch_package("lodash", "4.17.21")
    except FixtureUnavailable as exc:
        pytest.skip(str(exc))
    out = subprocess.run([cli, "scan", "--all-files", "."], cwd=root, capture_output=True, text=True, check=True, timeout=600)
    theirs = {(name, item["line_number"], item["type"]) for name, items in json.loads(out.stdout)["results"].items() for item in items}
    files = [(p.relative_to(root).as_posix(), p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()]
    assert len(files) > 1000
    plan = replace(ScanSettings.default().plan, extra_patterns=False, filenames=False)
    assert {(f.file, f.line, f.type) for f in scan_files(files, plan)} == theirs

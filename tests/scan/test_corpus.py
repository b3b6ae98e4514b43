"""The planted-secrets corpus: found in full, nothing on its clean twin, same as detect-secrets."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from releasekit.scan import ScanSettings, scan_files
from releasekit.scan import scanner as scanner_module
from tests.scan.corpus import build

CORPUS = build()


def _scan(files: dict[str, bytes], **plan_changes: object) -> list:
    plan = replace(ScanSettings.default().plan, **plan_changes)  # type: ignore[arg-type]
    return scan_files(sorted(files.items()), plan, jobs=1)


def test_corpus_covers_twenty_types_in_every_kind_of_file() -> None:
    assert len(CORPUS.types) >= 20
    files = {p.file for p in CORPUS.planted}
    for suffix in (".js", ".json", ".map", ".md", ".min.js", ".env"):
        assert any(f.endswith(suffix) for f in files), suffix


def test_every_planted_secret_is_found_at_its_line() -> None:
    found: dict[tuple[str, int], set[str]] = {}
    for finding in _scan(CORPUS.files):
        found.setdefault((finding.file, finding.line or 0), set()).add(finding.type)
    missing = [
        (p.file, p.line, sorted(p.types))
        for p in CORPUS.planted
        if not p.types & found.get((p.file, p.line), set())
    ]
    assert missing == []


def test_clean_copy_has_no_finding_at_all() -> None:
    assert _scan(CORPUS.clean) == []


def test_findings_hold_hashes_never_secret_text() -> None:
    from tests.scan.corpus import secrets

    findings = _scan(CORPUS.files)
    dumped = repr(findings)
    for text, _ in secrets().values():
        assert text not in dumped
    assert all(len(f.hashed_secret) == 40 for f in findings)


def test_parallel_scan_equals_serial_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = ScanSettings.default().plan
    files = sorted(CORPUS.files.items())
    serial = scan_files(files, plan, jobs=1)
    monkeypatch.setattr(scanner_module, "PARALLEL_MIN_BYTES", 0)
    assert scan_files(files, plan, jobs=2) == serial


def _detect_secrets_cli(files: dict[str, bytes], where: Path) -> set[tuple[str, int, str]]:
    cli = shutil.which("detect-secrets")
    if cli is None:
        pytest.skip("detect-secrets CLI not on PATH")
    for rel, data in files.items():
        (where / rel).parent.mkdir(parents=True, exist_ok=True)
        (where / rel).write_bytes(data)
    # --no-verify: planted tokens must never be sent to the services they imitate.
    out = subprocess.run(
        [cli, "scan", "--all-files", "--no-verify", "."],
        cwd=where,
        capture_output=True,
        text=True,
        check=True,
    )
    results = json.loads(out.stdout)["results"]
    return {(name, item["line_number"], item["type"]) for name, items in results.items() for item in items}


@pytest.mark.parametrize("copy", ["planted", "clean"])
def test_same_findings_as_detect_secrets_cli(copy: str, tmp_path: Path) -> None:
    files = CORPUS.files if copy == "planted" else CORPUS.clean
    theirs = _detect_secrets_cli(files, tmp_path)
    ours = {
        (f.file, f.line, f.type)
        for f in _scan(files, extra_patterns=False, filenames=False)
        # detect-secrets skips source maps; releasekit scans them on purpose.
        if not f.file.endswith(".map")
    }
    assert ours == theirs
    if copy == "planted":
        assert len(theirs) >= 25

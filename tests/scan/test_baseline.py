"""Baseline files: detect-secrets' format both ways, matched on file + type + hash."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from releasekit.config import load_config
from releasekit.errors import ConfigError
from releasekit.package.pack import pack_project
from releasekit.scan import ScanSettings, scan_package
from releasekit.scan.baseline import load_baseline, update_baseline
from tests.scan.corpus import secrets

SECRETS = secrets()
AWS_KEY = SECRETS["aws_key_id"][0]
GITHUB = SECRETS["github"][0]
MANIFEST = {"name": "demo-baseline", "version": "1.0.0"}


def _project(make_project: Callable[..., Path], body: str) -> Path:
    return make_project(MANIFEST, {"index.js": body})


def test_written_baseline_is_read_by_detect_secrets_itself(make_project: Callable[..., Path]) -> None:
    from detect_secrets.core import baseline as ds_baseline

    project = _project(make_project, f"const a = '{AWS_KEY}';\n")
    path = update_baseline(project, pack_project(project), load_config(project))
    document = json.loads(path.read_text())
    assert set(document) == {"version", "plugins_used", "filters_used", "results", "generated_at"}
    collection = ds_baseline.load(document, str(path))
    [(filename, secret)] = list(collection)
    assert (filename, secret.type, secret.line_number) == ("index.js", "AWS Access Key", 1)
    assert [p["name"] for p in document["plugins_used"]][:3] == [
        "ArtifactoryDetector",
        "AWSKeyDetector",
        "AzureStorageKeyDetector",
    ]
    assert not list(project.glob(".secrets.baseline.*")), "temporary file left behind"


def test_entries_match_on_file_type_and_hash_not_line(make_project: Callable[..., Path]) -> None:
    project = _project(make_project, f"const a = '{AWS_KEY}';\n")
    config = load_config(project)
    update_baseline(project, pack_project(project), config)
    (project / "index.js").write_text("\n\n\n// moved down\n" + f"const a = '{AWS_KEY}';\n")
    baseline = load_baseline(project / ".secrets.baseline")
    assert baseline is not None
    findings = scan_package(pack_project(project), ScanSettings.from_config(config))
    assert [f.line for f in findings] == [5]
    new, known = baseline.split(findings)
    assert new == [] and len(known) == 1
    (project / "other.js").write_text(f"const a = '{AWS_KEY}';\n")
    new, _ = baseline.split(scan_package(pack_project(project)))
    assert [(f.file, f.type) for f in new] == [("other.js", "AWS Access Key")]


def test_update_keeps_audit_labels_and_drops_vanished_secrets(make_project: Callable[..., Path]) -> None:
    project = _project(make_project, f"const a = '{AWS_KEY}';\nconst b = '{GITHUB}';\n")
    config = load_config(project)
    path = update_baseline(project, pack_project(project), config)
    document = json.loads(path.read_text())
    for entry in document["results"]["index.js"]:
        entry["is_secret"] = False
    path.write_text(json.dumps(document))
    (project / "index.js").write_text(f"// header\nconst a = '{AWS_KEY}';\n")
    update_baseline(project, pack_project(project), config)
    [entry] = json.loads(path.read_text())["results"]["index.js"]
    assert (entry["type"], entry["line_number"], entry["is_secret"]) == ("AWS Access Key", 2, False)


def test_an_entry_audited_as_a_real_secret_suppresses_nothing(make_project: Callable[..., Path]) -> None:
    project = _project(make_project, f"const a = '{AWS_KEY}';\n")
    path = update_baseline(project, pack_project(project), load_config(project))
    document = json.loads(path.read_text())
    document["results"]["index.js"][0]["is_secret"] = True
    path.write_text(json.dumps(document))
    baseline = load_baseline(path)
    assert baseline is not None
    new, known = baseline.split(scan_package(pack_project(project)))
    assert len(new) == 1 and known == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "is not valid JSON"),
        ('{"version": "1.5.0"}', 'no "results" mapping'),
        ('{"results": {"a.js": [{"type": "X"}]}}', "expected a list of entries with type and hashed_secret"),
    ],
)
def test_a_broken_baseline_is_a_one_line_config_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / ".secrets.baseline"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_baseline(path)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_no_baseline_file_means_no_baseline(tmp_path: Path) -> None:
    assert load_baseline(tmp_path / ".secrets.baseline") is None


def test_a_packed_baseline_is_not_itself_a_finding(make_project: Callable[..., Path]) -> None:
    from releasekit.options import StageOptions
    from releasekit.policy.session import run_policies

    project = _project(make_project, f"const a = '{AWS_KEY}';\n")
    update_baseline(project, pack_project(project), load_config(project))
    result = run_policies(project, keyword="no_secrets", options=StageOptions())
    assert ".secrets.baseline" in {f.path for f in result.package.files}
    assert result.gate_passed
    [policy] = [r for r in result.results if r.name == "policy_no_secrets"]
    assert [(f.rule_id, str(f.severity)) for f in policy.findings] == [("baseline", "info")]

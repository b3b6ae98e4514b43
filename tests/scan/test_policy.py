"""The built-in secrets policy on real projects packed by the real packer, and through lpm check."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from releasekit.config import load_config
from releasekit.errors import ConfigError
from releasekit.options import StageOptions
from releasekit.policy.session import run_policies
from tests.scan.corpus import secrets
from tests.scan.tokens import tokens

SECRETS = secrets()
AWS_KEY = SECRETS["aws_key_id"][0]
GITHUB = tokens()["github"][0]  # a valid checksum: a token GitHub could have issued
BLOB = SECRETS["base64_blob"][0]
MANIFEST = {"name": "demo-secrets", "version": "1.0.0", "main": "lib/index.js"}


def _secret_findings(result: Any) -> list[Any]:
    [policy] = [r for r in result.results if r.name == "policy_no_secrets"]
    return policy.findings


def _run(project: Path, **options: Any) -> Any:
    return run_policies(project, keyword="no_secrets", options=StageOptions(**options))


def _locations(result: Any) -> set[tuple[str | None, int | None, str]]:
    return {(f.file, f.line, f.rule_id) for f in _secret_findings(result)}


def test_a_published_credential_fails_the_gate(make_project: Callable[..., Path]) -> None:
    project = make_project(MANIFEST, {"lib/index.js": f"module.exports = '{AWS_KEY}';\n"})
    result = _run(project)
    assert ("lib/index.js", 1, "AWS Access Key") in _locations(result)
    assert not result.gate_passed and result.exit_code == 1
    [finding] = [f for f in _secret_findings(result) if f.rule_id == "AWS Access Key"]
    assert str(finding.severity) == "error" and len(finding.secret_hash) == 40
    assert AWS_KEY not in finding.message


def test_npmignored_and_unlisted_files_are_not_scanned(make_project: Callable[..., Path]) -> None:
    project = make_project(
        {**MANIFEST, "files": ["lib"]},
        {
            "lib/index.js": "module.exports = 1;\n",
            "lib/fixture.js": f"const token = '{GITHUB}';\n",
            "lib/.npmignore": "fixture.js\n",
            "scripts/deploy.js": f"const token = '{GITHUB}';\n",
        },
    )
    result = _run(project)
    packed = {f.path for f in result.package.files}
    assert "lib/fixture.js" not in packed and "scripts/deploy.js" not in packed
    assert _secret_findings(result) == []
    assert result.gate_passed


def test_a_secret_in_a_published_file_is_found_where_npmignore_would_not_help(
    make_project: Callable[..., Path],
) -> None:
    project = make_project(
        MANIFEST,
        {
            "lib/index.js": "module.exports = 1;\n",
            "docs/setup.md": f"export GITHUB_TOKEN={GITHUB}\n",
            ".npmignore": "test/\n",
        },
    )
    assert ("docs/setup.md", 1, "GitHub Token") in _locations(_run(project))


def test_heuristic_findings_warn_and_pass_the_gate(make_project: Callable[..., Path]) -> None:
    project = make_project(MANIFEST, {"lib/index.js": f"const table = '{BLOB}';\n"})
    result = _run(project)
    findings = _secret_findings(result)
    assert [(f.rule_id, str(f.severity)) for f in findings] == [("Base64 High Entropy String", "warning")]
    assert result.gate_passed


def test_severity_is_configurable_per_rule(make_project: Callable[..., Path]) -> None:
    project = make_project(
        MANIFEST,
        {
            "lib/index.js": f"const table = '{BLOB}';\nconst key = '{AWS_KEY}';\n",
            "releasekit.yaml": "secrets:\n  severity:\n    Base64 High Entropy String: error\n    AWS Access Key: 'off'\n",
        },
    )
    result = _run(project)
    assert {(f.rule_id, str(f.severity)) for f in _secret_findings(result)} == {
        ("Base64 High Entropy String", "error")
    }
    assert not result.gate_passed


def test_allow_secrets_reports_warnings_with_a_count(make_project: Callable[..., Path]) -> None:
    project = make_project(MANIFEST, {"lib/index.js": f"a('{AWS_KEY}');\nb('{GITHUB}');\n"})
    result = _run(project, allow_secrets=True)
    findings = _secret_findings(result)
    assert result.gate_passed
    assert {str(f.severity) for f in findings} == {"warning"}
    [summary] = [f for f in findings if f.rule_id == "allow-secrets"]
    reported = [f for f in findings if f.rule_id != "allow-secrets"]
    assert {"AWS Access Key", "GitHub Token"} <= {f.rule_id for f in reported}
    assert f"{len(reported)} secret finding(s)" in summary.message


def test_inline_allowlist_comments_suppress(make_project: Callable[..., Path]) -> None:
    project = make_project(
        MANIFEST,
        {
            "lib/index.js": (
                f"const a = '{AWS_KEY}'; // pragma: allowlist secret\n"
                "// pragma: allowlist nextline secret\n"
                f"const b = '{GITHUB}';\n"
                f"const c = '{GITHUB}x';\n"
            )
        },
    )
    assert {line for _, line, _ in _locations(_run(project))} == {4}


def test_plugins_can_be_chosen_and_disabled(make_project: Callable[..., Path]) -> None:
    files = {"lib/index.js": f"a('{AWS_KEY}');\nb('{GITHUB}');\nc('{BLOB}');\n"}
    only = make_project(
        MANIFEST,
        {**files, "releasekit.yaml": "secrets:\n  plugins: [GitHubTokenDetector]\n  extra_patterns: false\n"},
    )
    assert {r for _, _, r in _locations(_run(only))} == {"GitHub Token"}
    without = make_project(
        MANIFEST, {**files, "releasekit.yaml": "secrets:\n  disable_plugins: [AWSKeyDetector]\n"}
    )
    assert {r for _, _, r in _locations(_run(without))} == {"GitHub Token", "Base64 High Entropy String"}


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        ("secrets:\n  plugins: [NoSuchDetector]\n", "unknown detect-secrets plugin 'NoSuchDetector'"),
        ("secrets:\n  severity:\n    Not A Rule: error\n", "unknown rule type 'Not A Rule'"),
        ("secrets:\n  severity:\n    AWS Access Key: fatal\n", "secrets.severity"),
        ("secrets:\n  plugins: [{name: Base64HighEntropyString, limit: 9}]\n", "bad options"),
    ],
)
def test_bad_secrets_config_is_a_one_line_config_error(
    make_project: Callable[..., Path], yaml: str, message: str
) -> None:
    from releasekit.scan.settings import ScanSettings

    project = make_project(MANIFEST, {"releasekit.yaml": yaml})
    with pytest.raises(ConfigError) as caught:
        ScanSettings.from_config(load_config(project))
    assert message in str(caught.value) and "\n" not in str(caught.value)


def _lpm(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "releasekit", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_lpm_check_json_carries_location_and_hash_never_the_secret(make_project: Callable[..., Path]) -> None:
    project = make_project(MANIFEST, {"lib/index.js": f"const a = '{AWS_KEY}';\nconst t = '{GITHUB}';\n"})
    run = _lpm("--json", "check", "-k", "no_secrets", str(project), cwd=project)
    assert run.returncode == 1, run.stderr
    assert AWS_KEY not in run.stdout + run.stderr and GITHUB not in run.stdout + run.stderr
    document = json.loads(run.stdout)
    findings = [f for r in document["results"] for f in r["findings"]]
    assert {(f["file"], f["line"], f["rule_id"]) for f in findings} >= {
        ("lib/index.js", 1, "AWS Access Key"),
        ("lib/index.js", 2, "GitHub Token"),
    }
    assert all(len(f["secret_hash"]) == 40 for f in findings)
    human = _lpm("check", "-k", "no_secrets", str(project), cwd=project)
    assert AWS_KEY not in human.stdout + human.stderr
    assert "lib/index.js:1" in human.stdout
    reports = project / "reports"
    reports.mkdir()
    _lpm(
        "check",
        "-k",
        "no_secrets",
        "--sarif",
        str(reports / "out.sarif"),
        "--junitxml",
        str(reports / "out.xml"),
        str(project),
        cwd=project,
    )
    for report in ("out.sarif", "out.xml"):
        text = (reports / report).read_text()
        assert "AWS Access Key" in text and AWS_KEY not in text and GITHUB not in text


def test_lpm_check_update_baseline_then_passes_and_survives_line_churn(
    make_project: Callable[..., Path],
) -> None:
    index = f"const a = '{AWS_KEY}';\n"
    project = make_project(MANIFEST, {"lib/index.js": index})
    assert _lpm("check", "-k", "no_secrets", str(project), cwd=project).returncode == 1
    update = _lpm("check", "--update-baseline", "-k", "no_secrets", str(project), cwd=project)
    assert update.returncode == 0, update.stdout + update.stderr
    baseline = json.loads((project / ".secrets.baseline").read_text())
    [entry] = baseline["results"]["lib/index.js"]
    assert entry["type"] == "AWS Access Key" and entry["line_number"] == 1
    (project / "lib/index.js").write_text("// a new header\n\n" + index)
    assert _lpm("check", "-k", "no_secrets", str(project), cwd=project).returncode == 0
    (project / "lib/index.js").write_text("// a new header\n\n" + index + f"const b = '{GITHUB}';\n")
    run = _lpm("--json", "check", "-k", "no_secrets", str(project), cwd=project)
    assert run.returncode == 1
    findings = [
        f for r in json.loads(run.stdout)["results"] for f in r["findings"] if f["severity"] == "error"
    ]
    assert [(f["line"], f["rule_id"]) for f in findings] == [(4, "GitHub Token")]

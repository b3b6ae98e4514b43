"""Real nox, real lpm: the kit's sessions on temporary projects (venv_backend="none" unless said)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

KIT = """\
from releasekit.nox import KitOptions, register_sessions

register_sessions(KitOptions(venv_backend="none"{extra}))
"""


def kit(extra: str = "") -> str:
    return KIT.format(extra=extra)


def test_nox_lists_the_release_sessions_with_renames_and_selection(nox_run, nox_project) -> None:
    project = nox_project(kit(', names={"stage": "release"}, sessions=("check", "stage", "approve")'))
    result = nox_run(project, "-l")
    assert result.returncode == 0, result.output
    listed = re.findall(r"^[*-] (\S+)", result.stdout, re.M)
    assert listed == ["check", "release", "approve"]
    # check runs on a bare `nox`; staging and approving only when named.
    assert "* check" in result.stdout and "- release" in result.stdout and "- approve" in result.stdout


def test_one_import_registers_the_defaults(nox_run, nox_project) -> None:
    project = nox_project("import releasekit.nox.defaults  # noqa: F401\n")
    result = nox_run(project, "-l")
    assert result.returncode == 0, result.output
    assert re.findall(r"^[*-] (\S+)", result.stdout, re.M) == [
        "check",
        "quality",
        "stage",
        "stage_list",
        "approve",
    ]


def test_stage_dry_run_reports_the_packed_files(nox_run, nox_project, npm_files) -> None:
    project = nox_project(kit())
    text = nox_run(project, "-s", "stage", "--", "--dry-run")
    assert text.returncode == 0, text.output
    assert "releasekit-example@1.0.0" in text.stdout
    assert "Dry run: nothing was staged" in text.stdout
    assert "uv binary not found" not in text.output  # nox's probe for uv is kept quiet
    as_json = nox_run(project, "-s", "stage", "--", "--dry-run", "--json")
    assert as_json.returncode == 0, as_json.output
    files = {f["path"] for f in as_json.json()["data"]["package"]["files"]}
    assert files == npm_files(project)  # what npm itself would pack, noxfile.py and test/ left out
    assert re.search(rf"\b{len(files)} files\b", text.stdout), text.stdout
    assert not (project / ".nox").exists() or not any((project / ".nox").iterdir())  # backend "none": no venv


def test_posargs_win_over_the_kit_defaults(nox_run, nox_project) -> None:
    project = nox_project(kit(', tag="beta"'))
    default = nox_run(project, "-s", "stage", "--", "--dry-run", "--json")
    assert default.json()["data"]["package"]["tag"] == "beta"
    overridden = nox_run(project, "-s", "stage", "--", "--tag", "next", "--dry-run", "--json")
    assert overridden.returncode == 0, overridden.output
    assert overridden.json()["data"]["package"]["tag"] == "next"
    # The command nox logs carries the posarg, not the replaced default.
    assert "--tag beta" not in overridden.stderr and "--tag next" in overridden.stderr


def test_a_usage_error_fails_the_session_with_lpms_message(nox_run, nox_project) -> None:
    project = nox_project(kit())
    result = nox_run(project, "-s", "stage", "--", "--dry-run", "--provenance", "--no-provenance")
    assert result.returncode != 0
    assert "exit code 2" in result.stderr.lower() or "returned 2" in result.stderr.lower(), result.stderr
    assert "Session stage failed" in result.stderr


def test_monorepo_each_package_gets_its_own_result(nox_run, nox_project, tmp_path: Path) -> None:
    root = tmp_path / "mono"
    nox_project("", where="mono/packages/a", manifest={"name": "mono-a"})
    nox_project("", where="mono/packages/b", manifest={"name": "mono-b", "private": True})
    nox_project("", where="mono/packages/c", manifest={"name": "mono-c"})
    for pkg in "abc":
        (root / "packages" / pkg / "noxfile.py").unlink()
    (root / "noxfile.py").write_text(kit(', packages=["packages/a", "packages/b", "packages/c"]'))

    listed = nox_run(root, "-l")
    assert "stage(pkg='packages/a')" in listed.stdout and "stage(pkg='packages/c')" in listed.stdout

    report = tmp_path / "stage-report.json"
    result = nox_run(root, "-s", "stage", "--report", str(report), "--", "--dry-run")
    assert result.returncode != 0  # b is private: its stage fails ...
    assert re.search(r"stage\(pkg='packages/a'\): success", result.stderr), result.stderr
    assert re.search(r"stage\(pkg='packages/b'\): failed", result.stderr), result.stderr
    # ... and does not hide c, which runs after it.
    assert re.search(r"stage\(pkg='packages/c'\): success", result.stderr), result.stderr
    assert "mono-a@1.0.0" in result.stdout and "mono-c@1.0.0" in result.stdout
    results = {r["args"]["pkg"]: r["result"] for r in json.loads(report.read_text())["sessions"]}
    assert results == {"packages/a": "success", "packages/b": "failed", "packages/c": "success"}

    one = nox_run(root, "-s", "stage(pkg='packages/c')", "--", "--dry-run")
    assert one.returncode == 0, one.output
    assert "mono-c@1.0.0" in one.stdout and "mono-a@" not in one.stdout


@pytest.mark.parametrize("env", [{"CI": "true"}, {"GITHUB_ACTIONS": "true"}])
def test_approve_never_runs_on_ci(nox_run, nox_project, env: dict[str, str]) -> None:
    project = nox_project(kit())
    result = nox_run(project, "-s", "approve", "--", "6f1f3c1e-3b7e-4a43-9a8e-6f7d5c2b1a00", env=env)
    assert result.returncode != 0
    assert "never runs on CI" in result.stderr


def test_approve_refuses_without_an_interactive_terminal(nox_run, nox_project) -> None:
    project = nox_project(kit())
    result = nox_run(
        project, "--non-interactive", "-s", "approve", "--", "6f1f3c1e-3b7e-4a43-9a8e-6f7d5c2b1a00"
    )
    assert result.returncode != 0
    assert "needs an interactive terminal" in result.stderr


def test_step_summary_on_a_dry_run_says_nothing_was_staged(nox_run, nox_project, tmp_path: Path) -> None:
    project = nox_project(kit())
    summary = tmp_path / "summary.md"
    result = nox_run(project, "-s", "stage", "--", "--dry-run", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.returncode == 0, result.output
    assert json.loads(result.stdout[result.stdout.index("{") :].split("\nnox >")[0])["data"]["dryRun"] is True
    text = summary.read_text()
    assert "releasekit-example@1.0.0" in text and "Dry run: nothing was staged." in text
    assert "approve" not in text


TEAM_QUALITY = '''\
import releasekit


@releasekit.mark.points(20)
@releasekit.mark.category("documentation")
def policy_has_security_md(package):
    """SECURITY.md is published"""
    assert "SECURITY.md" in package, "no SECURITY.md in the package"
'''


def test_quality_session_scores_with_the_kit_policies_and_gate(nox_run, nox_project) -> None:
    project = nox_project(kit(', policy_paths=["quality-checks"], min_score=90'))
    (project / "quality-checks").mkdir()
    (project / "quality-checks" / "policy_team_quality.py").write_text(TEAM_QUALITY)
    scored = nox_run(project, "-s", "quality", "--", "--json")
    doc = scored.json()
    team = [c for c in doc["checks"] if c["id"].endswith("policy_has_security_md")]
    assert [(c["passed"], c["max_points"]) for c in team] == [(False, 20.0)]
    # The team check (20 points, failing) pulls the example's score below the kit's gate of 90.
    assert doc["min_score"] == 90 and doc["score"] == round(100 * doc["earned"] / doc["applicable"]) < 90
    assert doc["gate_passed"] is False
    assert scored.returncode != 0
    assert "Session quality failed" in scored.stderr
    lowered = nox_run(project, "-s", "quality", "--", "--min-score", "50")
    assert lowered.returncode == 0, lowered.output
    assert "--min-score 90" not in lowered.stderr


def test_a_missing_package_dir_is_one_clear_error(nox_run, nox_project) -> None:
    project = nox_project(kit(', package_dir="packages/nope"'))
    result = nox_run(project, "-s", "stage", "--", "--dry-run")
    assert result.returncode != 0
    assert "package directory packages/nope does not exist" in result.stderr
    assert "Traceback" not in result.output


def test_kit_defaults_for_tag_access_and_provenance_reach_lpm(nox_run, nox_project) -> None:
    project = nox_project(kit(', tag="next", access="public", provenance=True'))
    result = nox_run(project, "-s", "stage", "--", "--dry-run", "--json")
    assert result.returncode == 0, result.output
    data = result.json()["data"]
    assert (data["package"]["tag"], data["package"]["access"]) == ("next", "public")
    assert data["provenance"]["setting"] == "--provenance" and data["provenance"]["attached"] is False
    # --no-provenance after -- replaces the kit's --provenance instead of clashing with it (a usage error).
    off = nox_run(project, "-s", "stage", "--", "--dry-run", "--json", "--no-provenance")
    assert off.returncode == 0, off.output
    assert "--provenance " not in off.stderr.split("releasekit stage publish", 1)[1].split("\n")[0] + " "
    assert (off.json()["data"]["provenance"] or {}).get("setting") != "--provenance"

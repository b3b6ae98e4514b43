"""The nox kit in a workspace root: ``stage -- --recursive`` and ``approve -- --recursive`` through posargs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from releasekit.nox.sessions import _workspace_packages, write_step_summary
from tests.stage.workspace_layouts import make_workspace

KIT = """\
from releasekit.nox import KitOptions, register_sessions

register_sessions(KitOptions(venv_backend="none"))
"""


def test_stage_session_stages_the_workspace_with_filters_and_a_table_summary(
    nox_run, tmp_path: Path, unique_name: Callable[[str], str]
) -> None:
    ws = make_workspace(tmp_path / "ws", unique_name("rknox"), "pnpm")
    (ws.root / "noxfile.py").write_text(KIT)
    summary = tmp_path / "summary.md"
    result = nox_run(
        ws.root,
        "-s",
        "stage",
        "--",
        "--recursive",
        "--dry-run",
        "--filter",
        f"{ws.name('util')}...",
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.returncode == 0, result.output
    doc = json.loads(result.stdout[result.stdout.index("{") :].split("\nnox >")[0])
    assert [p["package"] for p in doc["data"]] == [ws.name("core"), ws.name("util")]
    text = summary.read_text()
    assert "| package | version | result | score | stage id |" in text
    assert f"| {ws.name('util')} | 1.1.0 | would stage |" in text


def test_approve_posargs_recursive_become_every_selected_package(tmp_path: Path, unique_name) -> None:
    ws = make_workspace(tmp_path / "ws", unique_name("rknox"), "npm")
    args = _workspace_packages(
        ["--recursive", "--filter", f"...{ws.name('util')}", "--otp-command", "x"], str(ws.root)
    )
    assert args == ["--all", "--package", ws.name("util"), "--package", ws.name("app"), "--otp-command", "x"]
    everything = _workspace_packages(["-r"], str(ws.root))
    assert [a for a in everything if a != "--package"] == ["--all"] + [
        ws.name(s) for s in ("core", "legacy", "util", "app")
    ]
    assert _workspace_packages(["ID"], str(ws.root)) == ["ID"]  # without --recursive: untouched


def test_step_summary_of_a_refused_workspace_run(tmp_path: Path) -> None:
    summary = tmp_path / "s.md"
    doc = {
        "success": False,
        "error": "policies refused a",
        "data": [
            {"package": "a", "version": "1.0.0", "result": "failed", "score": 40, "stageId": None},
            {"package": "b", "version": "2.0.0", "result": "staged", "score": 99, "stageId": "id-b"},
        ],
    }
    write_step_summary(summary, json.dumps(doc), "ws")
    text = summary.read_text()
    assert "Not staged: policies refused a" in text
    assert "| a | 1.0.0 | failed | 40 |  |" in text and "| b | 2.0.0 | staged | 99 | `id-b` |" in text
    assert "lpm stage approve id-b" in text


def test_step_summary_of_a_tag_build_names_the_verify_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_REF_TYPE", "tag")
    monkeypatch.setenv("GITHUB_REF_NAME", "v1.2.3")
    summary = tmp_path / "summary.md"
    doc = {"success": True, "stageId": "5b1a0000-0000-4000-8000-000000000000", "spec": "demo@1.2.3"}
    write_step_summary(summary, json.dumps(doc), ".")
    text = summary.read_text()
    assert "lpm stage verify 5b1a0000-0000-4000-8000-000000000000 --ref v1.2.3\n" in text
    assert text.index("lpm stage verify") < text.index("lpm stage approve")


def test_init_in_a_workspace_root_scaffolds_for_the_whole_workspace(
    nox_run, tmp_path: Path, unique_name: Callable[[str], str]
) -> None:
    import subprocess
    import sys

    ws = make_workspace(tmp_path / "ws", unique_name("rkinit"), "npm")
    (ws.root / "releasekit.yaml").unlink()  # init writes the root's
    done = subprocess.run(
        [sys.executable, "-m", "releasekit", "init", str(ws.root)],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    noxfile = (ws.root / "noxfile.py").read_text()
    assert 'extra_args={"stage": ("--recursive",), "approve": ("--recursive",)}' in noxfile
    workflow = (ws.root / ".github" / "workflows" / "stage.yml").read_text()
    assert "run: nox -s stage -- --dry-run" in workflow and "nox -s check" not in workflow
    # a package directory inside the workspace is no workspace root: the plain scaffold
    inner = subprocess.run(
        [sys.executable, "-m", "releasekit", "init", "--dry-run", str(ws.dir("core"))],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert inner.returncode == 0 and "--recursive" not in inner.stdout

    listed = nox_run(ws.root, "-l")
    assert listed.returncode == 0, listed.output
    assert "stage" in listed.stdout and "approve" in listed.stdout and "* check" not in listed.stdout
    # `stage -- --dry-run` checks every package, with the root's scaffolded policies and config
    run = nox_run(ws.root, "-s", "stage", "--", "--dry-run", "--json")
    assert run.returncode == 0, run.output
    doc = json.loads(run.stdout[run.stdout.index("{") :].split("\nnox >")[0])
    assert {p["package"] for p in doc["data"]} == {
        ws.name(s) for s in ("core", "util", "app", "internal", "legacy")
    }
    assert all(p["result"] in ("would stage", "skipped") for p in doc["data"])

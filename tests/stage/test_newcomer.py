"""The first hour with lpm: each rough edge a newcomer hit, fixed and pinned here (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def test_publish_without_credentials_says_so_before_packing(
    lpm, example_project, closed_registry, monkeypatch
) -> None:
    monkeypatch.chdir(example_project())
    run = lpm("stage", "publish", "-y", "--npm-registry", closed_registry)
    assert run.code == 1, run.text
    assert "no npm credentials" in run.err and "NPM_TOKEN" in run.err
    assert "Packed" not in run.out and "passed" not in run.out  # neither packed nor checked first
    as_json = lpm("stage", "publish", "-y", "--json", "--npm-registry", closed_registry)
    assert as_json.code == 1 and as_json.json()["error_code"] == "auth_required"
    # a dry run uses no auth, so it still needs none
    dry = lpm("stage", "publish", "--dry-run", "--npm-registry", closed_registry)
    assert dry.code == 0, dry.text


def test_dry_run_summarises_a_long_file_list_on_a_terminal(lpm, example_project, monkeypatch) -> None:
    project = example_project()
    for n in range(40):
        (project / "lib" / f"part{n:02}.js").write_text(f"export const n = {n};\n")
    monkeypatch.chdir(project)
    listed = lpm("stage", "publish", "--dry-run")  # not a terminal: every file
    assert listed.code == 0, listed.text
    total = listed.out.count("lib/part")
    assert total == 40 and "more files" not in listed.out

    monkeypatch.setattr("releasekit.cli.stage.stdout_is_tty", lambda: True)
    summary = lpm("stage", "publish", "--dry-run")
    shown = [line for line in summary.out.splitlines() if line.startswith("  ") and "B  " in line]
    assert len(shown) == 20 and "more files" in summary.out and "-v or --json" in summary.out
    verbose = lpm("stage", "publish", "--dry-run", "-v")
    assert verbose.out.count("lib/part") == 40 and "more files" not in verbose.out
    as_json = lpm("stage", "publish", "--dry-run", "--json")
    assert sum(f["path"].startswith("lib/part") for f in as_json.json()["data"]["package"]["files"]) == 40


def test_a_mistyped_command_gets_a_suggestion(lpm) -> None:
    run = lpm("chek")
    assert run.code == 2 and "Error: No such command 'chek'. Did you mean 'check'?" in run.err
    assert "Did you mean 'approve'?" in lpm("stage", "aprove").err


def test_top_level_help_does_not_offer_an_unused_registry_flag(lpm) -> None:
    run = lpm("--help")
    assert run.code == 0 and "--registry" not in run.out
    assert "use --npm-registry" in lpm("--registry", "http://x/", "stage", "list").err


def test_init_warns_without_package_json_and_names_the_folder_cleanly(
    lpm, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run = lpm("init")
    assert run.code == 0, run.text
    assert "Warning:" in run.err and "no package.json" in run.err
    assert "set up in this folder;" in run.out and ".." not in run.out
    project = tmp_path / "web"
    project.mkdir()
    (project / "package.json").write_text(json.dumps({"name": "web", "version": "1.0.0"}))
    quiet = lpm("init", "web")
    assert quiet.code == 0 and "Warning" not in quiet.err and "set up in web;" in quiet.out


ENTRY = {
    "id": "16d10774-3c3d-4316-8338-26e68902cb21",
    "packageName": "@some-scope/a-rather-long-package-name",
    "version": "1.10.0-beta.3",
    "tag": "next",
    "access": "public",
    "actor": "someone",
    "actorType": "user",
    "createdAt": "2026-11-25T15:52:03.123Z",
    "shasum": "0123456789abcdef0123456789abcdef01234567",
}


@pytest.mark.parametrize("columns", [80, 150, 220])
def test_stage_list_never_breaks_a_name_or_an_id(columns: int, monkeypatch, capsys) -> None:
    from releasekit.cli.stage import _print_entries

    monkeypatch.setenv("COLUMNS", str(columns))
    _print_entries("http://127.0.0.1:1/", [ENTRY])
    out = capsys.readouterr().out
    for value in ("@some-scope/a-rather-long-package-name", ENTRY["id"], ENTRY["shasum"], ENTRY["createdAt"]):
        assert value in out, (columns, out)
    assert ("┃ Stage id" in out) is (columns >= 200)  # a table only when every cell fits on one line

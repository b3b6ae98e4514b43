"""File names and registry strings are shown, never interpreted: no markup, no escape sequences."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from releasekit.package.pack import pack_project
from tests.lpm_runner import Run
from tests.security.echo_registry import STAGE_ID, EchoRegistry

ESC_NAME = "evil\x1b[31mred.js"
NEWLINE_NAME = "new\nline.js"
BIDI_NAME = "txt.\u202ejs"
MARKUP_DIR = "lib["  # holds "x]": the path lib[/x] is a closing tag to rich


def hostile_names(root: Path) -> Path:
    root.mkdir()
    manifest = {"name": "rk-names-demo", "version": "1.0.0", "description": "hostile file names"}
    (root / "package.json").write_text(json.dumps(manifest) + "\n")
    (root / MARKUP_DIR).mkdir()
    (root / MARKUP_DIR / "x]").write_text("eval(process.argv[2])\n")  # a content signal that names the file
    for name in (ESC_NAME, NEWLINE_NAME, BIDI_NAME):
        (root / name).write_text("module.exports = 1;\n")
    return root


def assert_safe(run: Run) -> None:
    assert run.code != 3, run.text
    for raw in ("\x1b", "\u202e", "new\nline"):
        assert raw not in run.text, f"lpm {' '.join(run.args)} printed {raw!r} raw:\n{run.text}"


def test_hostile_file_names_in_every_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lpm: Callable[..., Run]
) -> None:
    project = hostile_names(tmp_path / "project")
    package = pack_project(project)
    monkeypatch.chdir(project)
    monkeypatch.setenv("NPM_TOKEN", "tok-names-0001")
    runs = []
    with EchoRegistry(staged=("rk-names-demo", "1.0.0", package.tarball)) as registry:
        for columns in ("80", "200"):
            monkeypatch.setenv("COLUMNS", columns)
            for args in (
                ("check", ".", "-v"),
                ("quality", "."),
                ("pack", ".", "--dry-run"),
                ("stage", "publish", "--dry-run", "--npm-registry", registry.url),
                ("stage", "diff", STAGE_ID, "--patch", "--npm-registry", registry.url),
                (
                    "stage",
                    "download",
                    STAGE_ID,
                    "-o",
                    str(tmp_path / f"dl{columns}.tgz"),
                    "--npm-registry",
                    registry.url,
                ),
                ("stage", "approve", STAGE_ID, "--otp", "123456", "--yes", "--npm-registry", registry.url),
            ):
                run = lpm(*args)
                assert_safe(run)
                runs.append(run)
    shown = "".join(r.text for r in runs)
    assert "lib[/x]" in shown  # printed as itself, not taken as a closing tag
    assert "evil\\x1b[31mred.js" in shown and "new\\nline.js" in shown and "txt.\\u202ejs" in shown


def test_registry_strings_with_escapes_and_markup(
    monkeypatch: pytest.MonkeyPatch, lpm: Callable[..., Run]
) -> None:
    monkeypatch.setenv("NPM_TOKEN", "tok-names-0002")
    fields = {
        "actor": "mallory\x1b]0;pwned\x07[/bold]",
        "tag": "next\r\nforged: line",
        "access": "[red]public",
    }
    with EchoRegistry(fields=fields) as registry:
        for columns in ("60", "250"):
            monkeypatch.setenv("COLUMNS", columns)
            run = lpm(
                "stage",
                "approve",
                "--all",
                "--skip-checks",
                "--otp",
                "123456",
                "--yes",
                "--npm-registry",
                registry.url,
            )
            assert_safe(run)
            assert "\\r" in run.text and "\\n" in run.text  # the batch summary's tag column, shown
            for args in (("list",), ("view", STAGE_ID)):
                run = lpm("stage", *args, "--npm-registry", registry.url)
                assert run.code == 0, run.text
                assert_safe(run)
                assert "\r" not in run.text and "\x07" not in run.text
                assert "mallory\\x1b]0;pwned\\x07[/bold]" in run.text
                assert "[red]public" in run.text


def test_markup_in_a_report_line_never_crashes(tmp_path: Path, lpm: Callable[..., Run]) -> None:
    project = hostile_names(tmp_path / "project")
    (project / "[bold]x[").mkdir()
    (project / "[bold]x[" / "nope].js").write_text('const aws = "AKIAZ5R3QWERTY7UIOPL";\n')
    run = lpm("check", str(project), "-v")
    assert run.code == 1, run.text  # the secret fails the gate; its file is named as itself
    assert "[bold]x[/nope].js:1" in run.text
    assert_safe(run)

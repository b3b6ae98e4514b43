"""Every refusal of the packer: one clear line, a non-zero exit, nothing written."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from releasekit.cli import main
from releasekit.config import Config
from releasekit.errors import ManifestError, PackError
from releasekit.package.manifest import publish_settings
from releasekit.package.pack import pack_project

OK = {"name": "ok", "version": "1.0.0"}


def test_private_is_refused(layout: Any) -> None:
    with pytest.raises(PackError, match='"private": true'):
        pack_project(layout({**OK, "private": True}, {"a.js": "a"}))


def test_symlink_escaping_the_package_is_refused(layout: Any, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("s")
    project = layout(OK, {"a.js": "a"})
    os.symlink(outside, project / "leak.txt")
    with pytest.raises(PackError, match=r"leak.txt: symlink points outside the package"):
        pack_project(project)


def test_symlink_inside_the_package_is_skipped_like_npm(layout: Any) -> None:
    project = layout(OK, {"a.js": "a"})
    os.symlink("a.js", project / "b.js")
    assert [f.path for f in pack_project(project)] == ["a.js", "package.json"]


def test_ignored_escaping_symlink_is_not_a_problem(layout: Any, tmp_path: Path) -> None:
    project = layout({**OK, "files": ["a.js"]}, {"a.js": "a"})
    os.symlink(tmp_path, project / "elsewhere")
    assert "a.js" in pack_project(project)


@pytest.mark.parametrize(
    "extra,what",
    [
        ({"files": ["../outside"]}, '"files" entry'),
        ({"files": ["lib/../../x"]}, '"files" entry'),
        ({"main": "../index.js"}, '"main"'),
        ({"bin": "../cli.js"}, '"bin" target'),
        ({"bin": {"x": "../../cli.js"}}, '"bin" target'),
    ],
)
def test_paths_escaping_the_root_are_refused(layout: Any, extra: dict[str, Any], what: str) -> None:
    with pytest.raises(PackError, match=f"{what}.*escapes the package root"):
        pack_project(layout({**OK, **extra}, {"a.js": "a"}))


@pytest.mark.parametrize(
    "text,message",
    [
        ('{"name": "x",\n  "version": "1.0.0",,\n}', r"package.json:2:\d+: invalid JSON"),
        ("[1, 2]", r"must be a JSON object"),
        ('{"version": "1.0.0"}', r'"name" is missing'),
        ('{"name": "x"}', r'"version" is missing'),
        ('{"name": "Bad Name", "version": "1.0.0"}', r'invalid "name"'),
        ('{"name": "x", "version": "one"}', r'invalid "version"'),
        ('{"name": "x", "version": "1.0.0", "files": "lib"}', r'"files" must be an array'),
    ],
)
def test_bad_manifests(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "package.json").write_text(text)
    with pytest.raises(ManifestError, match=message):
        pack_project(tmp_path)


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="package.json not found"):
        pack_project(tmp_path)


def test_entry_and_size_limits(layout: Any) -> None:
    project = layout(OK, {f"f{i}.js": str(i) * 2000 for i in range(5)})
    with pytest.raises(PackError, match=r"6 entries, over the limit of 5 \(pack.max_entries\)"):
        pack_project(project, Config({"pack": {"max_entries": 5, "max_size": 500_000_000}}))
    with pytest.raises(PackError, match=r"over the 100-byte limit \(pack.max_size\)"):
        pack_project(project, Config({"pack": {"max_entries": 100, "max_size": 100}}))
    assert len(pack_project(project, Config({"pack": {"max_entries": 6, "max_size": 10_000}})).files) == 6


def test_limits_come_from_releasekit_yaml(layout: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    project = layout(OK, {"a.js": "a", "releasekit.yaml": "pack:\n  max_entries: 1\n"})
    monkeypatch.chdir(project)
    assert main(["pack", str(project)]) == 1
    assert not list(project.glob("*.tgz"))


def test_publish_config_is_applied_and_settings_exposed(layout: Any) -> None:
    manifest = {
        **OK,
        "main": "src/index.ts",
        "publishConfig": {
            "main": "dist/index.js",
            "types": "dist/index.d.ts",
            "bin": {"x": "dist/cli.js"},
            "registry": "https://r.example/",
            "tag": "next",
            "access": "public",
        },
    }
    packed = pack_project(layout(manifest, {"src/index.ts": "", "dist/index.js": "", "dist/cli.js": ""}))
    cli = packed.get("dist/cli.js")
    assert cli is not None and cli.mode == 0o755 and packed.manifest["bin"] == {"x": "dist/cli.js"}
    assert packed.manifest["main"] == "dist/index.js" and packed.manifest["types"] == "dist/index.d.ts"
    assert packed.manifest["publishConfig"] == {
        "registry": "https://r.example/",
        "tag": "next",
        "access": "public",
    }
    assert json.loads(packed.read("package.json"))["main"] == "dist/index.js"
    assert publish_settings(manifest) == {"registry": "https://r.example/", "tag": "next", "access": "public"}


# ---------------------------------------------------------------- the CLI
def test_cli_writes_tarball_atomically_and_replaces(
    layout: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    project = layout({"name": "@sc/demo", "version": "1.2.3"}, {"a.js": "a"})
    out = tmp_path / "out"
    out.mkdir()
    (out / "sc-demo-1.2.3.tgz").write_bytes(b"old")
    monkeypatch.chdir(out)
    assert main(["--json", "pack", str(project)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["success"] is True and doc["package"]["filename"] == "sc-demo-1.2.3.tgz"
    assert (out / "sc-demo-1.2.3.tgz").read_bytes() == pack_project(project).tarball
    assert sorted(p.name for p in out.iterdir()) == ["sc-demo-1.2.3.tgz"]  # no temp file left


def test_cli_dry_run_writes_nothing(
    layout: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    project = layout(OK, {"a.js": "a"})
    monkeypatch.chdir(tmp_path)
    assert main(["pack", "--dry-run", str(project)]) == 0
    text = capsys.readouterr().out
    assert "ok@1.0.0" in text and "a.js" in text and "integrity:     sha512-" in text
    assert not list(tmp_path.glob("*.tgz"))


def test_cli_refusal_is_one_json_line_error(
    layout: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    project = layout({**OK, "private": True}, {"a.js": "a"})
    monkeypatch.chdir(tmp_path)
    assert main(["--json", "pack", str(project)]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["success"] is False and '"private": true' in doc["error"]
    assert not list(tmp_path.glob("*.tgz"))


def test_cli_bad_manifest_is_usage_error(tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "package.json").write_text("{")
    assert main(["pack", "--dry-run", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "invalid JSON" in err[0]


def test_cli_pack_destination(layout: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = layout(OK, {"a.js": "a"})
    dest = tmp_path / "dest"
    dest.mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["pack", "--pack-destination", str(dest), str(project)]) == 0
    assert [p.name for p in dest.iterdir()] == ["ok-1.0.0.tgz"]
    assert main(["pack", "--pack-destination", str(tmp_path / "missing"), str(project)]) == 2


def test_non_utf8_file_name_is_refused(layout: Any) -> None:
    project = layout(OK, {"a.js": "a"})
    (project / os.fsdecode(b"bad\xff.js")).write_text("x")
    with pytest.raises(PackError, match="not valid UTF-8"):
        pack_project(project)

"""`lpm init`: scaffold, never overwrite without --force, --dry-run, and the end-to-end path to `lpm check`."""

from __future__ import annotations

import copy
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from releasekit.config import load_config, load_schema
from releasekit.scaffold import render_config, templates_dir

EXPECTED = {
    ".github/workflows/stage.yml",
    "noxfile.py",
    "policies/policy_example.py",
    "policies/policyconf.py",
    "releasekit.yaml",
}


def lpm(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "releasekit", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_templates_are_what_init_writes() -> None:
    root = templates_dir()
    assert {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} == EXPECTED


def test_init_writes_every_template_and_reports_json(tmp_path: Path) -> None:
    result = lpm("--json", "init", str(tmp_path))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["success"] is True and doc["dryRun"] is False
    assert {f["path"]: f["action"] for f in doc["files"]} == dict.fromkeys(EXPECTED, "create")
    assert set(tree(tmp_path)) == EXPECTED
    assert (tmp_path / "noxfile.py").read_bytes() == (templates_dir() / "noxfile.py").read_bytes()
    assert oct((tmp_path / "noxfile.py").stat().st_mode & 0o777) == oct(0o644)


def test_dry_run_shows_the_plan_and_writes_nothing(tmp_path: Path) -> None:
    result = lpm("init", "--dry-run", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []
    for path in EXPECTED:
        assert re.search(rf"would create\s+{re.escape(path)}", result.stdout), path
    assert "Dry run: nothing written." in result.stdout
    assert "register_sessions(" in result.stdout  # the content it would write is shown


def test_existing_files_are_never_overwritten_without_force(tmp_path: Path) -> None:
    (tmp_path / "noxfile.py").write_text("# my own noxfile\n")
    (tmp_path / "policies").mkdir()
    result = lpm("init", str(tmp_path))
    assert result.returncode == 1
    assert (
        result.stderr.startswith("Error: ") and "would overwrite noxfile.py; nothing written" in result.stderr
    )
    assert "--force" in result.stderr
    # All or nothing: not even the files that did not exist were written.
    assert tree(tmp_path) == {"noxfile.py": b"# my own noxfile\n"}

    dry = lpm("--json", "init", "--dry-run", "--force", str(tmp_path))
    assert {f["path"]: f["action"] for f in json.loads(dry.stdout)["files"]}["noxfile.py"] == "overwrite"
    assert tree(tmp_path) == {"noxfile.py": b"# my own noxfile\n"}

    forced = lpm("init", "--force", str(tmp_path))
    assert forced.returncode == 0, forced.stderr
    assert "overwrite" in forced.stdout
    assert b"register_sessions" in (tmp_path / "noxfile.py").read_bytes()


def test_a_second_init_keeps_identical_files_and_succeeds(tmp_path: Path) -> None:
    assert lpm("init", str(tmp_path)).returncode == 0
    before = tree(tmp_path)
    again = lpm("--json", "init", str(tmp_path))
    assert again.returncode == 0, again.stderr
    assert {f["action"] for f in json.loads(again.stdout)["files"]} == {"unchanged"}
    assert tree(tmp_path) == before


def test_force_replaces_a_symlink_and_never_writes_through_it(tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text("precious\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "noxfile.py").symlink_to(outside)
    assert lpm("init", str(project)).returncode == 1
    assert lpm("init", "--force", str(project)).returncode == 0
    assert outside.read_text() == "precious\n"
    assert not (project / "noxfile.py").is_symlink()


@pytest.mark.parametrize("setup", ["missing", "file"])
def test_a_path_that_is_not_a_directory_is_a_usage_error(tmp_path: Path, setup: str) -> None:
    target = tmp_path / "nope"
    if setup == "file":
        target.write_text("x")
    result = lpm("--json", "init", str(target))
    assert result.returncode == 2
    doc = json.loads(result.stdout)
    assert doc["success"] is False and doc["error_code"] == "usage"
    assert not (tmp_path / "nope").is_dir()


def test_a_directory_where_a_file_goes_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "noxfile.py").mkdir()
    result = lpm("init", "--force", str(tmp_path))
    assert result.returncode == 2
    assert "is a directory" in result.stderr
    assert set(tree(tmp_path)) == set()


# -- releasekit.yaml -------------------------------------------------------------------


def _explained(text: str, key: str) -> bool:
    """``key`` is set with a comment line above it, or documented in a comment."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(rf"^\s*{re.escape(key)}:", line):
            return i > 0 and lines[i - 1].lstrip().startswith("#") or "#" in line
        if re.match(rf"^#\s+{re.escape(key)}:\s", line):
            return True
    return False


def test_the_written_config_is_valid_and_explains_every_schema_key(tmp_path: Path) -> None:
    assert lpm("init", str(tmp_path)).returncode == 0
    text = (tmp_path / "releasekit.yaml").read_text()
    config = load_config(tmp_path)
    assert config.path is not None
    schema = load_schema()
    for section, spec in schema["properties"].items():
        assert re.search(rf"^# .+\n{section}:", text, re.M), f"section {section} has no comment"
        for key, prop in spec.get("properties", {}).items():
            assert _explained(text, key), f"{section}.{key} is not explained in releasekit.yaml"
            if "default" in prop:
                assert config.get(f"{section}.{key}") == prop["default"]


def test_round_trip_edits_keep_the_comments(tmp_path: Path) -> None:
    assert lpm("init", str(tmp_path)).returncode == 0
    path = tmp_path / "releasekit.yaml"
    original = path.read_text()
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    doc = yaml.load(original)
    doc["quality"]["min_score"] = 70
    out = io.StringIO()
    yaml.dump(doc, out)
    path.write_text(out.getvalue())
    comments = [line for line in original.splitlines() if line.lstrip().startswith("#")]
    assert comments and all(c in out.getvalue().splitlines() for c in comments)
    assert load_config(tmp_path).get("quality.min_score") == 70


def test_keys_the_schema_gains_later_are_added_with_their_description() -> None:
    schema = copy.deepcopy(load_schema())
    schema["properties"]["pack"]["properties"]["gzip_level"] = {
        "type": "integer",
        "default": 9,
        "description": "gzip level.",
    }
    schema["properties"]["stage"]["properties"]["wait"] = {
        "type": "boolean",
        "description": "Wait for approval.",
    }
    schema["properties"]["newsection"] = {
        "type": "object",
        "description": "A new section.",
        "properties": {"a": {"type": "string", "default": "x", "description": "Key a."}},
    }
    template = (templates_dir() / "releasekit.yaml").read_text()
    text = render_config(template, schema)
    assert "  # gzip level.\n  gzip_level: 9\n\n# Defaults for `lpm stage publish`" in text
    assert "wait (Wait for approval)" in text
    assert "# A new section.\nnewsection:\n  # Key a.\n  a: x" in text
    data = YAML(typ="safe").load(text)
    assert data["pack"]["gzip_level"] == 9 and data["stage"] == {}


# -- end to end --------------------------------------------------------------------------


@pytest.mark.registry
def test_init_then_nox_list_then_lpm_check(
    tmp_path: Path, make_project, verdaccio, registry_user, unique_name
) -> None:
    name = unique_name("kit-init")
    project = make_project(
        {
            "name": name,
            "version": "1.0.0",
            "description": "a package made by lpm init's test",
            "license": "MIT",
            "main": "index.js",
        },
        files={
            "index.js": "export const hi = () => 'hi';\nconsole.log('loaded');\n",
            "CHANGELOG.md": "# Changelog\n\n## 1.0.0\n\n- first\n",
        },
    )
    verdaccio.publish(project, registry_user.token)
    assert set(tree(project)) == {"package.json", "index.js", "CHANGELOG.md"}

    init = lpm("init", str(project))
    assert init.returncode == 0, init.stderr

    listed = subprocess.run(
        [sys.executable, "-m", "nox", "-l"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )
    assert listed.returncode == 0, listed.stderr
    assert re.findall(r"^[*-] (\S+)", listed.stdout, re.M) == [
        "check",
        "quality",
        "stage",
        "stage_list",
        "approve",
    ]

    # Point the versions policies at the test registry, editing the file the way a user would.
    yaml = YAML(typ="rt")
    doc = yaml.load((project / "releasekit.yaml").read_text())
    doc["stage"]["registry"] = verdaccio.url
    with (project / "releasekit.yaml").open("w") as fh:
        yaml.dump(doc, fh)

    checked = lpm("--json", "check", "--remote", cwd=project)
    # 1.0.0 is already published, so the version rule refuses it ...
    outcomes = {r["name"]: r for r in json.loads(checked.stdout)["results"]}
    assert checked.returncode == 1
    assert outcomes["policy_version_not_published"]["outcome"] == "failed"
    # ... while the scaffolded example policies ran, with the fixture from policyconf.py.
    assert outcomes["policy_changelog_mentions_version"]["outcome"] == "passed"
    warned = outcomes["policy_no_console_log"]
    assert warned["outcome"] == "warned"
    assert [(f["file"], f["line"]) for f in warned["findings"]] == [("index.js", 2)]

    manifest = json.loads((project / "package.json").read_text())
    (project / "package.json").write_text(json.dumps({**manifest, "version": "1.0.1"}))
    failed = lpm("check", "--remote", cwd=project)
    assert failed.returncode == 1
    assert "CHANGELOG has no entry for 1.0.1" in failed.stdout

    (project / "CHANGELOG.md").write_text("# Changelog\n\n## 1.0.1\n\n- second\n\n## 1.0.0\n\n- first\n")
    passed = lpm("check", "--remote", cwd=project)
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_the_workflow_stages_with_oidc_and_provenance_and_summarises() -> None:
    text = (templates_dir() / ".github" / "workflows" / "stage.yml").read_text()
    workflow = YAML(typ="safe").load(text)
    assert workflow["permissions"]["id-token"] == "write"
    assert workflow["permissions"]["contents"] == "read"
    steps = workflow["jobs"]["stage"]["steps"]
    runs = [step.get("run", "") for step in steps]
    stage = [r for r in runs if "nox -s stage" in r]
    assert stage and "--provenance" in stage[0] and "--access public" in stage[0]
    assert any("nox -s check" in r for r in runs)
    # No long-lived npm token: auth is the job's OIDC identity.
    assert "NPM_TOKEN" not in text and "secrets." not in text
    # The approve command reaches the job summary through the stage session.
    assert "$GITHUB_STEP_SUMMARY" in text

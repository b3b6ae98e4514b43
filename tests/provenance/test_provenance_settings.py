"""Where the provenance setting comes from: flags, publishConfig, releasekit.yaml, env, .npmrc; and access."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from releasekit.config import load_config
from releasekit.errors import ConfigError, ManifestError, UsageError
from releasekit.options import StageOptions
from releasekit.provenance.settings import (
    check_flags,
    require_public,
    resolve_setting,
    setting_from_options,
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root


def _user_npmrc(text: str) -> dict[str, str]:
    import os

    path = Path(os.environ["HOME"]) / ".npmrc"
    path.write_text(text)
    return {"HOME": os.environ["HOME"]}


# -- flag exclusions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"provenance": True, "no_provenance": True}, "--provenance and --no-provenance"),
        ({"provenance": True, "provenance_file": "b.json"}, "--provenance and --provenance-file"),
    ],
)
def test_provenance_flag_goes_alone(flags: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message) as info:
        check_flags(**flags)
    assert info.value.exit_code == 2


def test_provenance_and_file_refused_when_resolving_too(project: Path) -> None:
    with pytest.raises(UsageError, match="--provenance and --provenance-file"):
        resolve_setting(provenance=True, provenance_file="bundle.json", project_dir=project, env={})


@pytest.mark.parametrize(
    "flags", [{}, {"provenance": True}, {"no_provenance": True}, {"provenance_file": "b.json"}]
)
def test_single_flags_are_accepted(flags: dict[str, Any]) -> None:
    check_flags(**flags)


# -- precedence ----------------------------------------------------------------------------------


def test_nothing_set_means_off(project: Path) -> None:
    setting = resolve_setting(manifest={}, project_dir=project, env={})
    assert (setting.mode, setting.source) == ("off", "default")


def test_flags_beat_every_other_layer(project: Path) -> None:
    (project / ".npmrc").write_text("provenance=true\n")
    manifest = {"publishConfig": {"provenance": True}}
    env = {"NPM_CONFIG_PROVENANCE": "true"}
    off = resolve_setting(provenance=False, manifest=manifest, project_dir=project, env=env)
    assert (off.mode, off.source) == ("off", "--no-provenance")

    manifest_off = {"publishConfig": {"provenance": False}}
    on = resolve_setting(provenance=True, manifest=manifest_off, project_dir=project, env={})
    assert (on.mode, on.source) == ("generate", "--provenance")

    filed = resolve_setting(
        provenance_file="dist/bundle.json", manifest=manifest, project_dir=project, env=env
    )
    assert (filed.mode, filed.path) == ("file", project / "dist" / "bundle.json")


def test_publish_config_beats_env_and_npmrc(project: Path) -> None:
    (project / ".npmrc").write_text("provenance=true\n")
    setting = resolve_setting(
        manifest={"publishConfig": {"provenance": False}},
        project_dir=project,
        env={"NPM_CONFIG_PROVENANCE": "true"},
    )
    assert (setting.mode, setting.source) == ("off", "package.json publishConfig.provenance")
    setting = resolve_setting(manifest={"publishConfig": {"provenance": True}}, project_dir=project, env={})
    assert setting.mode == "generate"


def test_releasekit_yaml_sits_below_publish_config_above_env(project: Path) -> None:
    (project / "releasekit.yaml").write_text("stage:\n  provenance: true\n")
    config = load_config(project)
    setting = resolve_setting(
        manifest={}, project_dir=project, config=config, env={"NPM_CONFIG_PROVENANCE": "false"}
    )
    assert (setting.mode, setting.source) == ("generate", "releasekit.yaml stage.provenance")
    beaten = resolve_setting(
        manifest={"publishConfig": {"provenance": False}}, project_dir=project, config=config, env={}
    )
    assert beaten.mode == "off"


def test_env_beats_npmrc(project: Path) -> None:
    (project / ".npmrc").write_text("provenance=true\n")
    setting = resolve_setting(manifest={}, project_dir=project, env={"NPM_CONFIG_PROVENANCE": "false"})
    assert (setting.mode, setting.source) == ("off", "NPM_CONFIG_PROVENANCE")
    lower = resolve_setting(manifest={}, project_dir=project, env={"npm_config_provenance": "true"})
    assert (lower.mode, lower.source) == ("generate", "npm_config_provenance")


def test_project_npmrc_beats_user_npmrc(project: Path) -> None:
    env = _user_npmrc("provenance=true\n")
    (project / ".npmrc").write_text("# release settings\nprovenance = false\n")
    setting = resolve_setting(manifest={}, project_dir=project, env=env)
    assert setting.mode == "off" and setting.source.startswith("project .npmrc")


def test_user_npmrc_is_the_last_layer(project: Path) -> None:
    env = _user_npmrc("registry=https://registry.npmjs.org/\nprovenance=true\n")
    (project / ".npmrc").write_text("fund=false\n")
    setting = resolve_setting(manifest={}, project_dir=project, env=env)
    assert setting.mode == "generate" and setting.source.startswith("user .npmrc")


def test_userconfig_env_names_the_user_npmrc(project: Path, tmp_path: Path) -> None:
    custom = tmp_path / "custom.npmrc"
    custom.write_text("provenance=true\n")
    setting = resolve_setting(manifest={}, project_dir=project, env={"NPM_CONFIG_USERCONFIG": str(custom)})
    assert setting.mode == "generate" and str(custom) in setting.source


@pytest.mark.parametrize(
    ("layer", "error"),
    [
        ({"manifest": {"publishConfig": {"provenance": "yes please"}}}, ManifestError),
        ({"env": {"NPM_CONFIG_PROVENANCE": "maybe"}}, UsageError),
    ],
)
def test_invalid_values_are_one_line_errors(
    project: Path, layer: dict[str, Any], error: type[Exception]
) -> None:
    kwargs: dict[str, Any] = {"manifest": {}, "env": {}, **layer}
    with pytest.raises(error, match="provenance must be true or false"):
        resolve_setting(project_dir=project, **kwargs)


def test_invalid_npmrc_value(project: Path) -> None:
    (project / ".npmrc").write_text("provenance=sometimes\n")
    with pytest.raises(ConfigError, match=r"\.npmrc: provenance must be true or false"):
        resolve_setting(manifest={}, project_dir=project, env={})


def test_setting_from_stage_options(project: Path) -> None:
    options = StageOptions(provenance=None)
    setting = setting_from_options(
        options, manifest={"publishConfig": {"provenance": True}}, project_dir=project, env={}
    )
    assert setting.mode == "generate"
    assert (
        setting_from_options(
            StageOptions(provenance=False),
            manifest={"publishConfig": {"provenance": True}},
            project_dir=project,
            env={},
        ).mode
        == "off"
    )


# -- access ----------------------------------------------------------------------------------------


def test_provenance_requires_public_access(project: Path) -> None:
    setting = resolve_setting(provenance=True, project_dir=project, env={})
    with pytest.raises(UsageError, match="pass --access public"):
        require_public(setting, "@octo/widget", "restricted")
    with pytest.raises(UsageError, match="access is restricted; pass --access public"):
        require_public(setting, "@octo/widget", None)  # scoped packages default to restricted
    require_public(setting, "@octo/widget", "public")
    require_public(setting, "widget", None)  # unscoped packages default to public


def test_access_rule_applies_to_files_and_not_when_off(project: Path) -> None:
    filed = resolve_setting(provenance_file="b.json", project_dir=project, env={})
    with pytest.raises(UsageError, match="--access public"):
        require_public(filed, "@octo/widget", "restricted")
    off = resolve_setting(provenance=False, project_dir=project, env={})
    require_public(off, "@octo/widget", "restricted")


# -- the same rules through the CLI ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--provenance", "--no-provenance"], "--provenance and --no-provenance cannot be used together"),
        (
            ["--provenance", "--provenance-file", "bundle.json"],
            "--provenance and --provenance-file cannot be used together",
        ),
    ],
)
def test_cli_refuses_provenance_with_other_flags(
    flags: list[str],
    message: str,
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    from releasekit.cli import main, output

    (project / "package.json").write_text('{"name": "demo", "version": "1.0.0"}')
    (project / "bundle.json").write_text("{}")
    monkeypatch.chdir(project)
    output._state["json"] = False
    assert main(["stage", "publish", *flags, "-y", "--dry-run"]) == 2
    assert message in capsys.readouterr().err
    output._state["json"] = False
    assert main(["--json", "stage", "publish", *flags, "-y", "--dry-run"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert (doc["success"], doc["error_code"], doc["error"]) == (False, "usage", message)


def test_cli_refuses_provenance_for_restricted_access(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from releasekit.cli import main, output

    (project / "package.json").write_text(
        '{"name": "@octo/demo", "version": "1.0.0", "publishConfig": {"provenance": true}}'
    )
    monkeypatch.chdir(project)
    output._state["json"] = False
    assert main(["stage", "publish", "-y", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "@octo/demo: provenance needs public access, but access is restricted; pass --access public" in err

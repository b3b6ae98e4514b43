"""The version and tag rules against the real Verdaccio, with packages published into it by npm."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from releasekit.package.pack import pack_project
from releasekit.testing.verdaccio import Verdaccio

from .conftest import REMOTE_RULES, run_rules

pytestmark = pytest.mark.registry


@pytest.fixture
def token_env(monkeypatch: pytest.MonkeyPatch, registry_user) -> str:
    monkeypatch.setenv("NPM_TOKEN", registry_user.token)
    return registry_user.token


def test_a_new_version_of_an_existing_package_passes_every_rule(
    verdaccio: Verdaccio, unique_name: Callable, publish: Callable, package_dir: Callable, token_env: str
) -> None:
    name = unique_name("ok")
    publish(name, "1.0.0")
    run = run_rules(package_dir(name, "1.1.0"), registry=verdaccio.url)
    assert run.refused == {}
    assert {n: run.outcome(n) for n in REMOTE_RULES} == dict.fromkeys(REMOTE_RULES, "passed")


def test_package_must_exist(verdaccio: Verdaccio, unique_name: Callable, package_dir: Callable) -> None:
    name = unique_name("missing")
    project = package_dir(name, "1.0.0")
    run = run_rules(project, registry=verdaccio.url)
    assert run.outcome("policy_package_exists") == "failed"
    assert run.message("policy_package_exists").startswith(
        f"package-exists: {name} does not exist on {verdaccio.url}"
    )
    # A missing package has no published versions to collide with: only the existence rule refuses.
    assert set(run.refused) == {"policy_package_exists"}

    (project / "releasekit.yaml").write_text("versions:\n  require_existing_package: false\n")
    relaxed = run_rules(project, registry=verdaccio.url)
    assert relaxed.outcome("policy_package_exists") == "skipped"
    assert "versions.require_existing_package: false" in relaxed.message("policy_package_exists")
    assert relaxed.refused == {}


def test_version_already_published(
    verdaccio: Verdaccio, unique_name: Callable, publish: Callable, package_dir: Callable
) -> None:
    name = unique_name("dup")
    publish(name, "1.0.0", "1.1.0")
    run = run_rules(package_dir(name, "1.0.0"), registry=verdaccio.url)
    assert run.outcome("policy_version_not_published") == "failed"
    assert run.message("policy_version_not_published") == (
        f"version-not-published: {name}@1.0.0 is already published on {verdaccio.url} (latest is 1.1.0); bump the version"
    )


def test_version_already_staged_is_found_in_the_stage_list(
    verdaccio: Verdaccio,
    unique_name: Callable,
    publish: Callable,
    stage: Callable,
    package_dir: Callable,
    token_env: str,
) -> None:
    name = unique_name("staged")
    publish(name, "1.0.0")
    stage_id = stage(name, "1.1.0")
    run = run_rules(package_dir(name, "1.1.0"), registry=verdaccio.url)
    assert run.outcome("policy_version_not_staged") == "failed"
    message = run.message("policy_version_not_staged")
    assert message.startswith(f"version-not-staged: {name}@1.1.0 is already staged on {verdaccio.url}")
    assert stage_id in message and "tag latest" in message
    # Another version of the same package is not blocked by that stage.
    assert (
        run_rules(package_dir(name, "1.2.0"), registry=verdaccio.url).outcome("policy_version_not_staged")
        == "passed"
    )


def test_stage_list_without_credentials_is_skipped_and_says_so(
    verdaccio: Verdaccio, unique_name: Callable, publish: Callable, stage: Callable, package_dir: Callable
) -> None:
    name = unique_name("nocreds")
    publish(name, "1.0.0")
    stage(name, "1.1.0")
    run = run_rules(package_dir(name, "1.1.0"), registry=verdaccio.url)
    assert run.outcome("policy_version_not_staged") == "skipped"
    assert "no npm credentials" in run.message("policy_version_not_staged")
    assert "the stage list was not checked" in run.message("policy_version_not_staged")


def test_credentials_from_a_locked_project_npmrc(
    verdaccio: Verdaccio,
    unique_name: Callable,
    publish: Callable,
    stage: Callable,
    package_dir: Callable,
    registry_user,
) -> None:
    name = unique_name("npmrc")
    publish(name, "1.0.0")
    stage(name, "1.1.0")
    project = package_dir(name, "1.1.0")
    npmrc = project / ".npmrc"
    npmrc.write_text(
        f"registry={verdaccio.url}\n//127.0.0.1:{verdaccio.port}/:_authToken={registry_user.token}\n"
    )
    npmrc.chmod(0o600)
    # No --npm-registry: the registry comes from the project's .npmrc too.
    run = run_rules(project)
    assert run.by_name["policy_version_not_staged"].outcome == "failed"
    assert verdaccio.url in run.message("policy_version_not_staged")
    assert registry_user.token not in json.dumps(run.session.to_dict())


def test_an_unreadable_stage_list_is_skipped(
    verdaccio: Verdaccio,
    unique_name: Callable,
    publish: Callable,
    package_dir: Callable,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = unique_name("badtoken")
    publish(name, "1.0.0")
    monkeypatch.setenv("NPM_TOKEN", "not-a-real-token-value")
    run = run_rules(package_dir(name, "1.1.0"), registry=verdaccio.url)
    assert run.outcome("policy_version_not_staged") == "skipped"
    assert "cannot read the stage list" in run.message("policy_version_not_staged")
    assert "NPM_TOKEN" in run.message("policy_version_not_staged")


def test_prerelease_needs_an_explicit_tag(
    verdaccio: Verdaccio, unique_name: Callable, publish: Callable, package_dir: Callable, token_env: str
) -> None:
    name = unique_name("pre")
    publish(name, "1.0.0")
    project = package_dir(name, "2.0.0-beta.1")
    run = run_rules(project, registry=verdaccio.url)
    assert run.outcome("policy_prerelease_needs_tag") == "failed"
    assert run.message("policy_prerelease_needs_tag").startswith(
        "prerelease-tag: 2.0.0-beta.1 is a prerelease"
    )
    assert set(run.refused) == {"policy_prerelease_needs_tag"}
    assert run_rules(project, registry=verdaccio.url, tag="next").refused == {}

    with_publish_config = package_dir(name, "2.0.0-beta.1", publishConfig={"tag": "beta"})
    assert run_rules(with_publish_config, registry=verdaccio.url).refused == {}

    (project / "releasekit.yaml").write_text("stage:\n  tag: next\n")
    assert run_rules(project, registry=verdaccio.url).refused == {}


def test_implicit_latest_is_refused_below_a_higher_stable_version(
    verdaccio: Verdaccio, unique_name: Callable, publish: Callable, package_dir: Callable, token_env: str
) -> None:
    name = unique_name("lower")
    publish(name, "1.0.0", "2.0.0")
    project = package_dir(name, "1.5.0")
    run = run_rules(project, registry=verdaccio.url)
    assert run.outcome("policy_latest_not_lowered") == "failed"
    message = run.message("policy_latest_not_lowered")
    assert message.startswith(f"latest-tag: {verdaccio.url} already has {name}@2.0.0, higher than 1.5.0")
    assert "--tag" in message
    assert set(run.refused) == {"policy_latest_not_lowered"}
    # The way out: an explicit tag, from the flag or the manifest.
    assert run_rules(project, registry=verdaccio.url, tag="v1-maintenance").refused == {}
    assert (
        run_rules(package_dir(name, "1.5.0", publishConfig={"tag": "legacy"}), registry=verdaccio.url).refused
        == {}
    )


def test_latest_compares_with_stable_non_deprecated_versions_only(
    verdaccio: Verdaccio,
    unique_name: Callable,
    publish: Callable,
    package_dir: Callable,
    registry_user,
    token_env: str,
) -> None:
    name = unique_name("deprecated")
    publish(name, "1.0.0", "3.0.0")
    publish(name, "4.0.0-rc.1", tag="next")
    verdaccio.npm("deprecate", f"{name}@3.0.0", "published by mistake", token=registry_user.token)
    # 3.0.0 is deprecated and 4.0.0-rc.1 a prerelease: npm compares 2.5.0 with 1.0.0 only.
    assert run_rules(package_dir(name, "2.5.0"), registry=verdaccio.url).refused == {}
    assert set(run_rules(package_dir(name, "0.9.0"), registry=verdaccio.url).refused) == {
        "policy_latest_not_lowered"
    }


@pytest.mark.parametrize(
    "tag", ["1", "v2", "1.x", "^1.2.0", "~1.2", ">=1.0.0", "x", "*", "1.2.3", "1.0.0-rc.1", "1 || 2"]
)
def test_a_tag_that_is_a_semver_range_is_refused(
    package_dir: Callable, unique_name: Callable, tag: str
) -> None:
    run = run_rules(package_dir(unique_name("range"), "1.0.0"), dry_run=True, tag=tag)
    assert run.outcome("policy_tag_not_semver_range") == "failed"
    assert run.message("policy_tag_not_semver_range").startswith(
        f"tag-not-range: the tag {tag!r} (from --tag)"
    )


@pytest.mark.parametrize("tag", ["latest", "next", "beta", "v1-maintenance", "canary-2024", "legacy"])
def test_ordinary_tags_pass(package_dir: Callable, unique_name: Callable, tag: str) -> None:
    run = run_rules(package_dir(unique_name("tag"), "1.0.0"), dry_run=True, tag=tag)
    assert run.outcome("policy_tag_not_semver_range") == "passed"


def test_a_range_tag_from_publish_config_names_its_source(
    package_dir: Callable, unique_name: Callable
) -> None:
    run = run_rules(package_dir(unique_name("range"), "1.0.0", publishConfig={"tag": "2"}), dry_run=True)
    assert "(from publishConfig.tag)" in run.message("policy_tag_not_semver_range")


def test_dry_run_skips_the_remote_rules_and_says_so(
    verdaccio: Verdaccio, unique_name: Callable, package_dir: Callable
) -> None:
    name = unique_name("dry")
    run = run_rules(package_dir(name, "1.0.0"), registry=verdaccio.url, dry_run=True)
    for rule in REMOTE_RULES:
        assert run.outcome(rule) == "skipped", rule
        assert "dry run, the registry was not asked" in run.message(rule)
    assert run.refused == {}
    assert not [line for line in verdaccio.log_lines() if name in json.dumps(line.get("req", {}))]


def test_the_packument_is_fetched_once_for_all_rules(
    verdaccio: Verdaccio, unique_name: Callable, publish: Callable, package_dir: Callable, token_env: str
) -> None:
    name = unique_name("once")
    publish(name, "1.0.0")
    run = run_rules(package_dir(name, "1.0.1"), registry=verdaccio.url)
    assert run.refused == {}
    ours = [
        line["req"]
        for line in verdaccio.log_lines()
        if line.get("req", {}).get("headers", {}).get("user-agent", "").startswith("releasekit/")
    ]
    assert [r["url"] for r in ours if r["url"] == f"/{name}"] == [f"/{name}"]
    stage_lists = [
        r for r in ours if r["url"].startswith("/-/stage") and r.get("query", {}).get("package") == name
    ]
    assert len(stage_lists) == 1


def test_a_version_that_is_not_semver_is_refused(package_dir: Callable, unique_name: Callable) -> None:
    # The packer refuses such a manifest; a tarball built elsewhere can still carry one.
    from releasekit.package.model import PackedPackage

    project = package_dir(unique_name("semver"), "1.0.0")
    packed = pack_project(project)
    odd = PackedPackage({**packed.manifest, "version": "1.0"}, packed.files, packed.tarball, None)
    run = run_rules(project, package=odd, dry_run=True)
    assert run.outcome("policy_version_is_semver") == "failed"
    assert run.message("policy_version_is_semver").startswith(
        "version-semver: '1.0' is not a valid semver version"
    )
    assert run.outcome("policy_prerelease_needs_tag") == "skipped"
    assert run.outcome("policy_latest_not_lowered") == "skipped"


def test_scoped_packages(
    verdaccio: Verdaccio, unique_name: Callable, publish: Callable, package_dir: Callable, token_env: str
) -> None:
    name = f"@team/{unique_name('scoped')}"
    publish(name, "1.0.0")
    assert run_rules(package_dir(name, "1.0.1"), registry=verdaccio.url).refused == {}
    assert set(run_rules(package_dir(name, "1.0.0"), registry=verdaccio.url).refused) == {
        "policy_version_not_published"
    }


def test_npm_itself_agrees_on_the_refusals(
    verdaccio: Verdaccio,
    unique_name: Callable,
    publish: Callable,
    package_dir: Callable,
    registry_user,
    tmp_path: Path,
) -> None:
    """Peer check: the same projects that our rules refuse are refused by npm 11's own stage publish."""
    name = unique_name("peer")
    publish(name, "2.0.0")
    for version, extra, rule in [
        ("1.0.0", (), "policy_latest_not_lowered"),
        ("3.0.0-beta.1", (), "policy_prerelease_needs_tag"),
        ("2.0.0", (), "policy_version_not_published"),
        ("3.0.0", ("--tag", "1.x"), "policy_tag_not_semver_range"),
    ]:
        project = package_dir(name, version)
        tag = extra[1] if extra else None
        ours = run_rules(project, registry=verdaccio.url, tag=tag)
        assert rule in ours.refused, (version, ours.refused)
        npm = verdaccio.npm("stage", "publish", *extra, token=registry_user.token, cwd=project, check=False)
        assert npm.returncode != 0, (version, npm.stdout)


def test_registry_from_the_user_npmrc_then_npmjs(
    verdaccio: Verdaccio, unique_name: Callable, publish: Callable, package_dir: Callable
) -> None:
    import os

    from releasekit.config import load_config
    from releasekit.options import StageOptions
    from releasekit.registry.metadata import metadata_for

    name = unique_name("userrc")
    publish(name, "1.0.0")
    project = package_dir(name, "1.0.0")
    packed = pack_project(project)
    # Nothing configured: npmjs, and nothing is fetched just by building the view.
    view = metadata_for(packed, StageOptions(), load_config(project))
    assert view.registry_url == "https://registry.npmjs.org/" and view.requests == 0

    (Path(os.environ["HOME"]) / ".npmrc").write_text(f"registry={verdaccio.url}\n")
    run = run_rules(project)
    assert set(run.refused) == {"policy_version_not_published"}
    assert verdaccio.url in run.message("policy_version_not_published")
    # --npm-registry wins over the user's .npmrc.
    assert metadata_for(
        packed, StageOptions(registry="http://127.0.0.1:9/"), load_config(project)
    ).registry_url == ("http://127.0.0.1:9/")

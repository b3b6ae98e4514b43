"""The statement's shape (npm's SLSA v1 layout for GitHub Actions), GitLab's variant, and dry runs."""

from __future__ import annotations

from typing import Any

import pytest

from releasekit.errors import ProvenanceError, UsageError
from releasekit.package.model import PackedPackage
from releasekit.provenance.attach import attachment_for_options, provenance_attachment
from releasekit.provenance.settings import ProvenanceSetting
from releasekit.provenance.statement import build_statement, detect_ci, encode, purl
from releasekit.testing.sigstore_fake import FakeSigstore


@pytest.mark.parametrize(
    ("name", "version", "expected"),
    [
        ("left-pad", "1.3.0", "pkg:npm/left-pad@1.3.0"),
        ("@octo/widget", "2.0.0", "pkg:npm/%40octo/widget@2.0.0"),
        ("@octo/widget", "1.0.0-beta.1+build.5", "pkg:npm/%40octo/widget@1.0.0-beta.1+build.5"),
    ],
)
def test_purl(name: str, version: str, expected: str) -> None:
    assert purl(name, version) == expected


def test_github_statement_matches_npm_layout(package: PackedPackage) -> None:
    env = FakeSigstore().github_env(
        GITHUB_REF="refs/tags/v1.2.3",
        GITHUB_RUN_ATTEMPT="2",
        GITHUB_WORKFLOW_REF="octo-org/octo-repo/.github/workflows/ship.yml@refs/tags/v1.2.3",
    )
    statement = build_statement(package, env)
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["predicateType"] == "https://slsa.dev/provenance/v1"
    assert statement["subject"] == [
        {"name": "pkg:npm/demo-pkg@1.2.3", "digest": {"sha512": package.sha512_hex}}
    ]
    definition = statement["predicate"]["buildDefinition"]
    assert definition["buildType"] == "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1"
    assert definition["externalParameters"] == {
        "workflow": {
            "ref": "refs/tags/v1.2.3",
            "repository": "https://github.com/octo-org/octo-repo",
            "path": ".github/workflows/ship.yml",
        }
    }
    assert definition["internalParameters"] == {
        "github": {"event_name": "push", "repository_id": "123456", "repository_owner_id": "654321"}
    }
    assert definition["resolvedDependencies"] == [
        {
            "uri": "git+https://github.com/octo-org/octo-repo@refs/tags/v1.2.3",
            "digest": {"gitCommit": "0123456789abcdef0123456789abcdef01234567"},
        }
    ]
    assert statement["predicate"]["runDetails"] == {
        "builder": {"id": "https://github.com/actions/runner/github-hosted"},
        "metadata": {"invocationId": "https://github.com/octo-org/octo-repo/actions/runs/4242/attempts/2"},
    }
    assert encode(statement) == encode(build_statement(package, env))  # deterministic bytes


def test_github_statement_names_missing_variables(package: PackedPackage) -> None:
    env = FakeSigstore().github_env()
    del env["GITHUB_SHA"], env["GITHUB_RUN_ID"]
    with pytest.raises(ProvenanceError, match="GITHUB_SHA, GITHUB_RUN_ID not set"):
        build_statement(package, env)


def test_gitlab_statement_signs_only_listed_variables(package: PackedPackage) -> None:
    env = {
        "GITLAB_CI": "true",
        "CI_PROJECT_URL": "https://gitlab.example/octo/widget",
        "CI_COMMIT_SHA": "f" * 40,
        "CI_JOB_URL": "https://gitlab.example/octo/widget/-/jobs/9",
        "CI_JOB_NAME": "publish",
        "CI_RUNNER_ID": "3",
        "CI_PIPELINE_ID": "41",
        "CI_COMMIT_REF_NAME": "main",
        "CI_JOB_TOKEN": "glcbt-secret-value",
        "GITLAB_USER_EMAIL": "someone@example.com",
    }
    statement = build_statement(package, env)
    predicate = statement["predicate"]
    assert predicate["buildDefinition"]["buildType"] == "https://github.com/npm/cli/gitlab/v0alpha1"
    assert predicate["buildDefinition"]["internalParameters"]["gitlab"] == {
        "CI_PIPELINE_ID": "41",
        "CI_COMMIT_REF_NAME": "main",
        "CI_JOB_NAME": "publish",
        "CI_RUNNER_ID": "3",
    }
    assert predicate["runDetails"]["builder"] == {"id": "https://gitlab.example/octo/widget/-/runners/3"}
    text = encode(statement).decode()
    assert "glcbt-secret-value" not in text and "someone@example.com" not in text


def test_detect_ci() -> None:
    assert detect_ci({"GITHUB_ACTIONS": "true"}) == "github"
    assert detect_ci({"GITLAB_CI": "true"}) == "gitlab"
    assert detect_ci({"CI": "true"}) is None
    assert detect_ci({}) is None


# -- dry runs and the pipeline entry point ------------------------------------------------------------


def test_off_attaches_nothing(package: PackedPackage) -> None:
    assert provenance_attachment(package, ProvenanceSetting("off", "default"), access="restricted") is None


def test_dry_run_signs_nothing_and_says_from_where(
    package: PackedPackage,
    trust_config: Any,
    sigstore_instance: FakeSigstore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with sigstore_instance.github_actions(monkeypatch), sigstore_instance.serve():
        result = provenance_attachment(
            package,
            ProvenanceSetting("generate", "package.json publishConfig.provenance"),
            access="public",
            trust_config=trust_config,
            dry_run=True,
        )
    assert result is not None and result.attachment is None and result.dry_run
    assert result.source == "signed with the GitHub Actions identity"
    assert result.to_dict()["setting"] == "package.json publishConfig.provenance"
    assert result.summary() == (
        "provenance: would attach demo-pkg-1.2.3.sigstore (signed with the GitHub Actions identity); "
        "nothing signed (dry run)"
    )
    assert sigstore_instance.requests == []


def test_dry_run_outside_ci_warns_instead_of_failing(package: PackedPackage) -> None:
    result = provenance_attachment(
        package, ProvenanceSetting("generate", "--provenance"), access="public", dry_run=True
    )
    assert result is not None and "a real run would fail" in result.detail


def test_dry_run_still_applies_the_access_rule(make_package: Any) -> None:
    scoped = make_package(name="@octo/widget")
    with pytest.raises(UsageError, match="pass --access public"):
        provenance_attachment(
            scoped, ProvenanceSetting("generate", "--provenance"), access=None, dry_run=True
        )


def test_attachment_for_options_reads_publish_config(make_package: Any) -> None:
    from releasekit.options import StageOptions

    pkg = make_package(manifest={"publishConfig": {"provenance": True}})
    result = attachment_for_options(pkg, StageOptions(dry_run=True), access="public", env={})
    assert result is not None and result.setting.source == "package.json publishConfig.provenance"
    assert (
        attachment_for_options(pkg, StageOptions(provenance=False, dry_run=True), access="public", env={})
        is None
    )

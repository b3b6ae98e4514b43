"""The expected provenance identity: how releasekit.yaml spells it and how a certificate identity is split."""

from __future__ import annotations

import pytest

from releasekit.errors import ConfigError
from releasekit.provenance.identity import ExpectedIdentity, SignerIdentity, _identity_problem, source_commit

GITHUB = "https://token.actions.githubusercontent.com"


def test_config_forms() -> None:
    assert ExpectedIdentity.from_config(None) is None and ExpectedIdentity.from_config({}) is None
    pinned = ExpectedIdentity.from_config({"repository": "octo-org/octo-repo.git", "required": False})
    assert pinned is not None and pinned.repository_url == "https://github.com/octo-org/octo-repo"
    assert not pinned.required and pinned.issuer == GITHUB
    for bad in ({"repository": 3}, {"required": "yes"}, ["a"]):
        with pytest.raises(ConfigError):
            ExpectedIdentity.from_config(bad)


def test_github_and_gitlab_identities_split_into_workflow_and_ref() -> None:
    github = SignerIdentity(
        "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.0", GITHUB
    )
    assert github.split("https://github.com/octo-org/octo-repo") == (
        ".github/workflows/release.yml",
        "refs/tags/v1.2.0",
    )
    assert github.split("https://github.com/octo-org/octo") is None  # a prefix of another repository's name
    gitlab = SignerIdentity(
        "https://gitlab.com/group/project//.gitlab-ci.yml@refs/heads/main", "https://gitlab.com"
    )
    assert gitlab.split("https://gitlab.com/group/project") == (".gitlab-ci.yml", "refs/heads/main")


def test_identity_rules() -> None:
    signer = SignerIdentity("https://github.com/o/r/.github/workflows/release.yml@refs/tags/v2.0.0", GITHUB)
    right = ExpectedIdentity("o/r", "./.github/workflows/release.yml", "refs/tags/v*")
    assert _identity_problem(signer, right) is None
    assert _identity_problem(signer, ExpectedIdentity("o/r", ref="refs/heads/*")) == (
        "ref refs/tags/v2.0.0 does not match refs/heads/*"
    )
    assert (
        _identity_problem(signer, ExpectedIdentity("o/other"))
        == "not a workflow of https://github.com/o/other"
    )
    assert _identity_problem(signer, ExpectedIdentity("o/r", issuer="https://gitlab.com")) == (
        "issuer is not https://gitlab.com"
    )


def test_source_commit_of_slsa_v1_and_v02() -> None:
    v1 = {
        "predicate": {
            "buildDefinition": {"resolvedDependencies": [{"uri": "git+x", "digest": {"gitCommit": "ABC"}}]}
        }
    }
    v02 = {"predicate": {"materials": [{"uri": "git+x", "digest": {"sha1": "def"}}]}}
    assert source_commit(v1) == "abc" and source_commit(v02) == "def"
    assert source_commit({"predicate": {}}) is None

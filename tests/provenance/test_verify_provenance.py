"""``lpm stage verify`` checks who built a staged version: the offline Sigstore signs in a simulated
GitHub Actions job, the test plugin keeps the bundle with the staged entry, and the identity
``releasekit.yaml`` expects is compared with the certificate, the subject and the source commit."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from releasekit.testing.sigstore_fake import FakeSigstore
from releasekit.testing.verdaccio import Verdaccio
from tests.provenance.test_provenance_registry import example_project, run_lpm, set_version
from tests.stage.test_verify import commit_and_tag, git

pytestmark = [pytest.mark.registry, pytest.mark.npm]

RIGHT = {
    "repository": "octo-org/octo-repo",
    "workflow": ".github/workflows/release.yml",
    "ref": "refs/heads/*",
}


def write_config(project: Path, **provenance: Any) -> None:
    (project / "releasekit.yaml").write_text(json.dumps({"verify": {"provenance": provenance}}))


def test_provenance_identity_digest_and_commit(
    provenance_registry: Verdaccio,
    unique_name: Callable[[str], str],
    tmp_path: Path,
    sigstore_instance: FakeSigstore,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registry = provenance_registry
    name = unique_name("rk-verify-prov")
    token = registry.add_user(f"u-{name}", "verify-user-password")
    project = example_project(tmp_path / "project", name, "1.0.0")
    registry.publish(project, token)
    set_version(project, "1.1.0")
    commit = commit_and_tag(project, "v1.1.0")
    trust = tmp_path / "trust-config.json"
    trust.write_text(sigstore_instance.trust_config_json)
    monkeypatch.setenv("RELEASEKIT_SIGSTORE_TRUST_CONFIG", str(trust))
    monkeypatch.setenv("NPM_TOKEN", token)
    monkeypatch.chdir(project)

    oidc_url = f"{registry.url}-/releasekit-test/no-oidc-here"
    with (
        sigstore_instance.github_actions(
            monkeypatch, ACTIONS_ID_TOKEN_REQUEST_URL=oidc_url, GITHUB_SHA=commit
        ),
        sigstore_instance.serve(),
    ):
        code, out, err = run_lpm(
            capsys,
            monkeypatch,
            "--json",
            "stage",
            "publish",
            "--provenance",
            "-y",
            "--npm-registry",
            registry.url,
        )
    assert code == 0, out + err
    stage_id = json.loads(out)["stageId"]

    def verify(*extra: str) -> tuple[int, dict[str, Any]]:
        code, out, err = run_lpm(
            capsys,
            monkeypatch,
            "stage",
            "verify",
            stage_id,
            "--json",
            "--ref",
            "v1.1.0",
            "--npm-registry",
            registry.url,
            *extra,
        )
        return code, json.loads(out)

    # the right identity: the bundle the registry keeps with the staged entry passes
    write_config(project, **RIGHT)
    code, doc = verify()
    assert code == 0, doc
    provenance = doc["data"]["provenance"]
    assert provenance["outcome"] == "verified" and provenance["source"] == "the registry"
    assert (
        provenance["signer"]
        == "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main"
    )
    assert provenance["commit"] == commit and doc["data"]["verdict"] == "identical"

    # the wrong workflow, the wrong repository, a ref pattern the workflow's ref misses, another issuer
    for wrong, words in (
        (
            {"workflow": ".github/workflows/other.yml"},
            "workflow .github/workflows/release.yml is not .github/workflows/other.yml",
        ),
        ({"repository": "octo-org/evil-repo"}, "not a workflow of https://github.com/octo-org/evil-repo"),
        ({"ref": "refs/tags/v*"}, "ref refs/heads/main does not match refs/tags/v*"),
        ({"issuer": "https://gitlab.com"}, "issuer is not https://gitlab.com"),
    ):
        write_config(project, **{**RIGHT, **wrong})
        code, doc = verify()
        assert code == 1 and doc["error_code"] == "verification_failed"
        assert doc["data"]["provenance"]["outcome"] == "wrong-identity", doc
        assert words in doc["error"]
        assert doc["data"]["verdict"] == "identical"  # the tarball itself is fine: only the builder is wrong

    # the right builder, but the ref being verified is another commit than the one it built
    write_config(project, **RIGHT)
    (project / "NOTES.md").write_text("not packed\n")
    commit_and_tag(project, "v1.1.0-later")
    code, doc = verify("--ref", "v1.1.0-later")
    assert code == 1 and doc["data"]["provenance"]["outcome"] == "wrong-commit"
    assert f"the build started from commit {commit}" in doc["error"]

    # the same bundle handed in for another staged version: wrong subject; and none at all: missing
    kept = httpx.get(f"{registry.url}-/releasekit-test/provenance/{name}/1.1.0", timeout=30).json()
    bundle_file = tmp_path / "bundle.sigstore.json"
    bundle_file.write_text(next(iter(kept["attachments"].values()))["data"])
    set_version(project, "1.2.0")
    commit_and_tag(project, "v1.2.0")
    code, out, err = run_lpm(
        capsys, monkeypatch, "--json", "stage", "publish", "-y", "--npm-registry", registry.url
    )
    assert code == 0, out + err
    other = json.loads(out)["stageId"]
    code, out, err = run_lpm(
        capsys,
        monkeypatch,
        "stage",
        "verify",
        other,
        "--json",
        "--ref",
        "v1.2.0",
        "--provenance-file",
        str(bundle_file),
        "--npm-registry",
        registry.url,
    )
    doc = json.loads(out)
    assert code == 1 and doc["data"]["provenance"]["outcome"] == "wrong-digest", doc
    assert f"not the staged tarball of {name}@1.2.0" in doc["error"]
    code, out, err = run_lpm(
        capsys,
        monkeypatch,
        "stage",
        "verify",
        other,
        "--json",
        "--ref",
        "v1.2.0",
        "--npm-registry",
        registry.url,
    )
    doc = json.loads(out)
    assert code == 1 and doc["data"]["provenance"]["outcome"] == "missing"
    assert "provenance is required" in doc["error"]
    assert git(project, "worktree", "list").count("\n") == 0

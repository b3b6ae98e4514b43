"""Provenance signed in a simulated GitHub Actions job, checked with sigstore's own Verifier."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from sigstore.models import Bundle
from sigstore.verify import Verifier
from sigstore.verify.policy import Identity

from releasekit.errors import ProvenanceError
from releasekit.package.model import PackedPackage
from releasekit.provenance.attach import provenance_attachment
from releasekit.provenance.bundle_check import verify_package_provenance
from releasekit.provenance.settings import ProvenanceSetting
from releasekit.provenance.sign import BUNDLE_MEDIA_TYPE, sign_statement
from releasekit.redaction import redact
from releasekit.testing.sigstore_fake import FakeSigstore

GENERATE = ProvenanceSetting("generate", "--provenance")
WORKFLOW_IDENTITY = "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"


def _sign(package: PackedPackage, trust_config: Any) -> Any:
    result = provenance_attachment(package, GENERATE, access="public", trust_config=trust_config)
    assert result is not None and result.attachment is not None
    return result


def _statement(bundle_json: str) -> dict[str, Any]:
    payload = json.loads(bundle_json)["dsseEnvelope"]["payload"]
    return json.loads(base64.b64decode(payload))  # type: ignore[no-any-return]


def test_bundle_from_github_actions_verifies_with_sigstore_verifier(
    github_actions: str, package: PackedPackage, trust_config: Any, sigstore_instance: FakeSigstore
) -> None:
    result = _sign(package, trust_config)

    attachment = result.attachment
    assert result.attachment_name == "demo-pkg-1.2.3.sigstore"
    assert attachment["content_type"] == BUNDLE_MEDIA_TYPE
    assert attachment["length"] == len(attachment["data"].encode())
    assert json.loads(attachment["data"])["mediaType"] == BUNDLE_MEDIA_TYPE
    # The log index printed is the index Rekor gave: after the prefilled entries.
    assert result.log_index == sigstore_instance.prefill
    assert "transparency log index 5" in result.summary()

    bundle = Bundle.from_json(attachment["data"])
    verifier = Verifier(trusted_root=trust_config.trusted_root)
    payload_type, payload = verifier.verify_dsse(
        bundle, Identity(identity=WORKFLOW_IDENTITY, issuer=GITHUB_ISSUER)
    )
    assert payload_type == "application/vnd.in-toto+json"
    statement = json.loads(payload)
    assert statement["subject"] == [
        {"name": "pkg:npm/demo-pkg@1.2.3", "digest": {"sha512": package.sha512_hex}}
    ]
    workflow = statement["predicate"]["buildDefinition"]["externalParameters"]["workflow"]
    assert workflow == {
        "ref": "refs/heads/main",
        "repository": "https://github.com/octo-org/octo-repo",
        "path": ".github/workflows/release.yml",
    }
    # Fulcio and Rekor were really asked (once each), and nothing else.
    assert [kind for kind, _ in sigstore_instance.requests] == ["fulcio", "rekor"]


def test_tampered_tarball_fails_verification(
    github_actions: str, make_package: Any, trust_config: Any
) -> None:
    original = make_package(body=b"console.log('good')\n")
    bundle_json = _sign(original, trust_config).bundle_json
    policy = Identity(identity=WORKFLOW_IDENTITY, issuer=GITHUB_ISSUER)
    assert verify_package_provenance(bundle_json, original, trust_config, policy) >= 0

    tampered = make_package(body=b"console.log('evil')\n")
    assert tampered.name == original.name and tampered.version == original.version
    with pytest.raises(ProvenanceError, match="sha512 does not match"):
        verify_package_provenance(bundle_json, tampered, trust_config, policy)


def test_tampered_statement_fails_signature_verification(
    github_actions: str, make_package: Any, trust_config: Any
) -> None:
    """Rewriting the signed statement to name another tarball breaks the DSSE signature."""
    original = make_package(body=b"good\n")
    tampered = make_package(body=b"evil\n")
    document = json.loads(_sign(original, trust_config).bundle_json)
    statement = _statement(json.dumps(document))
    statement["subject"][0]["digest"]["sha512"] = tampered.sha512_hex
    document["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    with pytest.raises(ProvenanceError, match="signature verification failed"):
        verify_package_provenance(json.dumps(document), tampered, trust_config)


def test_wrong_identity_fails_verification(
    github_actions: str, package: PackedPackage, trust_config: Any
) -> None:
    bundle_json = _sign(package, trust_config).bundle_json
    other_workflow = Identity(
        identity="https://github.com/octo-org/octo-repo/.github/workflows/other.yml@refs/heads/main",
        issuer=GITHUB_ISSUER,
    )
    with pytest.raises(ProvenanceError, match="SANs do not match"):
        verify_package_provenance(bundle_json, package, trust_config, other_workflow)
    wrong_issuer = Identity(identity=WORKFLOW_IDENTITY, issuer="https://gitlab.com")
    with pytest.raises(ProvenanceError, match="signature verification failed"):
        verify_package_provenance(bundle_json, package, trust_config, wrong_issuer)


def test_foreign_trust_root_fails_verification(
    github_actions: str, package: PackedPackage, trust_config: Any
) -> None:
    bundle_json = _sign(package, trust_config).bundle_json
    foreign = FakeSigstore(name="someone-else").client_trust_config()
    with pytest.raises(ProvenanceError, match="signature verification failed"):
        verify_package_provenance(
            bundle_json, package, foreign, Identity(identity=WORKFLOW_IDENTITY, issuer=GITHUB_ISSUER)
        )


def test_scoped_package_subject_escapes_the_at_sign(
    github_actions: str, make_package: Any, trust_config: Any
) -> None:
    scoped = make_package(name="@octo/widget", version="2.0.0-rc.1")
    result = _sign(scoped, trust_config)
    assert result.attachment_name == "@octo/widget-2.0.0-rc.1.sigstore"
    subject = _statement(result.bundle_json)["subject"][0]
    assert subject["name"] == "pkg:npm/%40octo/widget@2.0.0-rc.1"


def test_outside_ci_is_a_clear_error_and_contacts_nothing(
    package: PackedPackage, trust_config: Any, sigstore_instance: FakeSigstore
) -> None:
    with (
        sigstore_instance.serve(),
        pytest.raises(ProvenanceError, match="GitHub Actions or GitLab CI") as info,
    ):
        provenance_attachment(package, GENERATE, access="public", trust_config=trust_config)
    assert info.value.hint and "--provenance-file" in info.value.hint
    assert sigstore_instance.requests == []


def test_missing_id_token_permission_stops_the_stage(
    package: PackedPackage,
    trust_config: Any,
    sigstore_instance: FakeSigstore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in sigstore_instance.github_env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    with sigstore_instance.serve(), pytest.raises(ProvenanceError, match="id-token: write|OIDC token"):
        provenance_attachment(package, GENERATE, access="public", trust_config=trust_config)
    assert sigstore_instance.requests == []


def test_fulcio_failure_raises_and_never_falls_back(
    github_actions: str, package: PackedPackage, trust_config: Any, sigstore_instance: FakeSigstore
) -> None:
    import responses

    with responses.RequestsMock() as mock:  # the innermost mock answers: Fulcio is down
        mock.add(responses.POST, f"{sigstore_instance.fulcio_url}/api/v2/signingCert", status=503, json={})
        with pytest.raises(ProvenanceError, match="signing provenance failed"):
            provenance_attachment(package, GENERATE, access="public", trust_config=trust_config)


def test_expired_identity_token_is_refused(
    package: PackedPackage, trust_config: Any, sigstore_instance: FakeSigstore
) -> None:
    import time

    expired = sigstore_instance.identity_token(
        {"iat": int(time.time()) - 3600, "nbf": int(time.time()) - 3600, "exp": int(time.time()) - 60}
    )
    with sigstore_instance.serve(), pytest.raises(ProvenanceError, match="identity token is unusable"):
        sign_statement(b"{}", trust_config=trust_config, identity_token=expired)


def test_identity_token_never_reaches_error_output(
    github_actions: str, package: PackedPackage, trust_config: Any, sigstore_instance: FakeSigstore
) -> None:
    import responses

    with responses.RequestsMock() as mock:
        mock.add(
            responses.POST,
            f"{sigstore_instance.fulcio_url}/api/v2/signingCert",
            status=500,
            json={"message": f"rejected token {github_actions}"},
        )
        with pytest.raises(ProvenanceError) as info:
            provenance_attachment(package, GENERATE, access="public", trust_config=trust_config)
    assert github_actions not in redact(str(info.value))


def test_gitlab_ci_signs_with_sigstore_id_token(
    package: PackedPackage,
    trust_config: Any,
    sigstore_instance: FakeSigstore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    claims = {
        "iss": "https://gitlab.com",
        "sub": "project_path:octo/widget:ref_type:branch:ref:main",
        "ci_config_ref_uri": "gitlab.com/octo/widget//.gitlab-ci.yml@refs/heads/main",
    }
    env = {
        "CI": "true",
        "GITLAB_CI": "true",
        "SIGSTORE_ID_TOKEN": sigstore_instance.identity_token(claims),
        "CI_PROJECT_URL": "https://gitlab.com/octo/widget",
        "CI_PROJECT_PATH": "octo/widget",
        "CI_COMMIT_SHA": "89abcdef" * 5,
        "CI_COMMIT_REF_NAME": "main",
        "CI_JOB_NAME": "release",
        "CI_JOB_URL": "https://gitlab.com/octo/widget/-/jobs/77",
        "CI_JOB_ID": "77",
        "CI_RUNNER_ID": "12",
        "CI_CONFIG_PATH": ".gitlab-ci.yml",
        "GITLAB_USER_EMAIL": "person@example.com",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with sigstore_instance.serve():
        result = provenance_attachment(package, GENERATE, access="public", trust_config=trust_config)
    assert result is not None and result.source.startswith("signed with the GitLab CI identity")
    policy = Identity(
        identity="https://gitlab.com/octo/widget//.gitlab-ci.yml@refs/heads/main", issuer="https://gitlab.com"
    )
    verify_package_provenance(result.bundle_json or "", package, trust_config, policy)
    predicate = _statement(result.bundle_json or "")["predicate"]
    assert predicate["runDetails"]["metadata"]["invocationId"] == "https://gitlab.com/octo/widget/-/jobs/77"
    assert predicate["buildDefinition"]["resolvedDependencies"][0]["digest"] == {"gitCommit": "89abcdef" * 5}
    assert "person@example.com" not in (result.bundle_json or "")  # personal data is not signed


def test_gitlab_without_sigstore_id_token_is_refused(
    package: PackedPackage, trust_config: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_CI", "true")
    for key in ("CI_PROJECT_URL", "CI_COMMIT_SHA", "CI_JOB_URL", "CI_JOB_NAME", "CI_RUNNER_ID"):
        monkeypatch.setenv(key, "x")
    with pytest.raises(ProvenanceError, match="SIGSTORE_ID_TOKEN"):
        provenance_attachment(package, GENERATE, access="public", trust_config=trust_config)

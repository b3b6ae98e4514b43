"""``lpm stage publish --provenance`` in a simulated GitHub Actions job, against the real Verdaccio.

Fulcio and Rekor are the private offline instance (``releasekit.testing.sigstore_fake``), named
to lpm through ``RELEASEKIT_SIGSTORE_TRUST_CONFIG`` exactly as a private Sigstore would be.

Verdaccio 9 refuses any publish or stage body with more than one ``_attachments`` entry
(its publish-manifest schema has ``maxProperties: 1``) and keeps no attachments with a
staged record, so it cannot carry a ``.sigstore`` attachment. The tests therefore check the
packument lpm really sent over the wire, that Verdaccio's refusal stops the stage (no
fallback to staging without provenance), and then that the bundle's subject is the very
tarball that comes out of stage -> approve -> ``npm install``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sigstore.models import Bundle
from sigstore.verify import Verifier
from sigstore.verify.policy import Identity

from releasekit.registry.client import RegistryClient
from releasekit.testing.sigstore_fake import FakeSigstore
from releasekit.testing.verdaccio import Verdaccio

pytestmark = [pytest.mark.registry, pytest.mark.npm]

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "example-package"
WORKFLOW_IDENTITY = "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
BUNDLE_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"


def example_project(root: Path, name: str, version: str) -> Path:
    shutil.copytree(EXAMPLE, root, dirs_exist_ok=True)
    manifest = json.loads((root / "package.json").read_text())
    manifest.update(name=name, version=version)
    (root / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return root


def set_version(root: Path, version: str) -> None:
    manifest = json.loads((root / "package.json").read_text())
    manifest["version"] = version
    (root / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")


def run_lpm(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str, str]:
    from releasekit.cli import main, output

    capsys.readouterr()
    output._state["json"] = False
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def sent_bodies(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every body lpm hands to ``RegistryClient.stage_publish`` (a spy: the real request still goes out)."""
    bodies: list[dict[str, Any]] = []
    original = RegistryClient.stage_publish

    def spy(self: RegistryClient, name: str, body: Any, otp: str | None = None) -> dict[str, Any]:
        bodies.append(json.loads(json.dumps(body)))
        return original(self, name, body, otp)

    monkeypatch.setattr(RegistryClient, "stage_publish", spy)
    return bodies


@pytest.fixture
def ci_project(
    verdaccio: Verdaccio,
    registry_user: Any,
    unique_name: Callable[[str], str],
    tmp_path: Path,
    sigstore_instance: FakeSigstore,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Path, str]:
    """1.0.0 published with npm; project at 1.1.0; GitHub Actions env; private Sigstore configured."""
    name = unique_name("rk-prov")
    project = example_project(tmp_path / "project", name, "1.0.0")
    verdaccio.publish(project, registry_user.token)
    set_version(project, "1.1.0")
    trust = tmp_path / "trust-config.json"
    trust.write_text(sigstore_instance.trust_config_json)
    monkeypatch.setenv("RELEASEKIT_SIGSTORE_TRUST_CONFIG", str(trust))
    monkeypatch.setenv("NPM_TOKEN", registry_user.token)
    monkeypatch.setenv("COLUMNS", "240")
    monkeypatch.chdir(project)
    return project, name


def sha512_hex_of_integrity(integrity: str) -> str:
    assert integrity.startswith("sha512-")
    return base64.b64decode(integrity.removeprefix("sha512-")).hex()


def test_stage_publish_provenance_on_verdaccio_then_approve_and_install(
    ci_project: tuple[Path, str],
    verdaccio: Verdaccio,
    registry_user: Any,
    sigstore_instance: FakeSigstore,
    sent_bodies: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    trust_config: Any,
) -> None:
    project, name = ci_project
    # The trusted-publishing exchange is tried first and fails (Verdaccio has none): lpm then uses NPM_TOKEN.
    oidc_url = f"{verdaccio.url}-/releasekit-test/no-oidc-here"
    with (
        sigstore_instance.github_actions(monkeypatch, ACTIONS_ID_TOKEN_REQUEST_URL=oidc_url),
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
            verdaccio.url,
        )

    # -- what went over the wire: the packument with the tarball and the .sigstore bundle
    (body,) = sent_bodies
    attachments = body["_attachments"]
    assert sorted(attachments) == [f"{name}-1.1.0.sigstore", f"{name}-1.1.0.tgz"]
    sigstore_attachment = attachments[f"{name}-1.1.0.sigstore"]
    assert sigstore_attachment["content_type"] == BUNDLE_TYPE
    assert sigstore_attachment["length"] == len(sigstore_attachment["data"].encode())
    tarball = base64.b64decode(attachments[f"{name}-1.1.0.tgz"]["data"])

    bundle = Bundle.from_json(sigstore_attachment["data"])
    verifier = Verifier(trusted_root=trust_config.trusted_root)
    _, payload = verifier.verify_dsse(bundle, Identity(identity=WORKFLOW_IDENTITY, issuer=GITHUB_ISSUER))
    subject = json.loads(payload)["subject"]
    assert subject == [
        {"name": f"pkg:npm/{name}@1.1.0", "digest": {"sha512": hashlib.sha512(tarball).hexdigest()}}
    ]
    assert body["versions"]["1.1.0"]["dist"]["integrity"] == (
        "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    )

    # -- Verdaccio 9 refuses two attachments; --provenance never falls back to staging without it
    assert code == 1, out + err
    doc = json.loads(out)
    assert doc["success"] is False and doc["error_code"] == "registry"
    assert "unsupported registry call" in doc["error"]
    staged = httpx.get(
        f"{verdaccio.url}-/stage",
        params={"package": name, "page": 0, "perPage": 100},
        headers={"authorization": f"Bearer {registry_user.token}"},
        timeout=30,
    ).json()
    assert staged["total"] == 0
    assert len(sent_bodies) == 1

    # -- the same packument minus the bundle stages, approves and installs: the bundle names that tarball
    plain = {**body, "_attachments": {f"{name}-1.1.0.tgz": attachments[f"{name}-1.1.0.tgz"]}}
    with RegistryClient(verdaccio.url, registry_user.token) as client:
        stage_id = client.stage_publish(name, plain)["stageId"]
        client.stage_approve(stage_id)

    consumer = tmp_path / "consumer"
    consumer.mkdir()
    (consumer / "package.json").write_text(
        json.dumps({"name": "consumer", "version": "0.0.0", "private": True})
    )
    verdaccio.npm("install", f"{name}@1.1.0", token=registry_user.token, cwd=consumer)
    lock = json.loads((consumer / "package-lock.json").read_text())
    installed = lock["packages"][f"node_modules/{name}"]
    assert installed["version"] == "1.1.0"
    assert sha512_hex_of_integrity(installed["integrity"]) == subject[0]["digest"]["sha512"]

    packument = httpx.get(f"{verdaccio.url}{name}", timeout=30).json()
    served = httpx.get(packument["versions"]["1.1.0"]["dist"]["tarball"], timeout=30).content
    assert hashlib.sha512(served).hexdigest() == subject[0]["digest"]["sha512"]


def test_provenance_file_checked_before_upload_on_verdaccio(
    ci_project: tuple[Path, str],
    verdaccio: Verdaccio,
    registry_user: Any,
    sent_bodies: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A bundle for another version is refused locally: nothing reaches the registry."""
    project, name = ci_project
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": f"pkg:npm/{name}@1.0.0", "digest": {"sha512": "00" * 64}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {},
    }
    bundle = {
        "mediaType": BUNDLE_TYPE,
        "dsseEnvelope": {
            "payload": base64.b64encode(json.dumps(statement).encode()).decode(),
            "payloadType": "application/vnd.in-toto+json",
            "signatures": [{"sig": "AAAA"}],
        },
    }
    path = tmp_path / "old.sigstore.json"
    path.write_text(json.dumps(bundle))
    code, out, err = run_lpm(
        capsys,
        monkeypatch,
        "stage",
        "publish",
        "--provenance-file",
        str(path),
        "-y",
        "--npm-registry",
        verdaccio.url,
    )
    assert code == 1
    assert (
        f"subject 'pkg:npm/{name}@1.0.0' does not match the package being staged (pkg:npm/{name}@1.1.0)"
        in err
    )
    assert sent_bodies == []


def test_provenance_dry_run_on_verdaccio_signs_nothing(
    ci_project: tuple[Path, str],
    verdaccio: Verdaccio,
    sigstore_instance: FakeSigstore,
    sent_bodies: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with sigstore_instance.github_actions(monkeypatch), sigstore_instance.serve():
        code, out, err = run_lpm(
            capsys,
            monkeypatch,
            "stage",
            "publish",
            "--provenance",
            "--dry-run",
            "--npm-registry",
            verdaccio.url,
        )
    assert code == 0, out + err
    assert "provenance: would attach" in out and "signed with the GitHub Actions identity" in out
    assert sigstore_instance.requests == [] and sent_bodies == []


def test_provenance_on_restricted_package_is_refused(
    ci_project: tuple[Path, str],
    verdaccio: Verdaccio,
    sent_bodies: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project, name = ci_project
    manifest = json.loads((project / "package.json").read_text())
    manifest["name"] = f"@rk-test/{name}"
    (project / "package.json").write_text(json.dumps(manifest))
    code, out, err = run_lpm(
        capsys,
        monkeypatch,
        "stage",
        "publish",
        "--provenance",
        "--access",
        "restricted",
        "-y",
        "--npm-registry",
        verdaccio.url,
    )
    assert code == 2
    assert "pass --access public" in err
    assert sent_bodies == []


# -- Verdaccio with npmjs-style provenance handling (test plugin) ------------------------------------------


def test_staged_packument_carries_sigstore_attachment_then_approve_with_2fa_and_install(
    provenance_registry: Verdaccio,
    unique_name: Callable[[str], str],
    tmp_path: Path,
    sigstore_instance: FakeSigstore,
    trust_config: Any,
    sent_bodies: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registry = provenance_registry
    name = unique_name("rk-prov-ok")
    password = "prov-user-password"
    token = registry.add_user(f"u-{name}", password)
    project = example_project(tmp_path / "project", name, "1.0.0")
    registry.publish(project, token)
    otp_secret = registry.enable_2fa(token, password)  # approval below needs a one-time password
    set_version(project, "1.1.0")
    trust = tmp_path / "trust-config.json"
    trust.write_text(sigstore_instance.trust_config_json)
    monkeypatch.setenv("RELEASEKIT_SIGSTORE_TRUST_CONFIG", str(trust))
    monkeypatch.setenv("NPM_TOKEN", token)
    monkeypatch.setenv("COLUMNS", "240")
    monkeypatch.chdir(project)

    oidc_url = f"{registry.url}-/releasekit-test/no-oidc-here"
    with (
        sigstore_instance.github_actions(monkeypatch, ACTIONS_ID_TOKEN_REQUEST_URL=oidc_url),
        sigstore_instance.serve(),
    ):
        code, out, err = run_lpm(
            capsys, monkeypatch, "stage", "publish", "--provenance", "-y", "--npm-registry", registry.url
        )
    assert code == 0, out + err
    log_index = sigstore_instance.prefill  # the first entry this private Rekor logged
    assert (
        f"provenance: attached {name}-1.1.0.sigstore (signed with the GitHub Actions identity); "
        f"transparency log index {log_index}" in out
    )
    stage_id = next(line.split()[-1] for line in out.splitlines() if line.startswith("Stage id: "))

    # The registry received the staged packument with the .sigstore attachment lpm sent.
    (body,) = sent_bodies
    sent = body["_attachments"][f"{name}-1.1.0.sigstore"]
    received = httpx.get(f"{registry.url}-/releasekit-test/provenance/{name}/1.1.0", timeout=30).json()
    assert received == {"stage": True, "attachments": {f"{name}-1.1.0.sigstore": sent}}
    assert sent["content_type"] == BUNDLE_TYPE
    staged = httpx.get(
        f"{registry.url}-/stage/{stage_id}", headers={"authorization": f"Bearer {token}"}, timeout=30
    ).json()
    assert (staged["packageName"], staged["version"]) == (name, "1.1.0")
    # Not public before approval.
    attestations_url = f"{registry.url}-/npm/v1/attestations/{name}@1.1.0"
    assert httpx.get(attestations_url, timeout=30).status_code == 404

    code, out, err = run_lpm(
        capsys,
        monkeypatch,
        "stage",
        "approve",
        stage_id,
        "--otp",
        registry.otp(otp_secret),
        "--npm-registry",
        registry.url,
    )
    assert code == 0, out + err

    (attestation,) = httpx.get(attestations_url, timeout=30).json()["attestations"]
    assert attestation["predicateType"] == "https://slsa.dev/provenance/v1"
    bundle = Bundle.from_json(json.dumps(attestation["bundle"]))
    verifier = Verifier(trusted_root=trust_config.trusted_root)
    _, payload = verifier.verify_dsse(bundle, Identity(identity=WORKFLOW_IDENTITY, issuer=GITHUB_ISSUER))
    (subject,) = json.loads(payload)["subject"]
    assert subject["name"] == f"pkg:npm/{name}@1.1.0"
    assert int(bundle.log_entry._inner.log_index) == log_index

    consumer = tmp_path / "consumer"
    consumer.mkdir()
    (consumer / "package.json").write_text(
        json.dumps({"name": "consumer", "version": "0.0.0", "private": True})
    )
    registry.npm("install", f"{name}@1.1.0", token=token, cwd=consumer)
    installed = json.loads((consumer / "package-lock.json").read_text())["packages"][f"node_modules/{name}"]
    assert installed["version"] == "1.1.0"
    assert sha512_hex_of_integrity(installed["integrity"]) == subject["digest"]["sha512"]
    served = httpx.get(
        httpx.get(f"{registry.url}{name}", timeout=30).json()["versions"]["1.1.0"]["dist"]["tarball"],
        timeout=30,
    ).content
    assert hashlib.sha512(served).hexdigest() == subject["digest"]["sha512"]

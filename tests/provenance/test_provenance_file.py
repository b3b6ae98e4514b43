"""``--provenance-file``: every rule has its own message; signatures verified when a root is at hand."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from releasekit.errors import ProvenanceError
from releasekit.package.model import PackedPackage
from releasekit.provenance import bundle_check
from releasekit.provenance.attach import provenance_attachment
from releasekit.provenance.bundle_check import MAX_BUNDLE_BYTES, check_bundle, read_bundle_file
from releasekit.provenance.settings import ProvenanceSetting
from releasekit.provenance.statement import purl
from releasekit.testing.sigstore_fake import FakeSigstore

V03 = "application/vnd.dev.sigstore.bundle.v0.3+json"


def statement_for(package: PackedPackage, **changes: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": purl(package.name, package.version), "digest": {"sha512": package.sha512_hex}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {"buildDefinition": {}, "runDetails": {}},
    }
    statement.update(changes)
    return statement


def bundle_bytes(
    statement: Any,
    *,
    media_type: str = V03,
    payload_type: str = "application/vnd.in-toto+json",
    payload: str | None = None,
) -> bytes:
    """A bundle document with the given statement (structure only: not signed)."""
    encoded = payload if payload is not None else base64.b64encode(json.dumps(statement).encode()).decode()
    return json.dumps(
        {
            "mediaType": media_type,
            "verificationMaterial": {},
            "dsseEnvelope": {
                "payload": encoded,
                "payloadType": payload_type,
                "signatures": [{"sig": "AAAA"}],
            },
        }
    ).encode()


def expect_refusal(data: bytes, package: PackedPackage, message: str) -> None:
    with pytest.raises(ProvenanceError, match=message) as info:
        check_bundle(data, package, verify=False)
    assert "\n" not in str(info.value)
    assert info.value.exit_code == 1


# -- reading ------------------------------------------------------------------------------------------


def test_file_over_10_mb_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    big = tmp_path / "huge.sigstore.json"
    with big.open("wb") as handle:
        handle.truncate(MAX_BUNDLE_BYTES + 1)
    with pytest.raises(ProvenanceError, match="larger than 10 MB"):
        read_bundle_file(big)
    exact = tmp_path / "exact.json"
    with exact.open("wb") as handle:
        handle.truncate(MAX_BUNDLE_BYTES)
    assert len(read_bundle_file(exact)) == MAX_BUNDLE_BYTES


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ProvenanceError, match="no such file"):
        read_bundle_file(tmp_path / "absent.json")
    with pytest.raises(ProvenanceError, match="is a directory"):
        read_bundle_file(tmp_path)


# -- one test per structural rule -----------------------------------------------------------------------


def test_not_json(package: PackedPackage) -> None:
    expect_refusal(b"\x89PNG not a bundle", package, "not JSON")


def test_not_a_sigstore_bundle(package: PackedPackage) -> None:
    expect_refusal(b"[1, 2, 3]", package, "not a Sigstore bundle")
    v01 = bundle_bytes(
        statement_for(package), media_type="application/vnd.dev.sigstore.bundle+json;version=0.1"
    )
    expect_refusal(
        v01,
        package,
        r"not a Sigstore bundle v0\.2 or v0\.3 \(mediaType 'application/vnd\.dev\.sigstore\.bundle\+json;version=0\.1'\)",
    )
    expect_refusal(json.dumps({"dsseEnvelope": {}}).encode(), package, "not a Sigstore bundle v0.2 or v0.3")


def test_no_dsse_envelope(package: PackedPackage) -> None:
    message_signature = json.dumps({"mediaType": V03, "messageSignature": {"signature": "AAAA"}}).encode()
    expect_refusal(message_signature, package, "no DSSE envelope")


def test_wrong_payload_type(package: PackedPackage) -> None:
    data = bundle_bytes(statement_for(package), payload_type="application/json")
    expect_refusal(
        data, package, "DSSE payload type is 'application/json', expected 'application/vnd.in-toto\\+json'"
    )


def test_payload_not_a_statement(package: PackedPackage) -> None:
    expect_refusal(
        bundle_bytes(None, payload="%%%not base64%%%"), package, "not a base64-encoded JSON statement"
    )
    expect_refusal(bundle_bytes(["a", "list"]), package, "DSSE payload is not a JSON object")


def test_statement_type_must_be_in_toto_v1_or_v01(package: PackedPackage) -> None:
    data = bundle_bytes(statement_for(package, _type="https://in-toto.io/Statement/v0.2"))
    expect_refusal(
        data, package, "statement type 'https://in-toto.io/Statement/v0.2' is not in-toto v1 or v0.1"
    )


def test_predicate_must_be_slsa_provenance_v1_or_v02(package: PackedPackage) -> None:
    data = bundle_bytes(statement_for(package, predicateType="https://spdx.dev/Document"))
    expect_refusal(
        data, package, "predicate type 'https://spdx.dev/Document' is not SLSA provenance v1 or v0.2"
    )


def test_exactly_one_subject(package: PackedPackage, make_package: Any) -> None:
    expect_refusal(bundle_bytes(statement_for(package, subject=[])), package, "has 0 subjects; exactly one")
    other = make_package(name="other")
    two = statement_for(package)["subject"] + statement_for(other)["subject"]
    expect_refusal(bundle_bytes(statement_for(package, subject=two)), package, "has 2 subjects; exactly one")


def test_subject_name_must_match(package: PackedPackage, make_package: Any) -> None:
    other_version = make_package(version="9.9.9")
    data = bundle_bytes(statement_for(other_version))
    expect_refusal(
        data,
        package,
        r"subject 'pkg:npm/demo-pkg@9\.9\.9' does not match the package being staged \(pkg:npm/demo-pkg@1\.2\.3\)",
    )


def test_subject_sha512_must_match(package: PackedPackage, make_package: Any) -> None:
    rebuilt = make_package(body=b"different bytes\n")
    assert rebuilt.name == package.name and rebuilt.version == package.version
    expect_refusal(bundle_bytes(statement_for(rebuilt)), package, "subject sha512 does not match the tarball")


@pytest.mark.parametrize(
    ("media_type", "statement_type", "predicate_type"),
    [
        (
            "application/vnd.dev.sigstore.bundle+json;version=0.2",
            "https://in-toto.io/Statement/v0.1",
            "https://slsa.dev/provenance/v0.2",
        ),
        (
            "application/vnd.dev.sigstore.bundle+json;version=0.3",
            "https://in-toto.io/Statement/v1",
            "https://slsa.dev/provenance/v1",
        ),
        (V03, "https://in-toto.io/Statement/v0.1", "https://slsa.dev/provenance/v1"),
    ],
)
def test_accepted_versions_pass_the_structure_rules(
    package: PackedPackage, media_type: str, statement_type: str, predicate_type: str
) -> None:
    data = bundle_bytes(
        statement_for(package, _type=statement_type, predicateType=predicate_type), media_type=media_type
    )
    checked = check_bundle(data, package, verify=False)
    assert (checked.verified, checked.media_type) == (False, media_type)
    assert checked.detail.startswith("structure checked only")


# -- signature verification ------------------------------------------------------------------------------


@pytest.fixture
def signed_bundle(github_actions: str, package: PackedPackage, trust_config: Any) -> str:
    result = provenance_attachment(
        package, ProvenanceSetting("generate", "--provenance"), access="public", trust_config=trust_config
    )
    assert result is not None and result.bundle_json
    return result.bundle_json


def test_signature_verified_with_the_given_trust_root(
    signed_bundle: str, package: PackedPackage, trust_config: Any
) -> None:
    checked = check_bundle(signed_bundle.encode(), package, trust_config=trust_config)
    assert checked.verified is True
    assert checked.detail.startswith("signature verified: signed by https://github.com/octo-org/octo-repo/")
    assert checked.log_index == 5


def test_signature_from_an_untrusted_instance_is_refused(signed_bundle: str, package: PackedPackage) -> None:
    foreign = FakeSigstore(name="foreign").client_trust_config()
    with pytest.raises(ProvenanceError, match="signature verification failed"):
        check_bundle(signed_bundle.encode(), package, trust_config=foreign)


def test_default_root_is_public_good_sigstore_offline(signed_bundle: str, package: PackedPackage) -> None:
    """With no root given, the public-good root shipped with sigstore is used (no network): a private
    instance's bundle does not verify against it."""
    with pytest.raises(ProvenanceError, match="signature verification failed"):
        check_bundle(signed_bundle.encode(), package)


def test_says_clearly_when_only_the_structure_was_checked(
    signed_bundle: str, package: PackedPackage, monkeypatch: pytest.MonkeyPatch
) -> None:
    from releasekit.provenance import sign

    def no_root(*, offline: bool = False) -> Any:
        raise ProvenanceError("cannot load Sigstore's trust root: offline cache missing")

    monkeypatch.setattr(sign, "production_trust_config", no_root)
    checked = check_bundle(signed_bundle.encode(), package)
    assert checked.verified is False
    assert checked.detail == (
        "structure checked only; signature not verified "
        "(no trust root: cannot load Sigstore's trust root: offline cache missing)"
    )
    assert bundle_check.MAX_BUNDLE_BYTES == 10 * 1024 * 1024


def test_file_attachment_carries_the_bundle_as_given(
    signed_bundle: str, package: PackedPackage, trust_config: Any, tmp_path: Path
) -> None:
    path = tmp_path / "provenance.sigstore.json"
    path.write_text(signed_bundle)
    setting = ProvenanceSetting("file", "--provenance-file", path)
    result = provenance_attachment(package, setting, access="public", trust_config=trust_config)
    assert result is not None and result.attachment is not None
    assert result.attachment == {
        "content_type": V03,
        "data": signed_bundle,
        "length": len(signed_bundle.encode()),
    }
    assert (result.source, result.verified, result.log_index) == (f"file {path}", True, 5)

    dry = provenance_attachment(package, setting, access="public", trust_config=trust_config, dry_run=True)
    assert dry is not None and dry.attachment is None and dry.verified is True
    assert dry.summary().startswith(f"provenance: would attach demo-pkg-1.2.3.sigstore (file {path})")


def test_bad_file_stops_before_upload(package: PackedPackage, tmp_path: Path) -> None:
    path = tmp_path / "wrong.json"
    path.write_bytes(bundle_bytes(statement_for(package, predicateType="https://example.com/x")))
    setting = ProvenanceSetting("file", "--provenance-file", path)
    with pytest.raises(ProvenanceError, match=rf"--provenance-file {path}: predicate type"):
        provenance_attachment(package, setting, access="public")


def test_checking_a_file_prints_no_library_warnings(
    signed_bundle: str,
    package: PackedPackage,
    trust_config: Any,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No sigstore "unsafe policy" or TUF "offline mode" warnings leak into lpm's output."""
    import logging

    caplog.set_level(logging.DEBUG, logger="sigstore")
    check_bundle(signed_bundle.encode(), package, trust_config=trust_config)
    with pytest.raises(ProvenanceError):
        check_bundle(signed_bundle.encode(), package)  # public-good root, loaded offline
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == []
    assert capsys.readouterr().err == ""

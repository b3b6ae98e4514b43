"""Check a pre-generated Sigstore bundle (``--provenance-file``) before anything is uploaded.

Each rule has its own message, in the order npm's checks run: the file is a
Sigstore bundle (v0.2 or v0.3) carrying a DSSE envelope of an in-toto
statement (v1 or v0.1) with an SLSA provenance predicate (v1 or v0.2), with
exactly one subject naming this package and this tarball's sha512. Then the
signature is verified with sigstore's ``Verifier`` when a trust root is at
hand; :attr:`BundleCheck.verified` says whether it was.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit.errors import ProvenanceError
from releasekit.package.model import PackedPackage
from releasekit.provenance.statement import (
    INTOTO_PAYLOAD_TYPE,
    SLSA_PROVENANCE_V02,
    SLSA_PROVENANCE_V1,
    STATEMENT_V01,
    STATEMENT_V1,
    purl,
)

if TYPE_CHECKING:
    from sigstore.models import ClientTrustConfig
    from sigstore.verify.policy import VerificationPolicy

MAX_BUNDLE_BYTES = 10 * 1024 * 1024

BUNDLE_MEDIA_TYPES = frozenset(
    {
        "application/vnd.dev.sigstore.bundle+json;version=0.2",
        "application/vnd.dev.sigstore.bundle+json;version=0.3",
        "application/vnd.dev.sigstore.bundle.v0.3+json",
    }
)
STATEMENT_TYPES = frozenset({STATEMENT_V1, STATEMENT_V01})
PREDICATE_TYPES = frozenset({SLSA_PROVENANCE_V1, SLSA_PROVENANCE_V02})


@dataclass(frozen=True)
class BundleCheck:
    """A bundle that passed the structural rules, and whether its signature was verified."""

    bundle_json: str
    media_type: str
    statement: dict[str, Any]
    verified: bool
    detail: str  # one line for the report: what was verified, or why only the structure was
    log_index: int | None = None


def read_bundle_file(path: Path | str, *, limit: int = MAX_BUNDLE_BYTES) -> bytes:
    """The file's bytes, refusing more than ``limit`` without reading past it."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise ProvenanceError(f"--provenance-file {path}: no such file") from None
    except IsADirectoryError:
        raise ProvenanceError(f"--provenance-file {path}: is a directory, not a bundle file") from None
    except OSError as exc:
        raise ProvenanceError(f"--provenance-file {path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise ProvenanceError(
            f"--provenance-file {path}: larger than {limit // (1024 * 1024)} MB; not a provenance bundle"
        )
    return data


def check_structure(
    data: bytes, package: PackedPackage, *, label: str = "provenance bundle"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Apply every structural rule; answer (bundle document, statement)."""
    try:
        bundle = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ProvenanceError(f"{label}: not JSON (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise ProvenanceError(f"{label}: not JSON ({exc})") from None
    if not isinstance(bundle, dict):
        raise ProvenanceError(f"{label}: not a Sigstore bundle (the document is not a JSON object)")

    media_type = bundle.get("mediaType")
    if media_type not in BUNDLE_MEDIA_TYPES:
        raise ProvenanceError(f"{label}: not a Sigstore bundle v0.2 or v0.3 (mediaType {media_type!r})")

    envelope = bundle.get("dsseEnvelope")
    if not isinstance(envelope, dict) or not isinstance(envelope.get("payload"), str):
        raise ProvenanceError(
            f"{label}: no DSSE envelope with a payload; a provenance bundle signs an in-toto statement"
        )
    if envelope.get("payloadType") != INTOTO_PAYLOAD_TYPE:
        raise ProvenanceError(
            f"{label}: DSSE payload type is {envelope.get('payloadType')!r}, expected {INTOTO_PAYLOAD_TYPE!r}"
        )

    try:
        statement = json.loads(base64.b64decode(envelope["payload"], validate=True))
    except (binascii.Error, ValueError) as exc:
        raise ProvenanceError(
            f"{label}: the DSSE payload is not a base64-encoded JSON statement ({exc})"
        ) from None
    if not isinstance(statement, dict):
        raise ProvenanceError(f"{label}: the DSSE payload is not a JSON object")

    if statement.get("_type") not in STATEMENT_TYPES:
        raise ProvenanceError(f"{label}: statement type {statement.get('_type')!r} is not in-toto v1 or v0.1")
    if statement.get("predicateType") not in PREDICATE_TYPES:
        raise ProvenanceError(
            f"{label}: predicate type {statement.get('predicateType')!r} is not SLSA provenance v1 or v0.2"
        )

    subjects = statement.get("subject")
    if not isinstance(subjects, list) or len(subjects) != 1:
        count = len(subjects) if isinstance(subjects, list) else 0
        raise ProvenanceError(f"{label}: the statement has {count} subjects; exactly one is required")
    subject: dict[str, Any] = subjects[0] if isinstance(subjects[0], dict) else {}

    expected_name = purl(package.name, package.version)
    if subject.get("name") != expected_name:
        raise ProvenanceError(
            f"{label}: subject {subject.get('name')!r} does not match the package being staged ({expected_name})"
        )
    digest = subject.get("digest")
    if not isinstance(digest, dict):
        digest = {}
    if str(digest.get("sha512", "")).lower() != package.sha512_hex:
        raise ProvenanceError(
            f"{label}: subject sha512 does not match the tarball being staged ({package.filename})"
        )
    return bundle, statement


class AnyCertifiedSigner:
    """A verification policy that accepts whichever identity the trusted Fulcio certified.

    The ``Verifier`` still checks the chain to the trust root, the SCT, the log
    entry and the signature; only the signer's identity is left open (the
    report names it). sigstore's ``UnsafeNoOp`` does the same but warns on
    every use, which would read as a failure in lpm's output.
    """

    def verify(self, cert: Any) -> None:
        return None


def verify_bundle(
    data: bytes | str,
    trust_config: ClientTrustConfig,
    policy: VerificationPolicy | None = None,
) -> tuple[int, str]:
    """Verify with sigstore's ``Verifier``; answer (log index, signer "identity (issuer)")."""
    from sigstore.models import Bundle
    from sigstore.verify import Verifier

    try:
        bundle = Bundle.from_json(data)
        verifier = Verifier(trusted_root=trust_config.trusted_root)
        payload_type, _ = verifier.verify_dsse(bundle, policy or AnyCertifiedSigner())
    except Exception as exc:
        raise ProvenanceError(f"provenance bundle: signature verification failed: {_one_line(exc)}") from exc
    if payload_type != INTOTO_PAYLOAD_TYPE:
        raise ProvenanceError(f"provenance bundle: verified payload type is {payload_type!r}")
    return int(bundle.log_entry._inner.log_index), _signer(bundle)


def _signer(bundle: Any) -> str:
    from cryptography.x509 import ObjectIdentifier, SubjectAlternativeName

    cert = bundle.signing_certificate
    try:
        names = cert.extensions.get_extension_for_class(SubjectAlternativeName).value
        identity = ", ".join(str(getattr(n, "value", n)) for n in names)
    except Exception:
        identity = "unknown identity"
    try:
        issuer = cert.extensions.get_extension_for_oid(
            ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
        ).value.value.decode()
    except Exception:
        issuer = "unknown issuer"
    return f"{identity} ({issuer})"


def check_bundle(
    data: bytes,
    package: PackedPackage,
    *,
    trust_config: ClientTrustConfig | None = None,
    policy: VerificationPolicy | None = None,
    verify: bool = True,
    label: str = "provenance bundle",
    env: Mapping[str, str] | None = None,
) -> BundleCheck:
    """Structure first, then the signature when a trust root is available.

    ``trust_config`` ``None`` means the instance named by
    ``RELEASEKIT_SIGSTORE_TRUST_CONFIG`` (a bad file there is an error), else
    Sigstore's public-good root from the local TUF cache or the copy shipped
    with sigstore-python: no network. If no root can be loaded, or ``verify``
    is false, only the structure is checked and :attr:`BundleCheck.detail`
    says so.
    """
    bundle, statement = check_structure(data, package, label=label)
    text = data.decode("utf-8")
    media_type = str(bundle["mediaType"])
    if not verify:
        return BundleCheck(
            text, media_type, statement, False, "structure checked only; signature not verified"
        )
    if trust_config is None:
        from releasekit.provenance.sign import TRUST_CONFIG_ENV, configured_trust_config

        environ = os.environ if env is None else env
        try:
            trust_config = configured_trust_config(environ, offline=True)
        except ProvenanceError as exc:
            if environ.get(TRUST_CONFIG_ENV, "").strip():
                raise
            return BundleCheck(
                text,
                media_type,
                statement,
                False,
                f"structure checked only; signature not verified (no trust root: {exc.message})",
            )
    log_index, signer = verify_bundle(text, trust_config, policy)
    return BundleCheck(
        text, media_type, statement, True, f"signature verified: signed by {signer}", log_index
    )


def verify_package_provenance(
    bundle_json: str | bytes,
    package: PackedPackage,
    trust_config: ClientTrustConfig,
    policy: VerificationPolicy | None = None,
) -> int:
    """What a consumer checks: the bundle names this tarball and verifies under ``trust_config``.

    ``policy`` pins the signer (e.g. ``Identity(identity=..., issuer=...)``).
    Answers the transparency log index; raises :class:`ProvenanceError`.
    """
    data = bundle_json.encode("utf-8") if isinstance(bundle_json, str) else bundle_json
    check_structure(data, package)
    log_index, _ = verify_bundle(data, trust_config, policy)
    return log_index


def _one_line(exc: BaseException) -> str:
    return " ".join((str(exc) or type(exc).__name__).split())

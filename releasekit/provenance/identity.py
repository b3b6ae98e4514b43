"""Who built a staged tarball: its Sigstore provenance checked against the identity a project expects.

``releasekit.yaml`` names the expected builder under ``verify.provenance``::

    verify:
      provenance:
        repository: octo-org/octo-repo        # or https://github.com/octo-org/octo-repo
        workflow: .github/workflows/release.yml
        ref: refs/tags/v*                     # a glob over the workflow's ref
        issuer: https://token.actions.githubusercontent.com
        required: true                        # the default once the section exists

The checks run in this order, each with its own refusal: the bundle's signature
chains to the trusted Sigstore root (anything else in an unverified bundle is a
claim, not evidence); the certificate's identity (repository, workflow path,
ref) and OIDC issuer are the expected ones; the statement's one subject is this
package and the staged tarball's sha512; its source commit is the commit being
verified. The certificate identity is Fulcio's ``<server>/<repository>/<workflow
path>@<ref>`` (GitHub; GitLab's ``//`` before the path is accepted too).
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from releasekit.errors import ConfigError, ProvenanceError
from releasekit.provenance.bundle_check import verify_bundle
from releasekit.provenance.statement import purl

if TYPE_CHECKING:
    from sigstore.models import ClientTrustConfig

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
DEFAULT_SERVER = "https://github.com"
_OID_ISSUER_V1 = "1.3.6.1.4.1.57264.1.1"
_OID_ISSUER_V2 = "1.3.6.1.4.1.57264.1.8"

Outcome = Literal[
    "verified", "absent", "missing", "invalid", "wrong-identity", "wrong-digest", "wrong-commit"
]
REFUSALS: frozenset[str] = frozenset({"missing", "invalid", "wrong-identity", "wrong-digest", "wrong-commit"})


@dataclass(frozen=True)
class ExpectedIdentity:
    """``verify.provenance`` from releasekit.yaml."""

    repository: str | None = None  # "owner/repo" or a URL
    workflow: str | None = None  # ".github/workflows/release.yml"
    ref: str | None = None  # glob, e.g. "refs/tags/v*"
    issuer: str = GITHUB_ISSUER
    required: bool = True

    @classmethod
    def from_config(cls, section: Any) -> ExpectedIdentity | None:
        """``None`` when the section is absent or empty; a :class:`ConfigError` when it is malformed."""
        if not section:
            return None
        if not isinstance(section, Mapping):
            raise ConfigError("releasekit.yaml: verify.provenance must be a mapping")
        values: dict[str, Any] = {}
        for key in ("repository", "workflow", "ref", "issuer"):
            value = section.get(key)
            if value is not None and not isinstance(value, str):
                raise ConfigError(f"releasekit.yaml: verify.provenance.{key} must be a string")
            if value:
                values[key] = value.strip()
        required = section.get("required", True)
        if not isinstance(required, bool):
            raise ConfigError("releasekit.yaml: verify.provenance.required must be true or false")
        return cls(**values, required=required)

    @property
    def repository_url(self) -> str | None:
        if not self.repository:
            return None
        repo = self.repository.rstrip("/").removesuffix(".git")
        return repo if "://" in repo else f"{DEFAULT_SERVER}/{repo.strip('/')}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "repository": self.repository_url,
            "workflow": self.workflow,
            "ref": self.ref,
            "issuer": self.issuer,
            "required": self.required,
        }


@dataclass(frozen=True)
class SignerIdentity:
    """The certificate's identity, split as Fulcio writes it for a CI workflow."""

    san: str
    issuer: str

    def split(self, repository_url: str) -> tuple[str, str] | None:
        """(workflow path, ref) if the identity is a workflow of ``repository_url``, else ``None``."""
        prefix = repository_url.rstrip("/") + "/"
        if not self.san.startswith(prefix) or "@" not in self.san:
            return None
        rest, _, ref = self.san[len(prefix) :].rpartition("@")
        return rest.lstrip("/"), ref


@dataclass(frozen=True)
class ProvenanceCheck:
    """The outcome of the provenance identity check; ``refused`` for every failing outcome."""

    outcome: Outcome
    message: str
    source: str | None = None  # where the bundle came from: "registry" or a file path
    signer: str | None = None
    issuer: str | None = None
    commit: str | None = None  # the source commit the statement names
    log_index: int | None = None
    expected: ExpectedIdentity | None = None

    @property
    def refused(self) -> bool:
        return self.outcome in REFUSALS

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "refused": self.refused,
            "message": self.message,
            "source": self.source,
            "signer": self.signer,
            "issuer": self.issuer,
            "commit": self.commit,
            "logIndex": self.log_index,
            "expected": self.expected.to_dict() if self.expected else None,
        }


def signer_of(bundle_json: str) -> SignerIdentity:
    """The signing certificate's SAN and OIDC issuer."""
    from cryptography.x509 import ObjectIdentifier, SubjectAlternativeName
    from sigstore.models import Bundle

    cert = Bundle.from_json(bundle_json).signing_certificate
    try:
        names = cert.extensions.get_extension_for_class(SubjectAlternativeName).value
        san = str(getattr(next(iter(names)), "value", ""))
    except Exception:
        san = ""
    issuer = ""
    for oid, der in ((_OID_ISSUER_V2, True), (_OID_ISSUER_V1, False)):
        try:
            raw = bytes(
                getattr(cert.extensions.get_extension_for_oid(ObjectIdentifier(oid)).value, "value", b"")
            )
        except Exception:
            continue
        # v2 is a DER UTF8String (tag, length, text); v1 is the raw text
        issuer = (raw[2:] if der and len(raw) > 2 and raw[1] < 0x80 else raw).decode("utf-8", "replace")
        break
    return SignerIdentity(san, issuer)


def _statement(bundle: Mapping[str, Any]) -> dict[str, Any]:
    envelope = bundle.get("dsseEnvelope")
    payload = envelope.get("payload") if isinstance(envelope, Mapping) else None
    try:
        statement = json.loads(base64.b64decode(str(payload), validate=True))
    except (binascii.Error, ValueError):
        raise ProvenanceError(
            "provenance bundle: the DSSE payload is not a base64-encoded JSON statement"
        ) from None
    if not isinstance(statement, dict):
        raise ProvenanceError("provenance bundle: the DSSE payload is not a JSON object")
    return statement


def source_commit(statement: Mapping[str, Any]) -> str | None:
    """The git commit the statement says the build started from (SLSA v1 or v0.2)."""
    predicate = statement.get("predicate")
    if not isinstance(predicate, Mapping):
        return None
    definition = predicate.get("buildDefinition")
    deps = definition.get("resolvedDependencies") if isinstance(definition, Mapping) else None
    if deps is None:  # SLSA v0.2: materials
        deps = predicate.get("materials")
    for dep in deps if isinstance(deps, list) else []:
        digest = dep.get("digest") if isinstance(dep, Mapping) else None
        if isinstance(digest, Mapping):
            commit = digest.get("gitCommit") or digest.get("sha1")
            if isinstance(commit, str) and commit:
                return commit.lower()
    return None


def check_identity(
    bundle_bytes: bytes,
    *,
    name: str,
    version: str,
    tarball_sha512: str,
    commit: str | None,
    expected: ExpectedIdentity | None,
    trust_config: ClientTrustConfig,
    source: str,
) -> ProvenanceCheck:
    """Check one provenance bundle for the staged tarball; never raises for a bad bundle."""

    def refuse(outcome: Outcome, message: str, **extra: Any) -> ProvenanceCheck:
        return ProvenanceCheck(outcome, message, source, expected=expected, **extra)

    try:
        text = bundle_bytes.decode("utf-8")
        bundle = json.loads(text)
        if not isinstance(bundle, dict):
            raise ValueError("not a JSON object")
    except (UnicodeDecodeError, ValueError) as exc:
        return refuse("invalid", f"provenance from {source} is not a Sigstore bundle ({exc})")
    try:
        log_index, _ = verify_bundle(text, trust_config)
        statement = _statement(bundle)
        signer = signer_of(text)
    except ProvenanceError as exc:
        return refuse("invalid", f"provenance from {source}: {exc.message}")
    stated_commit = source_commit(statement)
    found: dict[str, Any] = {
        "signer": signer.san,
        "issuer": signer.issuer,
        "log_index": log_index,
        "commit": stated_commit,
    }

    if expected is not None:
        problem = _identity_problem(signer, expected)
        if problem:
            return refuse(
                "wrong-identity",
                f"provenance was signed by {signer.san} ({signer.issuer}): {problem}",
                **found,
            )

    subjects = statement.get("subject")
    only = subjects[0] if isinstance(subjects, list) and len(subjects) == 1 else None
    subject: dict[str, Any] = only if isinstance(only, dict) else {}
    digest: dict[str, Any] = subject["digest"] if isinstance(subject.get("digest"), dict) else {}
    if subject.get("name") != purl(name, version) or str(digest.get("sha512", "")).lower() != tarball_sha512:
        return refuse(
            "wrong-digest",
            f"provenance names {subject.get('name')!r} with sha512 {str(digest.get('sha512', ''))[:16]}..., "
            f"not the staged tarball of {name}@{version} (sha512 {tarball_sha512[:16]}...)",
            **found,
        )
    if commit is not None and stated_commit != commit.lower():
        return refuse(
            "wrong-commit",
            f"provenance says the build started from commit {stated_commit or '(none)'}, not {commit}",
            **found,
        )
    pinned = "the expected identity" if expected is not None else "an identity no verify.provenance pins"
    return ProvenanceCheck(
        "verified",
        f"provenance verified: signed by {signer.san} ({signer.issuer}), {pinned}",
        source,
        expected=expected,
        **found,
    )


def _identity_problem(signer: SignerIdentity, expected: ExpectedIdentity) -> str | None:
    if signer.issuer != expected.issuer:
        return f"issuer is not {expected.issuer}"
    repository = expected.repository_url
    if repository is None:
        return None
    split = signer.split(repository)
    if split is None:
        return f"not a workflow of {repository}"
    workflow, ref = split
    if expected.workflow and workflow != expected.workflow.removeprefix("./"):
        return f"workflow {workflow} is not {expected.workflow}"
    if expected.ref and not fnmatch.fnmatchcase(ref, expected.ref):
        return f"ref {ref} does not match {expected.ref}"
    return None

"""Sign a statement as DSSE with sigstore-python, using the CI job's OIDC identity.

The trust configuration is injectable: production Sigstore (fetched through
TUF, lazily) by default, a private instance in tests. Every failure is a
:class:`ProvenanceError`; nothing here falls back to "no provenance".
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from releasekit.errors import ProvenanceError
from releasekit.provenance.statement import detect_ci
from releasekit.redaction import register_secret

if TYPE_CHECKING:
    from sigstore.models import ClientTrustConfig

BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
# A ClientTrustConfig JSON file naming a private Sigstore instance, as sigstore's --trust-config does.
TRUST_CONFIG_ENV = "RELEASEKIT_SIGSTORE_TRUST_CONFIG"
_MAX_TRUST_CONFIG_BYTES = 1024 * 1024


@dataclass(frozen=True)
class SignedBundle:
    bundle_json: str
    media_type: str
    log_index: int
    identity: str  # the signer identity as the token names it (GitHub: the sub claim)
    issuer: str


def production_trust_config(*, offline: bool = False) -> ClientTrustConfig:
    """Sigstore's public-good instance (TUF refresh unless ``offline``)."""
    import logging

    from sigstore.models import ClientTrustConfig

    tuf_log = logging.getLogger("sigstore._internal.tuf")
    level = tuf_log.level
    if offline:  # offline is what we asked for; its warning would only alarm the reader
        tuf_log.setLevel(logging.ERROR)
    try:
        return ClientTrustConfig.production(offline=offline)
    except Exception as exc:  # TUF and network failures come in many types
        raise ProvenanceError(f"cannot load Sigstore's trust root: {_reason(exc)}") from exc
    finally:
        tuf_log.setLevel(level)


def configured_trust_config(
    env: Mapping[str, str] | None = None, *, offline: bool = False
) -> ClientTrustConfig:
    """The instance named by ``RELEASEKIT_SIGSTORE_TRUST_CONFIG``, else the public-good one."""
    env = os.environ if env is None else env
    path = env.get(TRUST_CONFIG_ENV, "").strip()
    if not path:
        return production_trust_config(offline=offline)
    from sigstore.models import ClientTrustConfig

    try:
        with open(path, "rb") as handle:
            raw = handle.read(_MAX_TRUST_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ProvenanceError(f"{TRUST_CONFIG_ENV}={path}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > _MAX_TRUST_CONFIG_BYTES:
        raise ProvenanceError(f"{TRUST_CONFIG_ENV}={path}: larger than 1 MB; not a Sigstore trust config")
    try:
        return ClientTrustConfig.from_json(raw.decode("utf-8"))
    except Exception as exc:
        raise ProvenanceError(
            f"{TRUST_CONFIG_ENV}={path}: not a Sigstore client trust config: {_reason(exc)}"
        ) from None


def ambient_identity_token(env: Mapping[str, str] | None = None) -> str:
    """The CI job's OIDC token with audience ``sigstore`` (GitHub Actions, or ``SIGSTORE_ID_TOKEN`` on GitLab)."""
    env = os.environ if env is None else env
    ci = detect_ci(env)
    if ci is None:
        raise ProvenanceError(
            "provenance needs a CI identity: run in GitHub Actions or GitLab CI",
            hint="outside CI, stage without --provenance or attach a bundle with --provenance-file",
        )
    if ci == "gitlab":
        token = env.get("SIGSTORE_ID_TOKEN")
        if not token:
            raise ProvenanceError(
                "GitLab CI: SIGSTORE_ID_TOKEN is not set; declare it under id_tokens with aud: sigstore"
            )
        register_secret(token)
        return token
    from sigstore.oidc import IdentityError, detect_credential

    register_secret(env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN"))
    try:
        token = detect_credential()
    except IdentityError as exc:
        raise ProvenanceError(
            f"GitHub Actions: cannot get an OIDC token: {_reason(exc)}",
            hint="give the job `permissions: id-token: write`",
        ) from exc
    if not token:
        raise ProvenanceError(
            "GitHub Actions: no OIDC token available; give the job `permissions: id-token: write`"
        )
    register_secret(token)
    return token


def sign_statement(
    payload: bytes,
    *,
    trust_config: ClientTrustConfig | None = None,
    identity_token: str | None = None,
    env: Mapping[str, str] | None = None,
) -> SignedBundle:
    """Sign the in-toto statement ``payload`` (exact bytes) and log it in Rekor."""
    from sigstore.dsse import Statement
    from sigstore.oidc import IdentityToken
    from sigstore.sign import SigningContext

    raw = identity_token or ambient_identity_token(env)
    register_secret(raw)
    try:
        token = IdentityToken(raw)
    except Exception as exc:
        raise ProvenanceError(f"the CI identity token is unusable: {_reason(exc)}") from exc
    try:
        statement = Statement(payload)
    except Exception as exc:
        raise ProvenanceError(f"the provenance statement is malformed: {_reason(exc)}") from exc

    config = trust_config if trust_config is not None else configured_trust_config(env)
    try:
        context = SigningContext.from_trust_config(config)
        with context.signer(token, cache=True) as signer:
            bundle = signer.sign_dsse(statement)
    except Exception as exc:
        raise ProvenanceError(f"signing provenance failed: {_reason(exc)}") from exc

    document = bundle.to_json()
    media_type = json.loads(document).get("mediaType", "")
    if media_type != BUNDLE_MEDIA_TYPE:
        raise ProvenanceError(
            f"sigstore produced a bundle of type {media_type!r}, expected {BUNDLE_MEDIA_TYPE}"
        )
    return SignedBundle(
        bundle_json=document,
        media_type=media_type,
        log_index=int(bundle.log_entry._inner.log_index),
        identity=token.identity,
        issuer=token.issuer,
    )


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    cause: Any = exc.__cause__
    if text == type(exc).__name__ and cause is not None:
        text = f"{text}: {str(cause).strip() or type(cause).__name__}"
    return " ".join(text.split())

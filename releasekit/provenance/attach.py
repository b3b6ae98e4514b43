"""The one call the stage pipeline makes: the ``.sigstore`` attachment for a packed package.

::

    from releasekit.provenance.attach import provenance_attachment
    from releasekit.provenance.settings import setting_from_options

    setting = setting_from_options(options, manifest=package.manifest, project_dir=root, config=config)
    result = provenance_attachment(package, setting, access=target.access, dry_run=options.dry_run)
    if result is not None and result.attachment is not None:
        body["_attachments"][result.attachment_name] = result.attachment

``None`` means provenance is off. Any failure raises :class:`ProvenanceError`
(or :class:`UsageError` for the access rule): a stage that asked for provenance
never goes ahead without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from releasekit.errors import ProvenanceError
from releasekit.package.model import PackedPackage
from releasekit.provenance.settings import ProvenanceSetting, require_public

if TYPE_CHECKING:
    from sigstore.models import ClientTrustConfig
    from sigstore.verify.policy import VerificationPolicy

    from releasekit.options import StageOptions


@dataclass(frozen=True)
class ProvenanceResult:
    """What gets attached (``attachment`` is ``None`` on a dry run) and where it came from."""

    attachment_name: str
    attachment: Mapping[str, Any] | None
    source: str
    setting: ProvenanceSetting
    log_index: int | None = None
    verified: bool | None = None
    detail: str = ""
    dry_run: bool = False

    @property
    def bundle_json(self) -> str | None:
        return None if self.attachment is None else str(self.attachment["data"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "attached": self.attachment is not None,
            "name": self.attachment_name,
            "source": self.source,
            "setting": self.setting.source,
            "logIndex": self.log_index,
            "verified": self.verified,
            "detail": self.detail,
            "dryRun": self.dry_run,
        }

    def summary(self) -> str:
        """One line for the console: what is (or would be) attached, and the log index to look up."""
        if self.dry_run:
            return f"provenance: would attach {self.attachment_name} ({self.source}); {self.detail}"
        line = f"provenance: attached {self.attachment_name} ({self.source})"
        if self.log_index is not None:
            line += f"; transparency log index {self.log_index}"
        return f"{line}; {self.detail}" if self.detail else line


def attachment_name(package: PackedPackage) -> str:
    return f"{package.name}-{package.version}.sigstore"


def _attachment(bundle_json: str, media_type: str) -> dict[str, Any]:
    return {"content_type": media_type, "data": bundle_json, "length": len(bundle_json.encode("utf-8"))}


def generation_source(env: Mapping[str, str] | None = None) -> str:
    from releasekit.provenance.statement import detect_ci

    ci = detect_ci(env)
    if ci == "github":
        return "signed with the GitHub Actions identity"
    if ci == "gitlab":
        return "signed with the GitLab CI identity (SIGSTORE_ID_TOKEN)"
    return "signed with a CI identity"


def provenance_attachment(
    package: PackedPackage,
    setting: ProvenanceSetting,
    *,
    access: str | None,
    trust_config: ClientTrustConfig | None = None,
    dry_run: bool = False,
    env: Mapping[str, str] | None = None,
    policy: VerificationPolicy | None = None,
) -> ProvenanceResult | None:
    """Generate or load, check, and package the provenance bundle for ``package``.

    ``trust_config`` names the Sigstore instance: ``None`` is the one named by
    ``RELEASEKIT_SIGSTORE_TRUST_CONFIG``, else the public-good one (for
    signing refreshed via TUF; for checking a file, the offline copy).
    ``policy`` pins the signer identity a ``--provenance-file`` must carry.
    """
    if not setting.enabled:
        return None
    require_public(setting, package.name, access)
    name = attachment_name(package)

    if setting.mode == "file":
        from releasekit.provenance.bundle_check import check_bundle, read_bundle_file

        assert setting.path is not None
        data = read_bundle_file(setting.path)
        checked = check_bundle(
            data,
            package,
            trust_config=trust_config,
            policy=policy,
            env=env,
            label=f"--provenance-file {setting.path}",
        )
        return ProvenanceResult(
            attachment_name=name,
            attachment=None if dry_run else _attachment(checked.bundle_json, checked.media_type),
            source=f"file {setting.path}",
            setting=setting,
            log_index=checked.log_index,
            verified=checked.verified,
            detail=checked.detail,
            dry_run=dry_run,
        )

    from releasekit.provenance.statement import build_statement, detect_ci, encode

    source = generation_source(env)
    if dry_run:
        detail = "nothing signed (dry run)"
        if detect_ci(env) is None:
            detail += "; not in GitHub Actions or GitLab CI here, so a real run would fail"
        return ProvenanceResult(name, None, source, setting, detail=detail, dry_run=True)

    from releasekit.provenance.bundle_check import verify_bundle
    from releasekit.provenance.sign import configured_trust_config, sign_statement

    statement = build_statement(package, env)
    config = trust_config if trust_config is not None else configured_trust_config(env)
    signed = sign_statement(encode(statement), trust_config=config, env=env)
    # Check our own bundle before it leaves: a bundle that does not verify must not be staged.
    if policy is None:
        from sigstore.verify.policy import OIDCIssuer

        policy = OIDCIssuer(signed.issuer)
    _, signer = verify_bundle(signed.bundle_json, config, policy)
    return ProvenanceResult(
        attachment_name=name,
        attachment=_attachment(signed.bundle_json, signed.media_type),
        source=source,
        setting=setting,
        log_index=signed.log_index,
        verified=True,
        detail=f"signed by {signer}",
    )


def attachment_for_options(
    package: PackedPackage,
    options: StageOptions,
    *,
    access: str | None,
    config: Any = None,
    trust_config: ClientTrustConfig | None = None,
    env: Mapping[str, str] | None = None,
) -> ProvenanceResult | None:
    """Resolve the setting from ``options`` plus the project's layers, then :func:`provenance_attachment`."""
    from releasekit.provenance.settings import setting_from_options

    setting = setting_from_options(
        options, manifest=package.manifest, project_dir=package.source_dir, config=config, env=env
    )
    return provenance_attachment(
        package, setting, access=access, trust_config=trust_config, dry_run=options.dry_run, env=env
    )


__all__ = ["ProvenanceError", "ProvenanceResult", "attachment_for_options", "provenance_attachment"]

"""npm's publish document for a :class:`PackedPackage`.

The body itself is built by :func:`releasekit.registry.publish_body.build_publish_body`
(the same for ``PUT /<name>`` and the stage POST); this module feeds it a
packed package the way npm's publish does: version cleaned as ``semver.clean``
would, client-side bookkeeping keys dropped, and a provenance attachment
(already in ``_attachments`` shape) added under npm's ``.sigstore`` name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from releasekit.errors import ManifestError
from releasekit.package.model import PackedPackage

# Keys npm's own tooling writes into installed manifests; never part of a publish.
_CLIENT_ONLY_KEYS = ("_id", "_resolved", "_integrity", "_from", "_attachments")


def clean_version(version: str) -> str:
    """npm's ``semver.clean``: trim, drop a leading ``v`` or ``=``; raise if not semver."""
    import semver

    candidate = version.strip().lstrip("=v").strip()
    try:
        return str(semver.Version.parse(candidate))
    except (ValueError, TypeError) as exc:
        raise ManifestError(f"package.json: invalid semver version {version!r}") from exc


def publish_body(
    package: PackedPackage,
    *,
    tag: str,
    access: str | None,
    registry: str,
    provenance: tuple[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The JSON document to send for ``package`` under dist-tag ``tag``.

    ``provenance`` is ``(attachment name, _attachments entry)`` of a Sigstore
    bundle, or ``None``. ``access`` ``None`` leaves the registry's default.
    """
    from releasekit.registry.publish_body import build_publish_body

    manifest = {k: v for k, v in package.manifest.items() if k not in _CLIENT_ONLY_KEYS}
    manifest["version"] = clean_version(package.version)
    body = build_publish_body(manifest, package.tarball, registry_url=registry, tag=tag, access=access)
    if provenance is not None:
        name, attachment = provenance
        body["_attachments"][name] = dict(attachment)
    return body

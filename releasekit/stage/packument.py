"""npm's publish document, built from a packed package.

``PUT /<name>`` (publish) and ``POST /-/stage/package/<name>`` (stage) take the
same JSON body: a one-version packument whose ``_attachments`` carries the
tarball (base64) and, optionally, a Sigstore provenance bundle. The shape
follows what npm 11's publish sends so registries treat both clients alike.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

from releasekit.errors import ManifestError
from releasekit.package.model import PackedPackage

# Manifest keys npm strips or replaces before upload.
_CLIENT_ONLY_KEYS = ("_id", "_resolved", "_integrity", "_from", "_attachments")


def clean_version(version: str) -> str:
    """npm's ``semver.clean``: trim, drop a leading ``v`` or ``=``; raise if not semver."""
    import semver

    candidate = version.strip().lstrip("=v").strip()
    try:
        return str(semver.Version.parse(candidate))
    except (ValueError, TypeError) as exc:
        raise ManifestError(f"package.json: invalid semver version {version!r}") from exc


def tarball_name(name: str, version: str) -> str:
    """The attachment key npm uses: the full name, scope and all."""
    return f"{name}-{version}.tgz"


def provenance_name(name: str, version: str) -> str:
    return f"{name}-{version}.sigstore"


def tarball_url(registry: str, name: str, version: str) -> str:
    base = registry if registry.endswith("/") else registry + "/"
    url = urljoin(base, f"{name}/-/{tarball_name(name, version)}")
    # npm writes http:// here too: installs fetch over https anyway when the
    # registry is https, and an http mirror of the document keeps working.
    return "http://" + url.removeprefix("https://") if url.startswith("https://") else url


def publish_body(
    package: PackedPackage,
    *,
    tag: str,
    access: str | None,
    registry: str,
    provenance: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON document to send for ``package`` under dist-tag ``tag``.

    ``provenance`` is the ``_attachments`` entry of a Sigstore bundle, or
    ``None``. ``access`` ``None`` leaves the registry's default in place.
    """
    name = package.name
    if not name:
        raise ManifestError("package.json: missing \"name\"")
    version = clean_version(package.version)
    manifest: dict[str, Any] = copy.deepcopy(dict(package.manifest))
    for key in _CLIENT_ONLY_KEYS:
        manifest.pop(key, None)
    manifest["version"] = version
    manifest["_id"] = f"{name}@{version}"
    dist = dict(manifest.get("dist") or {})
    dist.update(
        integrity=package.integrity,
        shasum=package.shasum,
        tarball=tarball_url(registry, name, version),
    )
    manifest["dist"] = dist

    attachments: dict[str, Any] = {
        tarball_name(name, version): {
            "content_type": "application/octet-stream",
            "data": base64.b64encode(package.tarball).decode("ascii"),
            "length": len(package.tarball),
        }
    }
    if provenance is not None:
        attachments[provenance_name(name, version)] = dict(provenance)

    return {
        "_id": name,
        "name": name,
        "description": manifest.get("description"),
        "dist-tags": {tag: version},
        "versions": {version: manifest},
        "access": access,
        "_attachments": attachments,
    }

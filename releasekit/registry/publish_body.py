"""npm's publish body: the JSON document ``PUT /<name>`` and the stage POST both carry.

Built the way libnpmpublish builds it, so a registry sees no difference
between ``npm stage publish`` and ``lpm stage publish``: one version in
``versions``, one dist-tag, the tarball base64 in ``_attachments`` under
``<name>-<version>.tgz``, and ``dist`` with sha512 integrity, sha1 shasum and
the tarball URL below the registry.
"""

from __future__ import annotations

import base64
import copy
import hashlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

from releasekit.errors import UsageError
from releasekit.registry.names import normalize_registry_url, scope_of, validate_name

ACCESS_VALUES = ("public", "restricted")


def build_publish_body(
    manifest: Mapping[str, Any],
    tarball: bytes,
    *,
    registry_url: str,
    tag: str = "latest",
    access: str | None = None,
    provenance_bundle: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The body for ``manifest`` (as packed) and its ``tarball`` bytes.

    ``access`` ``None`` leaves the registry default (public for unscoped,
    and what the scope says otherwise), as npm does without ``--access``.
    """
    name = validate_name(str(manifest.get("name", "")))
    version = str(manifest.get("version", "")).strip()
    if not version:
        raise UsageError(f"{name}: package.json has no version")
    if manifest.get("private") is True:
        raise UsageError(f'{name} is marked private in package.json: remove "private" to publish it')
    if access is not None and access not in ACCESS_VALUES:
        raise UsageError(f"access must be public or restricted, got {access!r}")
    if access == "restricted" and scope_of(name) is None:
        raise UsageError(f"{name}: only scoped packages can be restricted")
    if not tag or tag.strip() != tag:
        raise UsageError(f"invalid dist-tag: {tag!r}")

    registry_url = normalize_registry_url(registry_url)
    filename = f"{name}-{version}.tgz"
    version_doc = copy.deepcopy(dict(manifest))
    version_doc["version"] = version
    version_doc["_id"] = f"{name}@{version}"
    dist = dict(version_doc.get("dist") or {})
    dist["integrity"] = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode("ascii")
    dist["shasum"] = hashlib.sha1(tarball).hexdigest()
    # npm writes http:// on purpose: clients upgrade to the registry's scheme when fetching.
    dist["tarball"] = urljoin(registry_url, f"{name}/-/{filename}").replace("https://", "http://", 1)
    version_doc["dist"] = dist

    body: dict[str, Any] = {
        "_id": name,
        "name": name,
        "dist-tags": {tag: version},
        "versions": {version: version_doc},
        "access": access,
        "_attachments": {
            filename: {
                "content_type": "application/octet-stream",
                "data": base64.b64encode(tarball).decode("ascii"),
                "length": len(tarball),
            }
        },
    }
    if manifest.get("description") is not None:  # npm's JSON.stringify drops an undefined description
        body["description"] = manifest["description"]
    if provenance_bundle is not None:
        import json

        serialized = json.dumps(provenance_bundle, separators=(",", ":"))
        body["_attachments"][f"{name}-{version}.sigstore"] = {
            "content_type": str(
                provenance_bundle.get("mediaType", "application/vnd.dev.sigstore.bundle+json")
            ),
            "data": serialized,
            "length": len(serialized),
        }
    return body

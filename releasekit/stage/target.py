"""Where and how a package is staged: name, version, dist-tag, access and registry.

Precedence, as npm applies it: command-line flags, then the package's
``publishConfig``, then ``releasekit.yaml``'s ``stage`` section, then npm's
own configuration (``.npmrc``), then npm's defaults.

Where the registry was named matters for credentials: a registry named only
by the project's own files (``publishConfig.registry``, ``releasekit.yaml``,
the project's ``.npmrc``) gets ``NPM_TOKEN`` or an OIDC identity only after
confirmation (see :mod:`releasekit.registry.auth`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from releasekit.config import Config
from releasekit.errors import UsageError
from releasekit.options import StageOptions
from releasekit.package.model import PackedPackage
from releasekit.registry.resolve import (
    DEFAULT_REGISTRY,
    RegistryChoice,
    choose_registry,
    normalize_registry,
    resolve_registry,
)
from releasekit.stage.packument import clean_version

DEFAULT_TAG = "latest"

__all__ = [
    "DEFAULT_REGISTRY",
    "DEFAULT_TAG",
    "RegistryChoice",
    "StageTarget",
    "choose_registry",
    "normalize_registry",
    "resolve_registry",
    "resolve_target",
    "validate_tag",
]


@dataclass(frozen=True)
class StageTarget:
    name: str
    version: str
    tag: str
    access: str | None  # None: the registry's default for the package
    registry: str
    registry_source: str = "default"
    registry_from_project: bool = False  # named only by the project's own files

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "tag": self.tag,
            "access": self.access,
            "registry": self.registry,
            "registrySource": self.registry_source,
        }


def _publish_config(manifest: Mapping[str, Any]) -> Mapping[str, Any]:
    value = manifest.get("publishConfig")
    return value if isinstance(value, Mapping) else {}


def validate_tag(tag: str, flag: str | None = None) -> str:
    """``tag`` stripped, or a usage error if npm would refuse it as a dist-tag (empty, spaces, ``/``, ``%``)."""
    cleaned = tag.strip()
    if not cleaned or any(ch.isspace() for ch in cleaned) or "/" in cleaned or "%" in cleaned:
        raise UsageError(f"{flag + ': ' if flag else ''}invalid dist-tag {tag!r}")
    return cleaned


def resolve_target(
    package: PackedPackage, options: StageOptions, config: Config | None = None
) -> StageTarget:
    """Resolve everything the upload needs from flags, the manifest and configuration."""
    manifest = package.manifest
    name = package.name
    if not name:
        raise UsageError('package.json has no "name"; npm cannot stage a nameless package')
    if manifest.get("private") is True:
        raise UsageError(f'{name} is marked "private": true in package.json; npm refuses to stage it')
    version = clean_version(package.version)
    publish_config = _publish_config(manifest)

    tag = (
        options.tag
        or publish_config.get("tag")
        or (config.get("stage.tag") if config else None)
        or DEFAULT_TAG
    )
    tag = validate_tag(str(tag))

    access = (
        options.access or publish_config.get("access") or (config.get("stage.access") if config else None)
    )
    if access not in (None, "public", "restricted"):
        raise UsageError(f"invalid access {access!r}: use public or restricted")
    if access == "restricted" and not name.startswith("@"):
        raise UsageError(f"{name}: access cannot be restricted for an unscoped package")

    registry = choose_registry(
        options.registry,
        publish_config=publish_config,
        config=config,
        project_dir=package.source_dir,
        name=name,
    )
    return StageTarget(name, version, tag, access, registry.url, registry.source, registry.from_project)

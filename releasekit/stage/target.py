"""Where and how a package is staged: name, version, dist-tag, access and registry.

Precedence, as npm applies it: command-line flags, then the package's
``publishConfig``, then ``releasekit.yaml``'s ``stage`` section, then npm's
own configuration (``.npmrc``), then npm's defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from releasekit.config import Config
from releasekit.errors import UsageError
from releasekit.options import StageOptions
from releasekit.package.model import PackedPackage
from releasekit.stage.packument import clean_version

DEFAULT_REGISTRY = "https://registry.npmjs.org/"
DEFAULT_TAG = "latest"


@dataclass(frozen=True)
class StageTarget:
    name: str
    version: str
    tag: str
    access: str | None  # None: the registry's default for the package
    registry: str

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
        }


def normalize_registry(url: str, *, flag: str = "--npm-registry") -> str:
    """An http(s) registry URL with a trailing slash, or a :class:`UsageError` naming where it came from."""
    from releasekit.registry.names import normalize_registry_url

    try:
        return normalize_registry_url(url)
    except UsageError as exc:
        raise UsageError(f"{flag}: {exc.message}") from None


def npmrc_registry(project_dir: Path | None, scope: str | None) -> str | None:
    """``@scope:registry`` or ``registry`` from the project's, then the user's ``.npmrc``."""
    from releasekit.registry import npmrc

    return npmrc.registry_for(scope, project_dir)


def resolve_registry(
    explicit: str | None,
    *,
    publish_config: Mapping[str, Any] | None = None,
    config: Config | None = None,
    project_dir: Path | None = None,
    name: str | None = None,
) -> str:
    """The registry URL: ``explicit`` (the flag), publishConfig, releasekit.yaml, .npmrc, then npmjs.

    Also used by the ``registry`` fixture, so policies read the very registry the upload goes to.
    """
    if explicit:
        return normalize_registry(explicit)
    if publish_config and isinstance(publish_config.get("registry"), str):
        return normalize_registry(publish_config["registry"], flag="package.json publishConfig.registry")
    configured = config.get("stage.registry") if config is not None else None
    if isinstance(configured, str) and configured:
        return normalize_registry(configured, flag="releasekit.yaml stage.registry")
    scope = name.split("/", 1)[0] if name and name.startswith("@") and "/" in name else None
    from_npmrc = npmrc_registry(project_dir, scope)
    if from_npmrc:
        return normalize_registry(from_npmrc, flag=".npmrc registry")
    return DEFAULT_REGISTRY


def _publish_config(manifest: Mapping[str, Any]) -> Mapping[str, Any]:
    value = manifest.get("publishConfig")
    return value if isinstance(value, Mapping) else {}


def validate_tag(tag: str, flag: str | None = None) -> str:
    """``tag`` stripped, or a usage error if npm would refuse it as a dist-tag (empty, spaces, ``/``, ``%``)."""
    cleaned = tag.strip()
    if not cleaned or any(ch.isspace() for ch in cleaned) or "/" in cleaned or "%" in cleaned:
        raise UsageError(f"{flag + ': ' if flag else ''}invalid dist-tag {tag!r}")
    return cleaned


def resolve_target(package: PackedPackage, options: StageOptions, config: Config | None = None) -> StageTarget:
    """Resolve everything the upload needs from flags, the manifest and configuration."""
    manifest = package.manifest
    name = package.name
    if not name:
        raise UsageError('package.json has no "name"; npm cannot stage a nameless package')
    if manifest.get("private") is True:
        raise UsageError(f'{name} is marked "private": true in package.json; npm refuses to stage it')
    version = clean_version(package.version)
    publish_config = _publish_config(manifest)

    tag = options.tag or publish_config.get("tag") or (config.get("stage.tag") if config else None) or DEFAULT_TAG
    tag = validate_tag(str(tag))

    access = options.access or publish_config.get("access") or (config.get("stage.access") if config else None)
    if access not in (None, "public", "restricted"):
        raise UsageError(f"invalid access {access!r}: use public or restricted")
    if access == "restricted" and not name.startswith("@"):
        raise UsageError(f"{name}: access cannot be restricted for an unscoped package")

    registry = resolve_registry(
        options.registry,
        publish_config=publish_config,
        config=config,
        project_dir=package.source_dir,
        name=name,
    )
    return StageTarget(name, version, tag, access, registry)

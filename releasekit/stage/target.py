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


def normalize_registry(url: str, *, flag: str = "--npm-registry") -> str:
    """An http(s) registry URL with a trailing slash, or a :class:`UsageError` naming where it came from."""
    from releasekit.registry.names import normalize_registry_url

    try:
        return normalize_registry_url(url)
    except UsageError as exc:
        raise UsageError(f"{flag}: {exc.message}") from None


@dataclass(frozen=True)
class RegistryChoice:
    """A registry URL, where it was named, and whether only the project's own files named it."""

    url: str
    source: str
    from_project: bool = False


def choose_registry(
    explicit: str | None,
    *,
    publish_config: Mapping[str, Any] | None = None,
    config: Config | None = None,
    project_dir: Path | None = None,
    name: str | None = None,
) -> RegistryChoice:
    """The registry, as :func:`resolve_registry` finds it, with where it came from."""
    if explicit:
        return RegistryChoice(normalize_registry(explicit), "--npm-registry")
    if publish_config and isinstance(publish_config.get("registry"), str):
        flag = "package.json publishConfig.registry"
        return RegistryChoice(normalize_registry(publish_config["registry"], flag=flag), flag, True)
    configured = config.get("stage.registry") if config is not None else None
    if isinstance(configured, str) and configured:
        flag = "releasekit.yaml stage.registry"
        return RegistryChoice(normalize_registry(configured, flag=flag), flag, True)
    from releasekit.registry import npmrc

    scope = name.split("/", 1)[0] if name and name.startswith("@") and "/" in name else None
    found = npmrc.registry_setting(scope, project_dir)
    if found is not None:
        origin = str(found.origin) if found.origin is not None else "npm_config_registry"
        url = normalize_registry(found.value, flag=".npmrc registry" if found.origin else "npm_config_registry")
        return RegistryChoice(url, origin, found.in_project(project_dir))
    return RegistryChoice(DEFAULT_REGISTRY, "default")


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
    return choose_registry(
        explicit, publish_config=publish_config, config=config, project_dir=project_dir, name=name
    ).url


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

    registry = choose_registry(
        options.registry,
        publish_config=publish_config,
        config=config,
        project_dir=package.source_dir,
        name=name,
    )
    return StageTarget(name, version, tag, access, registry.url, registry.source, registry.from_project)

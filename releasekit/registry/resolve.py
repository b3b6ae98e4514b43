"""Which registry a package talks to, with npm's precedence, and who named it.

The flag, then the package's ``publishConfig.registry``, then ``releasekit.yaml``'s
``stage.registry``, then ``.npmrc`` (``@scope:registry`` before ``registry``),
then npmjs. ``stage publish``, ``lpm check`` and the ``registry`` fixture all
resolve it here, so policies read the very registry the upload goes to.

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
from releasekit.registry.names import NPMJS_REGISTRY, normalize_registry_url

DEFAULT_REGISTRY = NPMJS_REGISTRY


def normalize_registry(url: str, *, flag: str = "--npm-registry") -> str:
    """An http(s) registry URL with a trailing slash, or a :class:`UsageError` naming where it came from."""
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
        url = normalize_registry(
            found.value, flag=".npmrc registry" if found.origin else "npm_config_registry"
        )
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
    """The registry URL: ``explicit`` (the flag), publishConfig, releasekit.yaml, .npmrc, then npmjs."""
    return choose_registry(
        explicit, publish_config=publish_config, config=config, project_dir=project_dir, name=name
    ).url

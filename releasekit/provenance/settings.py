"""Whether a stage attaches provenance, and why: the flags, then the project, then npm's config.

Precedence, highest first:

1. the flags ``--provenance``, ``--no-provenance``, ``--provenance-file PATH``;
2. ``publishConfig.provenance`` in ``package.json``;
3. ``stage.provenance`` in ``releasekit.yaml`` (a project default, like publishConfig);
4. the ``NPM_CONFIG_PROVENANCE`` environment variable (any case, as npm reads it);
5. ``provenance=`` in the project ``.npmrc``, then in the user ``.npmrc``.

The first layer that says anything decides; ``false`` anywhere stops the search.
Only the ``--provenance-file`` flag attaches a pre-made bundle.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from releasekit.errors import ConfigError, ManifestError, UsageError

if TYPE_CHECKING:
    from releasekit.config import Config
    from releasekit.options import StageOptions

Mode = Literal["off", "generate", "file"]

_TRUE = {"true"}
_FALSE = {"false", ""}


@dataclass(frozen=True)
class ProvenanceSetting:
    """The resolved setting: ``mode``, the layer it came from, and the bundle file for ``file``."""

    mode: Mode
    source: str
    path: Path | None = None

    @property
    def enabled(self) -> bool:
        return self.mode != "off"

    def describe(self) -> str:
        if self.mode == "file":
            return f"attach {self.path} (from {self.source})"
        if self.mode == "generate":
            return f"sign with the CI identity (from {self.source})"
        return f"off (from {self.source})"


OFF_BY_DEFAULT = ProvenanceSetting("off", "default")


def check_flags(
    *, provenance: bool = False, no_provenance: bool = False, provenance_file: str | None = None
) -> None:
    """Refuse the flag combinations npm refuses: ``--provenance`` goes alone."""
    if provenance and no_provenance:
        raise UsageError("--provenance and --no-provenance cannot be used together")
    if provenance and provenance_file:
        raise UsageError("--provenance and --provenance-file cannot be used together")


def _flag_setting(
    provenance: bool | None, provenance_file: str | None, base: Path
) -> ProvenanceSetting | None:
    check_flags(provenance=provenance is True, provenance_file=provenance_file)
    if provenance_file:
        # --no-provenance beside a file: the file is the explicit ask; npm lets it win as well.
        path = Path(provenance_file)
        return ProvenanceSetting("file", "--provenance-file", path if path.is_absolute() else base / path)
    if provenance is True:
        return ProvenanceSetting("generate", "--provenance")
    if provenance is False:
        return ProvenanceSetting("off", "--no-provenance")
    return None


def _as_bool(value: Any, where: str, error: type[UsageError] = ConfigError) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise error(f"{where}: provenance must be true or false, not {value!r}")


def _env_value(env: Mapping[str, str]) -> tuple[str, str] | None:
    for key in ("NPM_CONFIG_PROVENANCE", "npm_config_provenance"):
        if key in env:
            return key, env[key]
    for key, value in env.items():  # npm matches the prefix case-insensitively
        if key.lower() == "npm_config_provenance":
            return key, value
    return None


def npmrc_provenance(path: Path, env: Mapping[str, str] | None = None) -> bool | None:
    """``provenance`` from one ``.npmrc`` file, or ``None`` if the file or key is absent."""
    from releasekit.registry import npmrc

    found = npmrc.read(path, env=os.environ if env is None else env)
    if found is None or "provenance" not in found.values:
        return None
    return _as_bool(found.values["provenance"], str(path))


def resolve_setting(
    *,
    provenance: bool | None = None,
    provenance_file: str | None = None,
    manifest: Mapping[str, Any] | None = None,
    project_dir: Path | str | None = None,
    config: Config | None = None,
    env: Mapping[str, str] | None = None,
) -> ProvenanceSetting:
    """Resolve the setting from every layer (see the module docstring for the order).

    ``provenance`` is ``True`` for ``--provenance``, ``False`` for ``--no-provenance``
    and ``None`` when neither was given. ``manifest`` is the project's package.json.
    """
    env = os.environ if env is None else env
    root = Path(project_dir) if project_dir is not None else Path.cwd()

    flagged = _flag_setting(provenance, provenance_file, root)
    if flagged is not None:
        return flagged

    publish_config = (manifest or {}).get("publishConfig")
    if isinstance(publish_config, Mapping) and "provenance" in publish_config:
        on = _as_bool(publish_config["provenance"], "package.json publishConfig", ManifestError)
        return ProvenanceSetting("generate" if on else "off", "package.json publishConfig.provenance")

    configured = config.get("stage.provenance") if config is not None else None
    if configured is not None:
        on = _as_bool(configured, "releasekit.yaml stage")
        return ProvenanceSetting("generate" if on else "off", "releasekit.yaml stage.provenance")

    from_env = _env_value(env)
    if from_env is not None:
        key, value = from_env
        on = _as_bool(value, key, UsageError)
        return ProvenanceSetting("generate" if on else "off", key)

    from releasekit.registry import npmrc

    for label, path in (("project .npmrc", root / ".npmrc"), ("user .npmrc", npmrc.user_npmrc_path(env))):
        found = npmrc_provenance(path, env)
        if found is not None:
            return ProvenanceSetting("generate" if found else "off", f"{label} ({path})")

    return OFF_BY_DEFAULT


def setting_from_options(
    options: StageOptions,
    *,
    manifest: Mapping[str, Any] | None = None,
    project_dir: Path | str | None = None,
    config: Config | None = None,
    env: Mapping[str, str] | None = None,
) -> ProvenanceSetting:
    """:func:`resolve_setting` fed from a :class:`~releasekit.options.StageOptions`."""
    return resolve_setting(
        provenance=options.provenance,
        provenance_file=options.provenance_file,
        manifest=manifest,
        project_dir=project_dir,
        config=config,
        env=env,
    )


def effective_access(name: str, access: str | None) -> str:
    """npm's default when access is not set: unscoped packages are public, scoped ones restricted."""
    if access:
        return access
    return "restricted" if name.startswith("@") else "public"


def require_public(setting: ProvenanceSetting, name: str, access: str | None) -> None:
    """Provenance is only for public packages; refuse anything else with the fix."""
    if not setting.enabled:
        return
    actual = effective_access(name, access)
    if actual != "public":
        raise UsageError(
            f"{name}: provenance needs public access, but access is {actual}; pass --access public",
            hint="provenance statements are public records; a restricted package cannot carry one",
        )

"""The ``secrets`` section of ``releasekit.yaml``, checked and turned into a scan plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from releasekit.errors import ConfigError
from releasekit.scan.detectors import FILENAME_TYPES
from releasekit.scan.engine import PluginSpec, ScanPlan, plugin_classes
from releasekit.scan.rules import SEVERITIES, default_severity
from releasekit.scan.tokens import TYPES as TOKEN_TYPES

DEFAULT_BASELINE = ".secrets.baseline"

# id(config) -> (config, its settings), as a background scan's child read them from the
# very same (forked) config: reading them again here would import detect-secrets' plugins.
_remembered: dict[int, tuple[Any, ScanSettings]] = {}


def remember_settings(config: Any, settings: ScanSettings) -> None:
    """Let :meth:`ScanSettings.from_config` return ``settings`` for ``config`` (read elsewhere)."""
    if config is not None:
        _remembered[id(config)] = (config, settings)


@dataclass(frozen=True)
class ScanSettings:
    plan: ScanPlan
    baseline: str = DEFAULT_BASELINE
    severity: Mapping[str, str] = field(default_factory=dict)
    jobs: int | None = None

    def severity_of(self, rule_type: str) -> str:
        return self.severity.get(rule_type, default_severity(rule_type))

    @classmethod
    def default(cls) -> ScanSettings:
        return cls.from_section({})

    @classmethod
    def from_config(cls, config: Any) -> ScanSettings:
        """From a :class:`releasekit.config.Config` (or ``None`` for the defaults)."""
        known = _remembered.get(id(config))
        if known is not None and known[0] is config:
            return known[1]
        return cls.from_section({} if config is None else config.section("secrets"))

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> ScanSettings:
        classes = plugin_classes()
        specs = _plugin_specs(section.get("plugins"), classes)
        disabled = list(section.get("disable_plugins") or [])
        for name in disabled:
            if name not in classes:
                raise ConfigError(
                    f"secrets.disable_plugins: unknown detect-secrets plugin {name!r} ({_known(classes)})"
                )
        specs = [s for s in specs if s.name not in disabled]
        plan = ScanPlan(
            plugins=tuple(specs),
            extra_patterns=bool(section.get("extra_patterns", True)),
            filenames=bool(section.get("filenames", True)),
        )
        known_types = {cls.secret_type for cls in classes.values()} | set(TOKEN_TYPES) | set(FILENAME_TYPES)
        severity = dict(section.get("severity") or {})
        for rule, level in severity.items():
            if rule not in known_types:
                raise ConfigError(
                    f"secrets.severity: unknown rule type {rule!r} (known: {', '.join(sorted(known_types))})"
                )
            if level not in SEVERITIES:
                raise ConfigError(f"secrets.severity.{rule}: {level!r} is not one of {', '.join(SEVERITIES)}")
        jobs = section.get("jobs")
        if jobs is not None and (not isinstance(jobs, int) or jobs < 1):
            raise ConfigError(f"secrets.jobs: {jobs!r} is not a positive integer")
        return cls(plan, str(section.get("baseline") or DEFAULT_BASELINE), severity, jobs)


def _known(classes: Mapping[str, Any]) -> str:
    return "known: " + ", ".join(classes)


def _plugin_specs(value: Any, classes: Mapping[str, Any]) -> list[PluginSpec]:
    if value is None:
        return [PluginSpec(name) for name in classes]
    if not isinstance(value, list):
        raise ConfigError("secrets.plugins: expected a list of detect-secrets plugin names, or null for all")
    specs = []
    for item in value:
        if isinstance(item, str):
            name, options = item, {}
        elif isinstance(item, Mapping) and isinstance(item.get("name"), str):
            options = {k: v for k, v in item.items() if k != "name"}
            name = item["name"]
        else:
            raise ConfigError(f"secrets.plugins: {item!r} is neither a plugin name nor a mapping with a name")
        if name not in classes:
            raise ConfigError(f"secrets.plugins: unknown detect-secrets plugin {name!r} ({_known(classes)})")
        try:
            classes[name](**options)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"secrets.plugins: {name}: bad options {options!r}: {exc}") from exc
        specs.append(PluginSpec(name, tuple(sorted(options.items()))))
    return specs

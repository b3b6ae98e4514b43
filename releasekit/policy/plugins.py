"""The run's pluggy plugin manager, and where plugins come from.

Registering a plugin also registers the fixtures it defines, so a plugin
(an entry point, a ``policies.plugins`` module, a ``policyconf.py``) adds
fixtures simply by defining ``@releasekit.fixture`` functions.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Iterator
from typing import Any

import pluggy

from releasekit.errors import ConfigError
from releasekit.policy import hookspec
from releasekit.policy.fixtures import FixtureManager
from releasekit.policy.hookmarkers import ENTRY_POINT_GROUP, PROJECT_NAME

BUILTIN_PLUGINS = (
    "releasekit.policy.runner",
    "releasekit.policy.builtin_fixtures",
    "releasekit.policy.reports.formats",
)


class PluginManager(pluggy.PluginManager):
    def __init__(self, fixtures: FixtureManager) -> None:
        super().__init__(PROJECT_NAME)
        self.add_hookspecs(hookspec)
        self.fixtures = fixtures

    def register(self, plugin: object, name: str | None = None) -> str | None:
        registered = super().register(plugin, name)
        if registered is not None:
            self.fixtures.parse(plugin, self.get_name(plugin) or registered)
        return registered


def entry_points() -> Iterator[importlib.metadata.EntryPoint]:
    """Installed plugins: every entry point in the ``releasekit`` group."""
    from releasekit.runcache import memo

    found = memo(
        ("entry_points", ENTRY_POINT_GROUP),
        lambda: tuple(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)),
    )
    yield from found


def import_named_plugin(name: str, *, source: str) -> Any:
    """Import a plugin module named in config or by the caller; a bad name is a config error."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ConfigError(f"{source}: cannot import plugin {name!r}: {exc}") from exc

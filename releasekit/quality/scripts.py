"""``scripts`` facts: npm's placeholder test script and the scripts run at install time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from releasekit.package.model import PackedPackage

# What `npm init -y` writes: a test script that only fails.
NPM_DEFAULT_TEST = 'echo "Error: no test specified" && exit 1'
# Run on every consumer's machine by `npm install`.
INSTALL_LIFECYCLE = ("preinstall", "install", "postinstall")


def scripts_of(manifest: Mapping[str, Any]) -> Mapping[str, Any]:
    value = manifest.get("scripts")
    return value if isinstance(value, Mapping) else {}


def is_placeholder_test(script: str) -> bool:
    """npm's default, with or without ``&& exit 1``, in any quoting or spacing."""
    squashed = " ".join(script.replace("'", '"').split())
    return squashed.startswith('echo "Error: no test specified"')


def install_scripts(package: PackedPackage) -> list[str]:
    """Install-time scripts, including the ``node-gyp rebuild`` npm adds for a ``binding.gyp``."""
    scripts = scripts_of(package.manifest)
    found = [f"{name}: {scripts[name]}" for name in INSTALL_LIFECYCLE if isinstance(scripts.get(name), str)]
    if "binding.gyp" in package and not any(isinstance(scripts.get(n), str) for n in ("install", "preinstall")):
        found.append("install: node-gyp rebuild (implicit, binding.gyp)")
    return found

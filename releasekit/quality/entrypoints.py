"""Entry points a manifest declares (``main``, ``module``, ``browser``, ``bin``, ``exports``) and simple file lookups.

Whether the targets exist, and in which module format, is judged by
:mod:`releasekit.quality.shape` exactly as publint judges it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from typing import Any

from releasekit.package.model import PackedPackage

ENTRY_FIELDS = ("main", "module", "browser")


def normalize(target: str) -> str | None:
    """``./lib/x.js`` -> ``lib/x.js``; ``None`` for paths that leave the package."""
    path = posixpath.normpath(target.strip())
    if path.startswith("/") or path == ".." or path.startswith("../"):
        return None
    return "" if path == "." else path


def exports_targets(exports: Any) -> Iterator[str]:
    """Every string target in an ``exports`` value, through conditions, subpaths and fallback arrays."""
    if isinstance(exports, str):
        yield exports
    elif isinstance(exports, list):
        for item in exports:
            yield from exports_targets(item)
    elif isinstance(exports, Mapping):
        for value in exports.values():
            yield from exports_targets(value)


def file_present(package: PackedPackage, target: str) -> bool:
    """An exact file (``SEE LICENSE IN`` targets)."""
    path = normalize(target)
    return bool(path) and path in package


def bin_targets(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """``bin`` as ``{command: path}``; a string ``bin`` is named after the package."""
    value = manifest.get("bin")
    if isinstance(value, str):
        name = str(manifest.get("name", "")).rsplit("/", 1)[-1]
        return {name: value}
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    return {}


def declared_entry_points(manifest: Mapping[str, Any]) -> list[str]:
    """``field: target`` for each entry point outside ``exports`` the manifest declares."""
    declared = [f"{name}: {manifest[name]}" for name in ENTRY_FIELDS if manifest.get(name) is not None]
    declared += [f"bin.{command}: {path}" for command, path in bin_targets(manifest).items()]
    return declared

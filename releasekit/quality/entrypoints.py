"""Entry points a manifest declares (``main``, ``bin``, ``types``, ``exports``) and whether the tarball has them.

Node resolves ``main`` like a ``require()`` of a relative path: the file, then
with ``.js``/``.json``/``.node`` appended, then as a directory's ``index``.
``exports`` targets are exact paths (no extension search), may hold one ``*``
pattern, and ``null`` deliberately hides a subpath.
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Iterator, Mapping
from typing import Any

from releasekit.package.model import PackedPackage

_MAIN_SUFFIXES = ("", ".js", ".json", ".node", "/index.js", "/index.json", "/index.node")


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


def export_target_present(package: PackedPackage, target: str) -> bool:
    path = normalize(target)
    if path is None or not target.startswith("./"):
        return False  # Node refuses targets that are not "./"-relative
    if "*" in path:
        return any(fnmatch.fnmatchcase(f.path, path) for f in package.files)
    if target.endswith("/"):  # deprecated folder mapping
        return any(f.path.startswith(path + "/") for f in package.files)
    return path in package


def file_present(package: PackedPackage, target: str) -> bool:
    """An exact file (``bin``, ``types``)."""
    path = normalize(target)
    return bool(path) and path in package


def main_present(package: PackedPackage, target: str) -> bool:
    """``main``, resolved as Node's ``require`` would."""
    path = normalize(target)
    if path is None:
        return False
    base = path.rstrip("/")
    return any((base + suffix).lstrip("/") in package for suffix in _MAIN_SUFFIXES)


def bin_targets(manifest: Mapping[str, Any]) -> dict[str, str]:
    """``bin`` as ``{command: path}``; a string ``bin`` is named after the package."""
    value = manifest.get("bin")
    if isinstance(value, str):
        name = str(manifest.get("name", "")).rsplit("/", 1)[-1]
        return {name: value}
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items() if isinstance(v, str)}
    return {}


def missing_entry_points(package: PackedPackage) -> tuple[list[str], list[str]]:
    """(declared entry points, those missing from the tarball), as ``field: path`` strings."""
    manifest = package.manifest
    declared: list[str] = []
    missing: list[str] = []
    main = manifest.get("main")
    if isinstance(main, str) and main.strip():
        declared.append(f"main: {main}")
        if not main_present(package, main):
            missing.append(f"main: {main}")
    for command, path in bin_targets(manifest).items():
        declared.append(f"bin.{command}: {path}")
        if not file_present(package, path):
            missing.append(f"bin.{command}: {path}")
    for field in ("types", "typings"):
        value = manifest.get(field)
        if isinstance(value, str) and value.strip():
            declared.append(f"{field}: {value}")
            if not file_present(package, value):
                missing.append(f"{field}: {value}")
    return declared, missing

"""Rewrite ``workspace:`` and ``catalog:`` dependency specs to what gets published.

Rules (as pnpm and bun publish them):

- ``workspace:*`` and ``workspace:`` become the member's exact version;
  ``workspace:^``/``workspace:~`` become ``^version``/``~version``;
  ``workspace:<range>`` becomes ``<range>``;
  ``workspace:<alias>@*`` (or ``@^``/``@~``/``@<range>``) becomes ``npm:<alias>@...``.
- ``catalog:`` takes the default catalog's entry for the dependency,
  ``catalog:<name>`` the named catalog's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from releasekit.errors import ManifestError
from releasekit.package.workspace import DEFAULT_CATALOG, Workspace

DEPENDENCY_FIELDS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")
WORKSPACE = "workspace:"
CATALOG = "catalog:"


def needs_rewrite(manifest: Mapping[str, Any]) -> bool:
    for kind in DEPENDENCY_FIELDS:
        deps = manifest.get(kind)
        if isinstance(deps, Mapping) and any(
            isinstance(v, str) and v.startswith((WORKSPACE, CATALOG)) for v in deps.values()
        ):
            return True
    return False


def _member_version(workspace: Workspace, name: str, kind: str, dep: str) -> str:
    member = workspace.members.get(name)
    if member is None:
        listed = ", ".join(sorted(workspace.members)) or "none"
        raise ManifestError(
            f"{kind}.{dep}: {name!r} is not a member of the workspace at {workspace.root} (members: {listed})"
        )
    if not member.version:
        raise ManifestError(f"{kind}.{dep}: workspace member {name!r} has no version")
    return member.version


def rewrite_workspace_spec(dep: str, spec: str, workspace: Workspace, kind: str = "dependencies") -> str:
    body = spec[len(WORKSPACE) :]
    alias = None
    if body.startswith(("./", "../", "/")) or body in (".", ".."):
        raise ManifestError(
            f"{kind}.{dep}: {spec!r}: workspace paths are not supported, use the member's name"
        )
    at = body.rfind("@")
    if at > 0:
        alias, body = body[:at], body[at + 1 :]
    target = alias or dep
    if body in ("", "*", "^", "~"):
        version = _member_version(workspace, target, kind, dep)
        resolved = version if body in ("", "*") else body + version
    else:
        _member_version(workspace, target, kind, dep)
        resolved = body
    return f"npm:{alias}@{resolved}" if alias else resolved


def rewrite_catalog_spec(dep: str, spec: str, workspace: Workspace, kind: str = "dependencies") -> str:
    catalog = spec[len(CATALOG) :].strip() or DEFAULT_CATALOG
    entries = workspace.catalogs.get(catalog)
    if entries is None:
        known = ", ".join(sorted(workspace.catalogs)) or "none"
        raise ManifestError(
            f"{kind}.{dep}: {spec!r}: catalog {catalog!r} is not defined in {workspace.source} (catalogs: {known})"
        )
    resolved = entries.get(dep)
    if resolved is None:
        raise ManifestError(f"{kind}.{dep}: {spec!r}: catalog {catalog!r} has no entry for {dep!r}")
    if resolved.startswith((WORKSPACE, CATALOG)):
        raise ManifestError(
            f"{kind}.{dep}: catalog {catalog!r} entry {resolved!r} must be a plain version range"
        )
    return resolved


def rewrite_dependencies(manifest: Mapping[str, Any], workspace: Workspace | None) -> dict[str, Any]:
    """A copy of ``manifest`` with every workspace:/catalog: spec replaced.

    ``workspace`` is ``None`` when the package is not in a workspace: then any
    such spec is an error, since there is nothing to resolve it against.
    """
    out = dict(manifest)
    for kind in DEPENDENCY_FIELDS:
        deps = manifest.get(kind)
        if not isinstance(deps, Mapping):
            continue
        new: dict[str, Any] = {}
        for dep, spec in deps.items():
            rewrite: Callable[[str, str, Workspace, str], str] | None = None
            if isinstance(spec, str) and spec.startswith(WORKSPACE):
                rewrite = rewrite_workspace_spec
            elif isinstance(spec, str) and spec.startswith(CATALOG):
                rewrite = rewrite_catalog_spec
            if rewrite is None:
                new[dep] = spec
                continue
            if workspace is None:
                raise ManifestError(
                    f"{kind}.{dep}: {spec!r} needs a workspace, but no pnpm-workspace.yaml or package.json "
                    '"workspaces" was found in this directory or above'
                )
            new[dep] = rewrite(dep, spec, workspace, kind)
        out[kind] = new
    return out

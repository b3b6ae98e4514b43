"""The workspace a package belongs to: its members and its dependency catalogs.

Sources: ``pnpm-workspace.yaml`` (``packages``, ``catalog``, ``catalogs``) and a
root ``package.json`` ``workspaces`` field (npm/yarn array, or the object form
with ``packages``; bun adds ``catalog``/``catalogs`` there or at top level).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from releasekit.errors import ManifestError
from releasekit.package.glob import compile_rule
from releasekit.package.manifest import parse_json_file

PNPM_WORKSPACE = "pnpm-workspace.yaml"
DEFAULT_CATALOG = "default"


@dataclass(frozen=True)
class Member:
    name: str
    version: str
    path: Path
    private: bool = False
    manifest: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Workspace:
    root: Path
    source: Path  # the file that declared the workspace
    members: dict[str, Member] = field(default_factory=dict)
    catalogs: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """``"pnpm"`` for pnpm-workspace.yaml, ``"npm"`` for package.json workspaces (npm, yarn, bun)."""
        return "pnpm" if self.source.name == PNPM_WORKSPACE else "npm"

    def packages(self) -> list[Member]:
        """The members a recursive run considers, by name.

        pnpm counts the root package as a member (unless private, as workspace roots
        mostly are); npm's ``--workspaces`` never does.
        """
        root = self.root.resolve()
        return [
            m
            for _, m in sorted(self.members.items())
            if m.path != root or (self.kind == "pnpm" and not m.private)
        ]

    def member_at(self, path: Path) -> Member | None:
        real = path.resolve()
        return next((m for m in self.members.values() if m.path == real), None)


def _load_yaml(path: Path) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="safe").load(path.read_text("utf-8"))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ManifestError(f"{path}{where}: invalid YAML: {problem}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read: {exc}") from exc


def _root_workspaces(manifest: Mapping[str, Any]) -> Any:
    return manifest.get("workspaces")


def find_workspace(project_dir: Path | str) -> Workspace | None:
    """The nearest enclosing workspace (``project_dir`` itself included), or ``None``."""
    from releasekit.runcache import memo

    start = Path(project_dir).resolve()
    for here in (start, *start.parents):
        found = memo(("workspace_at", here), lambda: workspace_at(here))  # noqa: B023 (called at once)
        if found is not None:
            return found
    return None


def workspace_at(root: Path | str) -> Workspace | None:
    """The workspace declared in ``root`` itself (not above it), or ``None``."""
    here = Path(root).resolve()
    pnpm = here / PNPM_WORKSPACE
    if pnpm.is_file():
        return _pnpm_workspace(here, pnpm)
    pkg = here / "package.json"
    if pkg.is_file():
        _, data = parse_json_file(pkg)
        if isinstance(data, Mapping) and _root_workspaces(data) is not None:
            return _package_json_workspace(here, pkg, data)
    return None


def _catalog_map(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
        raise ManifestError(f"{where}: a catalog must map package names to version ranges")
    return {str(k): str(v) for k, v in value.items()}


def _catalogs(default: Any, named: Any, where: str) -> dict[str, dict[str, str]]:
    catalogs: dict[str, dict[str, str]] = {}
    if named is not None:
        if not isinstance(named, Mapping):
            raise ManifestError(f"{where}: catalogs must map catalog names to catalogs")
        for name, cat in named.items():
            catalogs[str(name)] = _catalog_map(cat, f"{where}: catalogs.{name}")
    if default is not None:
        if DEFAULT_CATALOG in catalogs:
            raise ManifestError(
                f"{where}: the default catalog is defined twice (catalog and catalogs.default)"
            )
        catalogs[DEFAULT_CATALOG] = _catalog_map(default, f"{where}: catalog")
    return catalogs


def _pnpm_workspace(root: Path, path: Path) -> Workspace:
    doc = _load_yaml(path) or {}
    if not isinstance(doc, Mapping):
        raise ManifestError(f"{path}: must be a mapping")
    patterns = doc.get("packages") or []
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ManifestError(f"{path}: packages must be a list of glob patterns")
    catalogs = _catalogs(doc.get("catalog"), doc.get("catalogs"), str(path))
    return Workspace(root, path, _members(root, patterns), catalogs)


def _package_json_workspace(root: Path, path: Path, manifest: Mapping[str, Any]) -> Workspace:
    ws = manifest["workspaces"]
    where = f"{path}: workspaces"
    if isinstance(ws, list):
        patterns, default, named = ws, None, None
    elif isinstance(ws, Mapping):
        patterns = ws.get("packages") or []
        default, named = ws.get("catalog"), ws.get("catalogs")
    else:
        raise ManifestError(f"{where} must be a list of globs or an object with packages")
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ManifestError(f"{where}: packages must be a list of glob patterns")
    # bun also accepts catalog/catalogs at the top level of the root package.json
    if default is None:
        default = manifest.get("catalog")
    if named is None:
        named = manifest.get("catalogs")
    catalogs = _catalogs(default, named, f"{path}")
    return Workspace(root, path, _members(root, patterns), catalogs)


def _candidate_dirs(root: Path) -> list[str]:
    """Every directory under ``root`` holding a package.json, outside node_modules and dot dirs."""
    import os

    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "node_modules" and not d.startswith("."))
        if "package.json" in filenames:
            rel = Path(dirpath).relative_to(root).as_posix()
            found.append("" if rel == "." else rel)
    return found


def _members(root: Path, patterns: list[str]) -> dict[str, Member]:
    includes = [
        compile_rule(p.strip().removeprefix("./").rstrip("/")) for p in patterns if not p.startswith("!")
    ]
    excludes = [
        compile_rule(p[1:].strip().removeprefix("./").rstrip("/")) for p in patterns if p.startswith("!")
    ]
    members: dict[str, Member] = {}
    for rel in _candidate_dirs(root):
        if rel and not any(_glob_match(r, rel) for r in includes):
            continue
        if rel and any(_glob_match(r, rel) for r in excludes):
            continue
        pkg = root / rel / "package.json"
        _, data = parse_json_file(pkg)
        if not isinstance(data, Mapping) or not isinstance(data.get("name"), str):
            continue
        name = data["name"]
        version = data.get("version")
        path = (root / rel).resolve()
        if name in members and members[name].path != path:
            raise ManifestError(
                f"{root}: two workspace packages are named {name!r} ({members[name].path} and {path})"
            )
        private = data.get("private") is True
        members[name] = Member(name, version if isinstance(version, str) else "", path, private, data)
    return members


def _glob_match(rule: Any, rel: str) -> bool:
    # workspace globs are anchored at the root and are not basename matches
    return any(len(p) > 1 and rule.match(rel) for p in rule.patterns) or ("/" not in rel and rule.match(rel))


def npm_workspace_root(package_dir: Path | str) -> Path | None:
    """The workspace root ``npm`` finds for a package it packs from ``package_dir``.

    As npm's config loader: the nearest folder above whose package.json has
    ``workspaces`` listing ``package_dir``; a workspace root that does not list
    it is passed over. pnpm-workspace.yaml means nothing to npm.
    """
    from releasekit.runcache import memo

    start = Path(package_dir).resolve()
    for here in start.parents:
        pkg = here / "package.json"
        if not pkg.is_file():
            continue
        try:
            _, data = parse_json_file(pkg)
        except ManifestError:
            continue  # npm moves on past a package.json it cannot read
        if not isinstance(data, Mapping) or not data.get("workspaces"):
            continue
        try:
            workspace = memo(("npm_workspace", here), lambda: _package_json_workspace(here, pkg, data))  # noqa: B023
        except ManifestError:
            continue
        if any(member.path == start for member in workspace.members.values()):
            return here
    return None

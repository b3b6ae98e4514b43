"""Workspace discovery (npm, yarn, pnpm, bun), pnpm's --filter, topological order, bundled siblings."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from releasekit.errors import ManifestError, PackError, UsageError
from releasekit.package.graph import DependencyCycle, Graph, select
from releasekit.package.npm_pack import npm_pack_json
from releasekit.package.pack import pack_project
from releasekit.package.workspace import find_workspace, workspace_at

from .conftest import write_layout


def _members(root: Path, specs: dict[str, dict[str, Any]]) -> None:
    """``specs``: directory -> manifest (name/version/deps...); each gets an index.js."""
    for rel, manifest in specs.items():
        write_layout(root / rel, {"version": "1.0.0", **manifest}, {"index.js": "module.exports = 1\n"})


LAYOUT = {
    "packages/core": {"name": "@acme/core"},
    "packages/util": {"name": "@acme/util", "dependencies": {"@acme/core": "workspace:^"}},
    "packages/app": {
        "name": "app",
        "dependencies": {"@acme/util": "workspace:*"},
        "peerDependencies": {"react": "*"},
    },
    "packages/internal": {"name": "internal", "private": True},
    "packages/fixtures/test-only": {"name": "fixture"},
    "tools/cli": {
        "name": "acme-cli",
        "dependencies": {"app": "workspace:~"},
        "devDependencies": {"internal": "workspace:*"},
    },
}


@pytest.mark.parametrize(
    "kind",
    ["npm", "yarn-object", "pnpm", "bun"],
)
def test_every_workspace_format_finds_the_same_members(tmp_path: Path, kind: str) -> None:
    patterns = ["packages/*", "tools/*", "!packages/fixtures/**"]
    root_manifest: dict[str, Any] = {"name": "root", "version": "0.0.0", "private": True}
    files: dict[str, Any] = {}
    if kind == "npm":
        root_manifest["workspaces"] = patterns
    elif kind == "yarn-object":
        root_manifest["workspaces"] = {"packages": patterns, "nohoist": ["**/react"]}
    elif kind == "bun":
        root_manifest["workspaces"] = {"packages": patterns, "catalog": {"react": "^18.0.0"}}
    else:
        files["pnpm-workspace.yaml"] = "packages:\n" + "".join(f"  - '{p}'\n" for p in patterns)
    write_layout(tmp_path, root_manifest, files)
    _members(tmp_path, LAYOUT)
    workspace = workspace_at(tmp_path)
    assert workspace is not None and workspace.kind == ("pnpm" if kind == "pnpm" else "npm")
    expected = {"@acme/core", "@acme/util", "app", "internal", "acme-cli"}
    # the nested fixture package is negated away; the private root is no package to stage
    assert {m.name for m in workspace.packages()} == expected
    assert "root" in workspace.members  # but a member that workspace: specs may name
    assert workspace.members["internal"].private and not workspace.members["app"].private
    # found from inside a member too; a plain directory is no workspace root
    inner = find_workspace(tmp_path / "packages" / "app")
    assert inner is not None and inner.root == tmp_path.resolve()
    assert workspace_at(tmp_path / "packages") is None
    if kind == "bun":
        assert workspace.catalogs == {"default": {"react": "^18.0.0"}}


def _graph(tmp_path: Path) -> Graph:
    write_layout(tmp_path, {"name": "root", "private": True, "workspaces": ["packages/*", "tools/*"]}, {})
    _members(tmp_path, {k: v for k, v in LAYOUT.items() if "fixtures" not in k})
    workspace = workspace_at(tmp_path)
    assert workspace is not None
    return Graph.of(workspace)


def test_order_puts_dependencies_first_and_ignores_dev_dependencies(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    names = ["acme-cli", "app", "@acme/util", "@acme/core", "internal"]
    assert graph.order(names) == ["@acme/core", "@acme/util", "app", "acme-cli", "internal"]
    assert graph.order(["app", "acme-cli"]) == ["app", "acme-cli"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (["app"], {"app"}),
        (["@acme/*"], {"@acme/core", "@acme/util"}),
        (["core"], {"@acme/core"}),  # a bare name finds the one scoped package with it
        (["app..."], {"app", "@acme/util", "@acme/core"}),
        (["app^..."], {"@acme/util", "@acme/core"}),
        (["...@acme/util"], {"@acme/util", "app", "acme-cli"}),
        (["...^@acme/util"], {"app", "acme-cli"}),
        (["./tools"], {"acme-cli"}),
        (["{packages/app}"], {"app"}),
        (["./packages/*"], {"@acme/core", "@acme/util", "app", "internal"}),
        (["app", "acme-cli"], {"app", "acme-cli"}),
        (["!internal"], {"@acme/core", "@acme/util", "app", "acme-cli"}),
        (["app...", "!@acme/core"], {"app", "@acme/util"}),
    ],
)
def test_filters_select_as_pnpm_does(tmp_path: Path, filters: list[str], expected: set[str]) -> None:
    graph = _graph(tmp_path)
    assert select(graph, filters, base=tmp_path) == expected


@pytest.mark.parametrize("bad", ["nope", "./missing", "@other/*", "...", ""])
def test_a_filter_that_matches_nothing_is_a_usage_error(tmp_path: Path, bad: str) -> None:
    graph = _graph(tmp_path)
    with pytest.raises(UsageError):
        select(graph, [bad], base=tmp_path)


def test_a_dependency_cycle_is_one_clear_error(tmp_path: Path) -> None:
    write_layout(tmp_path, {"name": "root", "private": True, "workspaces": ["p/*"]}, {})
    _members(
        tmp_path,
        {
            "p/a": {"name": "a", "dependencies": {"b": "workspace:*"}},
            "p/b": {"name": "b", "peerDependencies": {"c": "workspace:^"}},
            "p/c": {"name": "c", "optionalDependencies": {"a": "workspace:^"}},
            "p/d": {"name": "d", "dependencies": {"a": "workspace:^"}},
        },
    )
    workspace = workspace_at(tmp_path)
    assert workspace is not None
    with pytest.raises(DependencyCycle, match=r"cycle \(a -> b -> c -> a\)"):
        Graph.of(workspace).order(["a", "b", "c", "d"])
    assert Graph.of(workspace).order(["a", "d"]) == ["a", "d"]  # only edges among the chosen count


def test_two_members_with_one_name_are_refused(tmp_path: Path) -> None:
    write_layout(tmp_path, {"name": "root", "private": True, "workspaces": ["p/*"]}, {})
    _members(tmp_path, {"p/a": {"name": "same"}, "p/b": {"name": "same"}})
    with pytest.raises(ManifestError, match="two workspace packages are named 'same'"):
        workspace_at(tmp_path)


# -- a bundled workspace sibling, linked into node_modules, packed as npm packs it ----------------


def _bundling_workspace(root: Path) -> Path:
    write_layout(root, {"name": "root", "private": True, "workspaces": ["packages/*"]}, {})
    write_layout(
        root / "packages" / "sib",
        {"name": "sib", "version": "2.0.0", "files": ["lib"], "dependencies": {"hoisted": "1.0.0"}},
        {
            "lib/x.js": "x",
            "lib/.npmignore": "*.map\n",
            "lib/x.js.map": "m",
            "secret.txt": "s",
            "README.md": "r",
        },
    )
    write_layout(root / "packages" / "hoisted", {"name": "hoisted", "version": "1.0.0"}, {"h.js": "h"})
    app = write_layout(
        root / "packages" / "app",
        {
            "name": "app",
            "version": "1.0.0",
            "dependencies": {"sib": "workspace:*"},
            "bundleDependencies": ["sib"],
        },
        {"index.js": "i"},
    )
    (root / "node_modules").mkdir()
    os.symlink("../packages/hoisted", root / "node_modules" / "hoisted")
    (app / "node_modules").mkdir()
    os.symlink("../../sib", app / "node_modules" / "sib")
    return app


def test_bundled_sibling_link_is_packed_as_npm_packs_it(tmp_path: Path, npm_pack: Any) -> None:
    app = _bundling_workspace(tmp_path)
    npm = npm_pack(app)
    ours = npm_pack_json(pack_project(app), ["sib"])
    assert [f["path"] for f in ours["files"]] == [f["path"] for f in npm["files"]]
    assert "node_modules/sib/lib/x.js" in {f["path"] for f in ours["files"]}
    assert "node_modules/sib/secret.txt" not in {f["path"] for f in ours["files"]}
    assert npm["bundled"] == ["sib"]
    # same bytes, but the top package.json: npm leaves "workspace:*" in it, we publish the version
    sizes = {f["path"]: f["size"] for f in ours["files"] if f["path"] != "package.json"}
    assert sizes == {f["path"]: f["size"] for f in npm["files"] if f["path"] != "package.json"}
    assert ours["entryCount"] == npm["entryCount"]
    # the packed manifest names the sibling's version, as staged
    assert json.loads(pack_project(app).read("package.json"))["dependencies"] == {"sib": "2.0.0"}


def test_bundled_link_outside_the_workspace_is_still_refused(tmp_path: Path) -> None:
    app = _bundling_workspace(tmp_path / "ws")
    elsewhere = write_layout(tmp_path / "elsewhere", {"name": "sib", "version": "1.0.0"}, {"x.js": "x"})
    os.unlink(app / "node_modules" / "sib")
    os.symlink(elsewhere, app / "node_modules" / "sib")
    with pytest.raises(PackError, match="links outside the package"):
        pack_project(app)


def test_bundled_sibling_with_its_own_node_modules_is_refused(tmp_path: Path) -> None:
    app = _bundling_workspace(tmp_path)
    sib_modules = tmp_path / "packages" / "sib" / "node_modules"
    sib_modules.mkdir()
    os.symlink("../../hoisted", sib_modules / "hoisted")
    with pytest.raises(PackError, match="own node_modules/hoisted"):
        pack_project(app)

"""workspace: and catalog: rewriting, in the packed manifest only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from releasekit.errors import ManifestError
from releasekit.package.pack import pack_project
from releasekit.package.rewrite import rewrite_dependencies
from releasekit.package.workspace import Member, Workspace, find_workspace

from .conftest import write_layout


def _pnpm_monorepo(root: Path, yaml: str, app_deps: dict[str, Any], **app_extra: Any) -> Path:
    write_layout(root, {"name": "root", "version": "0.0.0", "private": True}, {"pnpm-workspace.yaml": yaml})
    write_layout(root / "packages" / "core", {"name": "@acme/core", "version": "1.4.2"}, {"index.js": ""})
    write_layout(root / "packages" / "util", {"name": "util-x", "version": "0.3.0"}, {"index.js": ""})
    return write_layout(
        root / "apps" / "app", {"name": "app", "version": "2.0.0", **app_deps, **app_extra}, {"index.js": ""}
    )


PNPM_YAML = """\
packages:
  - packages/*
  - apps/*
  - "!**/test/**"
catalog:
  react: ^18.3.1
catalogs:
  legacy:
    react: ^16.14.0
"""


def test_pnpm_workspace_and_catalog_rewrite(tmp_path: Path) -> None:
    deps = {
        "dependencies": {
            "@acme/core": "workspace:*",
            "util-x": "workspace:^",
            "react": "catalog:",
            "left-pad": "^1.3.0",
        },
        "devDependencies": {"old-react": "workspace:@acme/core@*", "react-dom": "catalog:legacy"},
        "peerDependencies": {"util-x": "workspace:~"},
        "optionalDependencies": {"@acme/core": "workspace:>=1.0.0", "empty": "workspace:"},
    }
    # react-dom reads the legacy catalog under its own name: give it an entry
    app = _pnpm_monorepo(
        tmp_path,
        PNPM_YAML.replace("    react: ^16.14.0", "    react: ^16.14.0\n    react-dom: ^16.14.0"),
        deps,
    )
    write_layout(tmp_path / "packages" / "empty", {"name": "empty", "version": "9.9.9"}, {})
    on_disk = (app / "package.json").read_bytes()
    packed = pack_project(app)
    assert packed.manifest["dependencies"] == {
        "@acme/core": "1.4.2",
        "util-x": "^0.3.0",
        "react": "^18.3.1",
        "left-pad": "^1.3.0",
    }
    assert packed.manifest["devDependencies"] == {
        "old-react": "npm:@acme/core@1.4.2",
        "react-dom": "^16.14.0",
    }
    assert packed.manifest["peerDependencies"] == {"util-x": "~0.3.0"}
    assert packed.manifest["optionalDependencies"] == {"@acme/core": ">=1.0.0", "empty": "9.9.9"}
    # the tarball carries the rewritten manifest; the file on disk is untouched
    assert json.loads(packed.read("package.json")) == dict(packed.manifest)
    assert (app / "package.json").read_bytes() == on_disk


def test_bun_and_npm_workspaces_with_catalogs(tmp_path: Path) -> None:
    write_layout(
        tmp_path,
        {
            "name": "root",
            "private": True,
            "workspaces": {
                "packages": ["pkgs/*"],
                "catalog": {"zod": "^3.23.0"},
                "catalogs": {"test": {"vitest": "^2.0.0"}},
            },
        },
        {},
    )
    write_layout(tmp_path / "pkgs" / "lib", {"name": "lib", "version": "0.1.0"}, {})
    app = write_layout(
        tmp_path / "pkgs" / "app",
        {
            "name": "app",
            "version": "1.0.0",
            "dependencies": {"lib": "workspace:^", "zod": "catalog:"},
            "devDependencies": {"vitest": "catalog:test"},
        },
        {},
    )
    packed = pack_project(app)
    assert packed.manifest["dependencies"] == {"lib": "^0.1.0", "zod": "^3.23.0"}
    assert packed.manifest["devDependencies"] == {"vitest": "^2.0.0"}
    workspace = find_workspace(app)
    assert workspace is not None and set(workspace.members) == {
        "lib",
        "app",
        "root",
    }  # the root is a project too, as in pnpm


def test_unknown_member_lists_the_members(tmp_path: Path) -> None:
    app = _pnpm_monorepo(tmp_path, PNPM_YAML, {"dependencies": {"nope": "workspace:*"}})
    with pytest.raises(
        ManifestError, match=r"'nope' is not a member .*members: @acme/core, app, root, util-x"
    ):
        pack_project(app)


def test_missing_catalog_and_missing_entry_are_named(tmp_path: Path) -> None:
    app = _pnpm_monorepo(tmp_path / "a", PNPM_YAML, {"dependencies": {"react": "catalog:nightly"}})
    with pytest.raises(ManifestError, match=r"catalog 'nightly' is not defined .*catalogs: default, legacy"):
        pack_project(app)
    app = _pnpm_monorepo(tmp_path / "b", PNPM_YAML, {"dependencies": {"vue": "catalog:"}})
    with pytest.raises(ManifestError, match=r"catalog 'default' has no entry for 'vue'"):
        pack_project(app)


@pytest.mark.parametrize("spec", ["workspace:*", "catalog:", "catalog:x"])
def test_outside_a_workspace_is_a_clear_error(tmp_path: Path, spec: str) -> None:
    app = write_layout(
        tmp_path / "solo", {"name": "solo", "version": "1.0.0", "dependencies": {"a": spec}}, {}
    )
    with pytest.raises(ManifestError, match=r"needs a workspace, but no pnpm-workspace.yaml"):
        pack_project(app)


def test_invalid_workspace_yaml_has_a_line(tmp_path: Path) -> None:
    app = _pnpm_monorepo(tmp_path, "packages:\n  - a\n bad: [\n", {"dependencies": {"x": "workspace:*"}})
    with pytest.raises(ManifestError, match=r"pnpm-workspace.yaml:\d+: invalid YAML"):
        pack_project(app)


# ---------------------------------------------------------------- properties
_versions = st.builds(lambda a, b, c: f"{a}.{b}.{c}", *(st.integers(0, 99) for _ in range(3)))
_names = st.from_regex(r"\A(@[a-z][a-z0-9]{0,6}/)?[a-z][a-z0-9-]{0,10}\Z")
_ranges = st.sampled_from(["^1.0.0", ">=2 <3", "~0.1.2", "1.x", "*"])


@settings(max_examples=150, deadline=None)
@given(
    members=st.dictionaries(_names, _versions, min_size=1, max_size=6),
    data=st.data(),
)
def test_property_workspace_specs(members: dict[str, str], data: st.DataObject) -> None:
    ws = Workspace(
        Path("/ws"),
        Path("/ws/pnpm-workspace.yaml"),
        {n: Member(n, v, Path("/ws") / n) for n, v in members.items()},
    )
    name = data.draw(st.sampled_from(sorted(members)))
    kind = data.draw(
        st.sampled_from(["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"])
    )
    form = data.draw(st.sampled_from(["", "*", "^", "~", "range", "alias"]))
    version = members[name]
    rng = data.draw(_ranges.filter(lambda r: r != "*"))  # "workspace:*" is the exact-version form
    if form == "alias":
        spec, dep, expected = f"workspace:{name}@*", "some-alias", f"npm:{name}@{version}"
    elif form == "range":
        spec, dep, expected = f"workspace:{rng}", name, rng
    else:
        spec, dep = f"workspace:{form}", name
        expected = version if form in ("", "*") else form + version
    other = {"untouched": "^9.0.0"}
    out = rewrite_dependencies({"name": "x", kind: {dep: spec, **other}}, ws)
    assert out[kind] == {dep: expected, **other}
    assert not any(v.startswith(("workspace:", "catalog:")) for v in out[kind].values())


@settings(max_examples=150, deadline=None)
@given(
    catalogs=st.dictionaries(
        st.from_regex(r"\A[a-z]{1,8}\Z"),
        st.dictionaries(_names, _ranges, min_size=1, max_size=5),
        min_size=1,
        max_size=4,
    ),
    data=st.data(),
)
def test_property_catalog_specs(catalogs: dict[str, dict[str, str]], data: st.DataObject) -> None:
    ws = Workspace(Path("/ws"), Path("/ws/pnpm-workspace.yaml"), {}, catalogs)
    catalog = data.draw(st.sampled_from(sorted(catalogs)))
    dep = data.draw(st.sampled_from(sorted(catalogs[catalog])))
    spec = "catalog:" if catalog == "default" else f"catalog:{catalog}"
    out = rewrite_dependencies({"dependencies": {dep: spec}}, ws)
    assert out["dependencies"] == {dep: catalogs[catalog][dep]}
    missing = data.draw(_names.filter(lambda n: n not in catalogs[catalog]))
    with pytest.raises(ManifestError, match=f"catalog '{catalog}' has no entry for '{missing}'"):
        rewrite_dependencies({"dependencies": {missing: spec}}, ws)

"""Generated projects: npm parity of the file list, and byte-for-byte determinism."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from releasekit.package.pack import pack_project
from releasekit.testing.npm_fixtures import FixtureUnavailable, npm_binary, npm_pack_json

from .conftest import write_layout

_dirs = st.sampled_from(["", "lib/", "lib/sub/", "test/", "src/", ".hidden/", "docs/", "node_modules/x/"])
_bases = st.sampled_from(
    ["index.js", "a.ts", "README.md", "LICENSE", "x.d.ts", ".env", "b.json", "c.map", "Z.js", "readme.txt"]
)
_trees = st.dictionaries(
    st.builds(lambda d, b: d + b, _dirs, _bases), st.text(max_size=20), min_size=1, max_size=14
)
_rules = st.lists(
    st.sampled_from(
        [
            "*.ts",
            "test",
            "/lib/sub",
            "!lib/sub/a.ts",
            "**/*.map",
            ".env",
            "docs/",
            "!README.md",
            "src/**",
            "*.d.ts",
            "!x.d.ts",
            "lib/*.js",
        ]
    ),
    max_size=4,
)
_files_field = st.one_of(
    st.none(),
    st.lists(
        st.sampled_from(
            ["lib", "lib/", "src/*.js", "index.js", "!lib/sub", "test/**", "*.md", "docs", "/lib/sub/x.d.ts"]
        ),
        max_size=3,
    ),
)
_ignore_where = st.sampled_from(["", "lib/", "lib/sub/"])


def _write(
    root: Path, tree: dict[str, str], rules: list[str], where: str, files: list[str] | None, gitignore: bool
) -> Path:
    manifest: dict[str, Any] = {"name": "fuzz", "version": "1.0.0"}
    if files is not None:
        manifest["files"] = files
    extra = {where + (".gitignore" if gitignore else ".npmignore"): "\n".join(rules) + "\n"} if rules else {}
    return write_layout(root, manifest, {**tree, **extra})


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tree=_trees, rules=_rules, where=_ignore_where, files=_files_field, gitignore=st.booleans())
@pytest.mark.npm
def test_property_generated_projects_match_npm(
    tmp_path_factory: pytest.TempPathFactory,
    tree: dict[str, str],
    rules: list[str],
    where: str,
    files: list[str] | None,
    gitignore: bool,
) -> None:
    try:
        npm_binary()
    except FixtureUnavailable as exc:
        pytest.skip(str(exc))
    base = tmp_path_factory.mktemp("fuzz")
    project = _write(base / "p", tree, rules, where, files, gitignore)
    npm = npm_pack_json(project, base / "npm")
    ours = pack_project(project)
    assert sorted(f.path for f in ours.files) == sorted(f["path"] for f in npm["files"])
    assert sum(f.size for f in ours.files) == npm["unpackedSize"]
    shutil.rmtree(base, ignore_errors=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=_trees, rules=_rules, where=_ignore_where, files=_files_field, seed=st.integers(0, 2**16))
def test_property_same_project_same_bytes(
    tmp_path_factory: pytest.TempPathFactory,
    tree: dict[str, str],
    rules: list[str],
    where: str,
    files: list[str] | None,
    seed: int,
) -> None:
    base = tmp_path_factory.mktemp("det")
    first = _write(base / "one", tree, rules, where, files, False)
    # the same files, written in another order, with other timestamps and group bits
    second = _write(base / "two", dict(sorted(tree.items(), reverse=True)), rules, where, files, False)
    for n, path in enumerate(sorted(p for p in second.rglob("*") if p.is_file())):
        os.utime(path, (seed + n, seed + n))
        if n % 2:
            os.chmod(path, 0o664)
    a, b = pack_project(first), pack_project(second)
    assert a.tarball == b.tarball
    assert (a.integrity, a.shasum) == (b.integrity, b.shasum)
    shutil.rmtree(base, ignore_errors=True)

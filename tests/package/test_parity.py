"""Parity with the real ``npm pack --dry-run --json`` (npm 11) over generated layouts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from releasekit.package.npm_pack import npm_pack_json
from releasekit.package.pack import pack_project

from .conftest import write_layout

pytestmark = pytest.mark.npm

M = {"name": "demo", "version": "1.0.0"}


def m(**extra: Any) -> dict[str, Any]:
    return {**M, **extra}


BASIC = {"index.js": "module.exports = 1\n", "lib/a.js": "a\n", "lib/b.ts": "b\n", "test/t.js": "t\n"}

LAYOUTS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "no-files-field": (m(), BASIC),
    "files-dir": (m(files=["lib"]), BASIC),
    "files-dir-trailing-slash": (m(files=["lib/"]), BASIC),
    "files-dot-slash": (m(files=["./lib", "./index.js"]), BASIC),
    "files-star-suffix": (m(files=["lib/*"]), {**BASIC, "lib/deep/x.js": "x"}),
    "files-glob-ext": (m(files=["lib/*.js"]), BASIC),
    "files-globstar": (m(files=["**/*.js"]), {**BASIC, "src/deep/er/z.js": "z"}),
    "files-negation": (m(files=["lib", "!lib/b.ts"]), BASIC),
    "files-negated-dir": (m(files=["lib", "!lib/internal"]), {**BASIC, "lib/internal/x.js": "x"}),
    "files-braces": (m(files=["lib/*.{js,ts}"]), {**BASIC, "lib/c.md": "c"}),
    "files-empty": (m(files=[]), BASIC),
    "files-missing-entry": (m(files=["dist", "lib"]), BASIC),
    "files-with-nested-npmignore": (
        m(files=["lib"]),
        {**BASIC, "lib/.npmignore": "b.ts\n", "lib/x/y.js": "y"},
    ),
    "root-npmignore": (m(), {**BASIC, ".npmignore": "test/\n*.ts\n"}),
    "root-npmignore-negation": (m(), {**BASIC, ".npmignore": "lib/*\n!lib/a.js\n"}),
    "gitignore-fallback": (m(), {**BASIC, ".gitignore": "test\nbuild/\n", "build/out.js": "o"}),
    "npmignore-beats-gitignore": (m(), {**BASIC, ".gitignore": "lib\n", ".npmignore": "test\n"}),
    "nested-gitignore": (
        m(),
        {**BASIC, "lib/.gitignore": "*.ts\n", "lib/sub/.gitignore": "!keep.ts\n", "lib/sub/keep.ts": "k"},
    ),
    "nested-npmignore-anchored": (m(), {**BASIC, "lib/.npmignore": "/a.js\n", "lib/sub/a.js": "a"}),
    "empty-npmignore-overrides-gitignore": (m(), {**BASIC, ".npmignore": "", ".gitignore": "lib\n"}),
    "bin-string": (m(bin="cli.js", files=["lib"]), {**BASIC, "cli.js": ("#!/usr/bin/env node\n", 0o755)}),
    "bin-map": (
        m(bin={"a": "./bin/a.js", "b": "bin/b.js"}, files=["lib"]),
        {**BASIC, "bin/a.js": ("a", 0o755), "bin/b.js": ("b", 0o755), "bin/c.js": "c"},
    ),
    "directories-bin": (
        m(directories={"bin": "tools"}, files=["lib"]),
        {**BASIC, "tools/run": ("r", 0o755), "tools/other": ("o", 0o755)},
    ),
    "main-outside-files": (m(main="index.js", files=["lib"]), BASIC),
    "main-dot-slash": (m(main="./index.js", files=["lib"]), BASIC),
    "browser-outside-files": (m(browser="browser.js", files=["lib"]), {**BASIC, "browser.js": "b"}),
    "readme-license-variants": (
        m(files=["lib"]),
        {
            **BASIC,
            "readme.markdown": "r",
            "LICENCE.txt": "l",
            "License-MIT": "l",
            "COPYING": "c",
            "README~": "no",
            "CHANGELOG.md": "c",
            "docs/README.md": "d",
        },
    ),
    "readme-in-npmignore": (
        m(),
        {**BASIC, ".npmignore": "README*\nLICENSE\n", "README.md": "r", "LICENSE": "l"},
    ),
    "always-excluded": (
        m(),
        {
            **BASIC,
            ".npmrc": "x",
            "package-lock.json": "{}",
            "yarn.lock": "",
            "pnpm-lock.yaml": "",
            "bun.lockb": "",
            ".DS_Store": "",
            ".index.js.swp": "",
            "npm-debug.log": "",
            "x.orig": "",
            "._junk": "",
            ".git/config": "",
            "lib/.git": "",
            "CVS/Entries": "",
            ".hg/x": "",
            "archived-packages/a.tgz": "",
            "build/config.gypi": "",
            ".lock-wscript": "",
            "lib/.npmrc": "",
        },
    ),
    "node-modules-not-bundled": (
        m(dependencies={"dep": "1.0.0"}),
        {
            **BASIC,
            "node_modules/dep/package.json": '{"name":"dep","version":"1.0.0"}',
            "node_modules/dep/i.js": "i",
            "lib/node_modules/x.js": "x",
        },
    ),
    "bundle-dependencies": (
        m(
            dependencies={"dep": "1.0.0", "@sc/other": "1.0.0"},
            devDependencies={"devdep": "1"},
            bundleDependencies=["dep", "@sc/other", "devdep", "missing"],
            files=["lib"],
        ),
        {
            **BASIC,
            "node_modules/dep/package.json": '{"name":"dep","version":"1.0.0","dependencies":{"sub":"1"}}',
            "node_modules/dep/index.js": "i",
            "node_modules/dep/.npmignore": "index.js\n",
            "node_modules/dep/node_modules/sub/package.json": '{"name":"sub","version":"1.0.0"}',
            "node_modules/dep/node_modules/sub/s.js": "s",
            "node_modules/@sc/other/package.json": '{"name":"@sc/other","version":"1.0.0","files":["o.js"]}',
            "node_modules/@sc/other/o.js": "o",
            "node_modules/@sc/other/p.js": "p",
            "node_modules/devdep/package.json": '{"name":"devdep","version":"1.0.0"}',
            "node_modules/unrelated/package.json": '{"name":"unrelated","version":"1.0.0"}',
        },
    ),
    "bundled-true": (
        m(dependencies={"dep": "1"}, bundledDependencies=True),
        {
            **BASIC,
            "node_modules/dep/package.json": '{"name":"dep","version":"1.0.0"}',
            "node_modules/dep/lib/x.js": "x",
            "node_modules/dep/test/.npmignore": "*\n",
            "node_modules/dep/test/t.js": "t",
        },
    ),
    "scoped-name": ({"name": "@scope/demo", "version": "2.0.0-beta.1", "files": ["lib"]}, BASIC),
    "dotfiles": (
        m(),
        {
            **BASIC,
            ".eslintrc": "{}",
            ".github/workflows/ci.yml": "x",
            "lib/.hidden": "h",
            ".env.example": "e",
        },
    ),
    "dotfiles-in-files-glob": (m(files=["lib", ".config/*"]), {**BASIC, ".config/a": "a", ".config/.b": "b"}),
    "case-insensitive-ignore": (m(), {**BASIC, ".npmignore": "*.JS\n", "Upper.Js": "u"}),
    "sorting": (
        m(),
        {
            "a.js": "",
            "B.js": "",
            "_x.js": "",
            "a-b.js": "",
            "a.b.js": "",
            "z10.js": "",
            "z9.js": "",
            "Z.md": "",
            "é.txt": "",
            "e.txt": "",
            "@at/x.js": "",
            "lib/Index.JS": "",
        },
    ),
    "ignore-file-comments": (m(), {**BASIC, ".npmignore": "# comment\n\n  test  \n\\#hash\n", "#hash": "h"}),
    "files-and-root-npmignore": (m(files=["lib", "test"]), {**BASIC, ".npmignore": "test\n"}),
    "workspaces-root-quirk": (
        m(workspaces=["packages/*"]),
        {
            **BASIC,
            "lib/package.json": '{"name":"x"}',
            "packages/p/package.json": '{"name":"p","version":"1.0.0"}',
            "packages/p/i.js": "i",
        },
    ),
    "deep-paths": (m(), {("d/" * 30) + "deep.js": "x", "x" * 120 + ".js": "long"}),
    "unicode-names": (m(), {"ünïcödé.js": "u", "日本/語.js": "j"}),
    "files-absolute-entries": (m(files=["/lib", "/index.js"]), BASIC),
    "files-required-file-beats-nested-npmignore": (
        m(files=["lib/a.js", "lib/sub/deep.js"]),
        {**BASIC, "lib/.npmignore": "a.js\nsub\n", "lib/sub/deep.js": "d"},
    ),
    "star-in-file-name": (m(), {**BASIC, "we*ird.js": "w"}),
    "nested-package-json-is-plain": (
        m(),
        {**BASIC, "sub/package.json": '{"name":"sub","files":["x"]}', "sub/y.js": "y"},
    ),
    "gitignore-under-files-dir": (m(files=["lib"]), {**BASIC, "lib/.gitignore": "*.ts\n"}),
    "npmignore-dir-patterns": (
        m(),
        {**BASIC, ".npmignore": "lib/sub/\n/test\n", "lib/sub/x.js": "x", "src/test/y.js": "y"},
    ),
    "globstar-negation": (
        m(),
        {**BASIC, ".npmignore": "**/*.ts\n!lib/**/keep.ts\n", "lib/x/keep.ts": "k", "lib/x/drop.ts": "d"},
    ),
    "main-in-ignored-dir": (
        m(main="dist/index.js"),
        {**BASIC, ".npmignore": "dist\n", "dist/index.js": "i", "dist/other.js": "o"},
    ),
    "symlinked-bundled-dep": (
        m(dependencies={"linked": "file:vendor/linked"}, bundleDependencies=["linked"], files=["lib"]),
        {
            **BASIC,
            "vendor/linked/package.json": '{"name":"linked","version":"1.0.0"}',
            "vendor/linked/l.js": "l",
            "vendor/linked/.npmignore": "skip.js\n",
            "vendor/linked/skip.js": "s",
        },
    ),
    "executable-modes": (
        m(),
        {"run.sh": ("#!/bin/sh\n", 0o755), "data.bin": (b"\0\1\2", 0o644), "grp.sh": ("x", 0o775)},
    ),
    # npm keeps permission bits, adds u+rw, drops g+w/o+w; setuid survives
    "odd-modes": (
        m(),
        {
            "a.txt": ("a", 0o600),
            "x.sh": ("x", 0o741),
            "s.sh": ("s", 0o4755),
            "g.txt": ("g", 0o664),
            "r.txt": ("r", 0o400),
            "w.txt": ("w", 0o666),
        },
    ),
    # pacote drops the first folder of a path before comparing it with the bin paths
    "bin-mode-quirk": (
        m(bin={"a": "bin/a.js", "c": "cli.js", "d": "d.js"}),
        {
            "bin/a.js": "a",
            "cli.js": ("c", 0o640),
            "sub/cli.js": "c",
            "sub/d.js": "d",
            "x/y/d.js": "d",
            "d.js": "d",
        },
    ),
    "bin-string-in-folder": (m(bin="lib/run.js"), {**BASIC, "lib/run.js": "r", "dist/lib/run.js": "r"}),
    "hard-links": (
        m(bin={"t": "twin.js"}),
        {"a.js": ("same\n", 0o600), "b.txt": "other\n", "x" * 120 + ".js": "long\n"},
    ),
}

# layouts that need more than files: run after writing them
POST: dict[str, Any] = {
    "hard-links": lambda p: [
        os.link(p / "a.js", p / "twin.js"),
        os.link(p / "a.js", p / "lib-twin.js"),
        os.makedirs(p / ("d" * 60)),
        os.link(p / ("x" * 120 + ".js"), p / ("d" * 60) / ("y" * 60 + ".js")),
        os.link(p / "b.txt", p / ".npmignore-not"),
    ],
}


def _ours(project: Path) -> dict[str, Any]:
    return npm_pack_json(pack_project(project), [])


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_same_files_as_npm(name: str, layout: Any, npm_pack: Any) -> None:
    manifest, files = LAYOUTS[name]
    project = layout(manifest, files)
    if name == "bundle-dependencies":
        os.symlink("../dep", project / "node_modules" / "dep-link")  # a link inside the package is skipped
    if name == "symlinked-bundled-dep":
        (project / "node_modules").mkdir()
        os.symlink("../vendor/linked", project / "node_modules" / "linked")
    if name in POST:
        POST[name](project)
    npm = npm_pack(project)
    ours = _ours(project)
    npm_files = [f["path"] for f in npm["files"]]
    our_files = [f["path"] for f in ours["files"]]
    assert sorted(our_files) == sorted(npm_files)
    assert our_files == npm_files, "same files, different display order"
    assert {f["path"]: f["mode"] for f in ours["files"]} == {f["path"]: f["mode"] for f in npm["files"]}
    assert ours["unpackedSize"] == npm["unpackedSize"]
    assert ours["entryCount"] == npm["entryCount"]
    assert ours["filename"] == npm["filename"]


def test_at_least_thirty_layouts() -> None:
    assert len(LAYOUTS) >= 30


def test_workspace_member_applies_the_ignore_files_above_it(layout: Any, npm_pack: Any) -> None:
    """npm packing a member from inside it reads the ignore files of the root and the folders between."""
    root = layout(
        {"name": "root", "private": True, "workspaces": ["packages/*", "tools/nested/*"]},
        {
            ".gitignore": "secret.txt\n/dist\n",
            "packages/.npmignore": "*.log\n",
            "packages/.gitignore": "never-read-when-npmignore-exists.js\n",
            "tools/.gitignore": "*.tmp\n",
            "tools/nested/.npmignore": "",
        },
        where="ws",
    )
    files = {
        "a.js": "a",
        "secret.txt": "s",
        "x.log": "l",
        "dist/x.js": "d",
        "never-read-when-npmignore-exists.js": "n",
        "y.tmp": "t",
    }
    members = [
        write_layout(root / "packages" / "a", m(name="a"), files),
        write_layout(root / "packages" / "b", m(name="b", files=["dist", "secret.txt", "*.log"]), files),
        write_layout(root / "tools" / "nested" / "c", m(name="c"), {**files, ".npmignore": "a.js\n"}),
        # not a member: npm packs it as a plain package
        write_layout(root / "loose", m(name="loose"), files),
    ]
    for member in members:
        npm = npm_pack(member, inside=True)
        ours = _ours(member)
        assert [f["path"] for f in ours["files"]] == [f["path"] for f in npm["files"]], member.name
    assert "secret.txt" not in [f["path"] for f in _ours(members[0])["files"]]
    assert "secret.txt" in [f["path"] for f in _ours(members[3])["files"]]

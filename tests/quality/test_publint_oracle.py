"""releasekit.quality.shape against publint itself: the same findings, rule for rule.

publint (pinned in tests/registry) runs once per corpus in one Node process
(tests/quality/publint_oracle.mjs), reading each tarball with npm's node-tar.
The corpora: one generated broken package per claimed rule, and real
published packages (cached under .cache, skipped offline).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import tarfile
from collections import Counter
from pathlib import Path
from typing import Any, NoReturn

import pytest

from releasekit.package.model import PackedPackage
from releasekit.quality import shape
from releasekit.review.archive import read_archive
from releasekit.review.diff import manifest_of
from releasekit.testing.npm_fixtures import FixtureUnavailable, fetch_tarball, npm_binary
from releasekit.testing.verdaccio import RegistryNotInstalled, find_binaries, install_dir

ORACLE = Path(__file__).with_name("publint_oracle.mjs")

ESM = "export default function greet() {}\n"
CJS = "module.exports = function greet() {};\n"
DTS = "export declare function greet(): void;\n"
BIN_CJS = "#!/usr/bin/env node\nrequire('./index.js');\n"

# rule -> (manifest fields, files): a package broken in that one way.
BROKEN: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "FILE_DOES_NOT_EXIST": ({"main": "./missing.js", "types": "./missing.d.ts"}, {}),
    "FILE_INVALID_FORMAT": ({"type": "module", "main": "./index.js"}, {"index.js": CJS}),
    "FILE_INVALID_EXPLICIT_FORMAT": ({"main": "./index.mjs"}, {"index.mjs": CJS}),
    "FILE_INVALID_JSX_EXTENSION": ({"main": "./index.mjsx"}, {"index.mjsx": ESM}),
    "MODULE_SHOULD_BE_ESM": (
        {"main": "./index.js", "module": "./esm.js", "exports": "./index.js"},
        {"index.js": CJS, "esm.js": CJS},
    ),
    "HAS_MODULE_BUT_NO_EXPORTS": (
        {"main": "./index.js", "module": "./index.mjs"},
        {"index.js": CJS, "index.mjs": ESM},
    ),
    "HAS_ESM_MAIN_BUT_NO_EXPORTS": ({"type": "module", "main": "./index.js"}, {"index.js": ESM}),
    "IMPLICIT_INDEX_JS_INVALID_FORMAT": ({}, {"index.js": ESM}),
    "CJS_WITH_ESMODULE_DEFAULT_EXPORT": (
        {"main": "./index.js"},
        {
            "index.js": 'Object.defineProperty(exports, "__esModule", { value: true });\nexports.default = greeting;\n'
        },
    ),
    "FIELD_INVALID_VALUE_TYPE": ({"main": 42, "bin": {"tool": ["./cli.js"]}}, {"cli.js": BIN_CJS}),
    "BIN_FILE_NOT_EXECUTABLE": ({"bin": {"tool": "./cli.js"}}, {"cli.js": CJS}),
    "DEPRECATED_FIELD_JSNEXT": ({"jsnext:main": "./index.mjs", "exports": "./index.mjs"}, {"index.mjs": ESM}),
    "USE_EXPORTS_BROWSER": ({"browser": "./index.js", "exports": "./index.js"}, {"index.js": CJS}),
    "USE_EXPORTS_OR_IMPORTS_BROWSER": (
        {"browser": {"./index.js": "./browser.js"}, "exports": "./index.js"},
        {"index.js": CJS, "browser.js": CJS},
    ),
    "EXPORTS_MISSING_ROOT_ENTRYPOINT": (
        {"main": "./index.js", "exports": {"./a": "./a.js"}},
        {"index.js": CJS, "a.js": CJS},
    ),
    "EXPORTS_TYPES_SHOULD_BE_FIRST": (
        {"exports": {".": {"import": "./index.mjs", "types": "./index.d.ts"}}},
        {"index.mjs": ESM, "index.d.ts": DTS},
    ),
    "EXPORTS_TYPES_INVALID_FORMAT": (
        {"types": "./index.d.ts", "exports": {".": {"types": "./index.d.ts", "import": "./index.mjs"}}},
        {"index.mjs": ESM, "index.d.ts": DTS},
    ),
    "TYPES_NOT_EXPORTED": (
        {"types": "./index.d.ts", "exports": {".": {"import": "./index.mjs"}}},
        {"index.mjs": ESM, "index.d.ts": DTS},
    ),
    "EXPORTS_DEFAULT_SHOULD_BE_LAST": (
        {"exports": {".": {"default": "./a.js", "import": "./a.mjs"}}},
        {"a.js": CJS, "a.mjs": ESM},
    ),
    "EXPORTS_MODULE_SHOULD_PRECEDE_REQUIRE": (
        {"exports": {".": {"require": "./a.cjs", "module": "./a.mjs"}}},
        {"a.cjs": CJS, "a.mjs": ESM},
    ),
    "EXPORTS_MODULE_SHOULD_BE_ESM": (
        {"exports": {".": {"module": "./a.js", "default": "./a.js"}}},
        {"a.js": CJS},
    ),
    "EXPORTS_VALUE_INVALID": ({"exports": {".": "index.js"}}, {"index.js": CJS}),
    "EXPORTS_GLOB_NO_MATCHED_FILES": (
        {"exports": {".": "./index.js", "./*": "./lib/*.js"}},
        {"index.js": CJS},
    ),
    "EXPORTS_GLOB_NO_DEPRECATED_SUBPATH_MAPPING": ({"exports": {"./lib/": "./lib/"}}, {"lib/a.js": CJS}),
    "EXPORTS_FALLBACK_ARRAY_USE": ({"exports": {".": ["./a.js"]}}, {"a.js": CJS}),
    "EXPORTS_VALUE_CONFLICTS_WITH_BROWSER": (
        {
            "browser": {"./a.js": "./a-browser.js"},
            "exports": {".": {"worker": "./a.js", "default": "./a.js"}},
        },
        {"a.js": CJS, "a-browser.js": CJS},
    ),
    "IMPORTS_KEY_INVALID": ({"exports": "./a.js", "imports": {"x": "./a.js"}}, {"a.js": CJS}),
    "IMPORTS_VALUE_INVALID": ({"exports": "./a.js", "imports": {"#x": ".a.js"}}, {"a.js": CJS}),
    "IMPORTS_MODULE_SHOULD_BE_ESM": (
        {"exports": "./a.js", "imports": {"#x": {"module": "./a.js"}}},
        {"a.js": CJS},
    ),
    "IMPORTS_GLOB_NO_DEPRECATED_SUBPATH_MAPPING": (
        {"exports": "./a.js", "imports": {"#lib/": "./lib/"}},
        {"a.js": CJS, "lib/b.js": CJS},
    ),
    "IMPORTS_FALLBACK_ARRAY_USE": ({"exports": "./a.js", "imports": {"#x": ["./a.js"]}}, {"a.js": CJS}),
    "IMPORTS_DEFAULT_SHOULD_BE_LAST": (
        {"exports": "./a.js", "imports": {"#x": {"default": "./a.js", "node": "./a.js"}}},
        {"a.js": CJS},
    ),
    "NESTED_PACKAGE_JSON_FIELD_IGNORED": (
        {"exports": "./a.js"},
        {
            "a.js": CJS,
            "sub/package.json": '{"exports": "./x.js", "imports": {}}',
            "node_modules/dep/package.json": '{"exports": "./y.js"}',
        },
    ),
    "IMPORTS_MODULE_SHOULD_PRECEDE_REQUIRE": (
        {"exports": "./a.js", "imports": {"#x": {"require": "./a.cjs", "module": "./a.mjs"}}},
        {"a.js": CJS, "a.cjs": CJS, "a.mjs": ESM},
    ),
}

# Edge cases publint decides in a particular way; each must agree too.
EDGES: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "main-extension-search": ({"main": "./lib"}, {"lib/index.js": CJS}),
    "integer-keys-come-first": (
        {"exports": {".": {"types": "./a.d.mts", "default": "./a.mjs", "1": "./a.mjs"}}},
        {"a.mjs": ESM, "a.d.mts": DTS},
    ),
    "nested-types-first-is-fine": (
        {
            "exports": {
                ".": {
                    "import": {"types": "./a.d.mts", "default": "./a.mjs"},
                    "types": "./a.d.ts",
                    "default": "./a.js",
                }
            }
        },
        {"a.mjs": ESM, "a.d.mts": DTS, "a.d.ts": DTS, "a.js": CJS},
    ),
    "after-node-condition": (
        {"type": "module", "exports": {"node": "./a.js", "default": "./b.js"}},
        {"a.js": ESM, "b.js": CJS},
    ),
    "nested-package-json-type": (
        {"main": "./esm/index.js"},
        {"esm/index.js": ESM, "esm/package.json": '{"type": "module"}'},
    ),
    "glob-with-null-exclusion": (
        {"exports": {"./*": "./lib/*.js", "./internal/*": None}},
        {"lib/a.js": CJS, "lib/internal/b.js": ESM},
    ),
    "no-exports-every-file": (
        {"main": "./index.js"},
        {"index.js": CJS, "lib/a.js": ESM, "lib/b.browser.js": ESM, "lib/c.js": ESM, "lib/c.mjs": ESM},
    ),
    "comments-do-not-count": (
        {"type": "module", "main": "./index.js"},
        {"index.js": "// module.exports = 1\n/* require('x') */\nexport const a = 1;\n"},
    ),
    "mixed-is-never-reported": (
        {"type": "module", "main": "./index.js"},
        {"index.js": "export const a = 1;\nmodule.exports = {};\n"},
    ),
    "publish-config-wins": (
        {"main": "./missing.js", "publishConfig": {"main": "./index.js"}},
        {"index.js": CJS},
    ),
    "types-versions-hides-types": ({"types": "./missing.d.ts", "typesVersions": {"*": {"*": ["./t/*"]}}}, {}),
    "dual-types": (
        {
            "types": "./a.d.ts",
            "exports": {
                ".": {
                    "import": {"types": "./a.d.mts", "default": "./a.mjs"},
                    "require": {"types": "./a.d.ts", "default": "./a.cjs"},
                }
            },
        },
        {"a.mjs": ESM, "a.cjs": CJS, "a.d.mts": DTS, "a.d.ts": DTS},
    ),
    "flow-files-are-skipped": (
        {"exports": {".": {"module": "./a.js"}}},
        {"a.js": "// @flow\nmodule.exports = 1;\n"},
    ),
}

REAL = [
    ("react", "18.3.1"), ("typescript", "5.6.3"), ("lodash", "4.17.21"), ("semver", "7.6.3"),
    ("express", "4.21.1"), ("chalk", "5.3.0"), ("@babel/core", "7.26.0"), ("preact", "10.24.3"),
    ("zod", "3.23.8"), ("tslib", "2.8.1"), ("uuid", "10.0.0"), ("nanoid", "5.0.7"), ("ms", "2.1.3"),
    ("debug", "4.3.7"), ("axios", "1.7.7"), ("clsx", "2.1.1"), ("@types/react", "18.3.12"), ("picocolors", "1.1.1"),
]  # fmt: skip


def make_tarball(manifest: dict[str, Any], files: dict[str, str]) -> bytes:
    """A .tgz as npm lays it out (``package/`` prefix); written with tarfile, read back only by the Archive."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz", format=tarfile.USTAR_FORMAT) as tar:
        body = {
            "package.json": json.dumps({"name": "broken", "version": "1.0.0", **manifest}, indent=2),
            **files,
        }
        for path, text in body.items():
            data = text.encode()
            info = tarfile.TarInfo(f"package/{path}")
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def package_of(blob: bytes) -> PackedPackage:
    archive = read_archive(blob)
    assert not archive.findings
    return PackedPackage(manifest_of(archive), archive.packed_files(), blob, None)


def ours(blob: bytes) -> Counter[tuple[Any, ...]]:
    return Counter((i.code, i.path, i.level, i.file) for i in shape.lint(package_of(blob)))


def publint_claimed(messages: list[dict[str, Any]]) -> Counter[tuple[Any, ...]]:
    return Counter(
        (m["code"], tuple(m["path"]), m["type"], m["file"]) for m in messages if m["code"] in shape.CLAIMED
    )


def _unavailable(reason: str) -> NoReturn:
    """Skip on a developer's machine; in CI the oracle must run (as the registry fixture does)."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def run_publint(tarballs: list[Path]) -> dict[str, Any]:
    """publint's messages for every tarball, from one Node process."""
    try:
        node, _ = find_binaries()
        npm_root = subprocess.run(
            [npm_binary(), "root", "-g"], capture_output=True, text=True, check=True
        ).stdout
    except (RegistryNotInstalled, FixtureUnavailable) as exc:
        _unavailable(str(exc))
    node_tar = Path(npm_root.strip()) / "npm" / "node_modules" / "tar"
    modules = install_dir() / "node_modules"
    if not (modules / "publint").is_dir():
        _unavailable("publint is not installed: run tests/registry/install")
    argv = [str(node), str(ORACLE), str(modules), str(node_tar), *map(str, tarballs)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    results: dict[str, Any] = json.loads(proc.stdout)
    return results


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bytes, Any]]:
    folder = tmp_path_factory.mktemp("publint-generated")
    blobs = {name: make_tarball(*case) for name, case in {**BROKEN, **EDGES}.items()}
    paths = {}
    for name, blob in blobs.items():
        paths[name] = folder / f"{name}.tgz"
        paths[name].write_bytes(blob)
    answers = run_publint(list(paths.values()))
    return {name: (blobs[name], answers[str(paths[name])]) for name in blobs}


def test_every_claimed_rule_has_a_broken_package() -> None:
    assert set(BROKEN) == shape.CLAIMED
    assert not shape.CLAIMED & set(shape.NOT_CLAIMED)


def test_every_publint_rule_is_claimed_or_documented_as_left_out() -> None:
    core = install_dir() / "node_modules" / "publint" / "src" / "shared" / "core.js"
    if not core.is_file():
        _unavailable("publint is not installed: run tests/registry/install")
    codes = set(re.findall(r"'([A-Z][A-Z_]{5,})'", core.read_text("utf-8")))  # every message code publint has
    assert codes == shape.CLAIMED | set(shape.NOT_CLAIMED)


@pytest.mark.parametrize("rule", sorted(BROKEN))
def test_broken_package_same_findings_as_publint(rule: str, generated: dict[str, tuple[bytes, Any]]) -> None:
    blob, messages = generated[rule]
    assert isinstance(messages, list), messages
    theirs = publint_claimed(messages)
    assert rule in {code for code, *_ in theirs}, f"the generated package does not trigger {rule}: {messages}"
    assert ours(blob) == theirs


@pytest.mark.parametrize("edge", sorted(EDGES))
def test_edge_case_same_findings_as_publint(edge: str, generated: dict[str, tuple[bytes, Any]]) -> None:
    blob, messages = generated[edge]
    assert isinstance(messages, list), messages
    assert ours(blob) == publint_claimed(messages)


@pytest.fixture(scope="module")
def real_corpus() -> dict[str, tuple[bytes, Any]]:
    try:
        paths = {f"{n}@{v}": fetch_tarball(n, v) for n, v in REAL}
    except FixtureUnavailable as exc:
        pytest.skip(str(exc))
    answers = run_publint(list(paths.values()))
    return {spec: (path.read_bytes(), answers[str(path)]) for spec, path in paths.items()}


@pytest.mark.npm
@pytest.mark.network
@pytest.mark.parametrize("spec", [f"{n}@{v}" for n, v in REAL])
def test_real_package_same_findings_as_publint(spec: str, real_corpus: dict[str, tuple[bytes, Any]]) -> None:
    blob, messages = real_corpus[spec]
    assert isinstance(messages, list), messages
    assert ours(blob) == publint_claimed(messages)


def test_real_corpus_is_big_enough() -> None:
    assert len(REAL) >= 15 and ("react", "18.3.1") in REAL and ("typescript", "5.6.3") in REAL


# -- random packages: many shapes at once, one publint run ------------------------------------------------

_CODES = {
    "esm": ESM,
    "cjs": CJS,
    "mixed": ESM + CJS,
    "plain": "console.log(1);\n",
    "dts": DTS,
    "esmodule": 'Object.defineProperty(exports, "__esModule", { value: true });\nexports.default = greeting;\n',
    "shebang": "#!/usr/bin/env node\n" + CJS,
}
_FILES = [
    "index.js",
    "index.mjs",
    "index.cjs",
    "index.d.ts",
    "index.d.mts",
    "lib/a.js",
    "lib/a.mjs",
    "lib/b.js",
    "lib/a.d.ts",
    "lib/sub/c.js",
    "lib/package.json",
    "dist/browser.js",
    "cli.js",
    "types/index.d.ts",
    "ui.mjsx",
]
_TARGETS = [f"./{f}" for f in _FILES] + [
    "./missing.js",
    "./lib/*.js",
    "./lib/*",
    "./lib/",
    "lib/a.js",
    "./nope/*.js",
    ".lib/a.js",
]
_CONDITIONS = [
    "types",
    "import",
    "require",
    "module",
    "node",
    "browser",
    "worker",
    "default",
    "development",
    "custom",
]


def _random_exports(rng: Any, depth: int = 0) -> Any:
    roll = rng.random()
    if roll < 0.35 or depth > 2:
        return rng.choice(_TARGETS)
    if roll < 0.42:
        return [rng.choice(_TARGETS)]
    if roll < 0.45:
        return None
    keys = rng.sample(_CONDITIONS, rng.randint(1, 4))
    return {k: _random_exports(rng, depth + 1) for k in keys}


def random_package(seed: int) -> tuple[dict[str, Any], dict[str, str]]:
    import random

    rng = random.Random(seed)
    files = {}
    for path in rng.sample(_FILES, rng.randint(1, len(_FILES))):
        if path.endswith("package.json"):
            nested: dict[str, Any] = {"type": rng.choice(["module", "commonjs"])}
            if rng.random() < 0.3:
                nested[rng.choice(["exports", "imports"])] = rng.choice(["./a.js", None, {}])
            files[path] = json.dumps(nested) if rng.random() < 0.8 else "{bad"
        else:
            files[path] = _CODES["dts"] if ".d." in path else _CODES[rng.choice(list(_CODES))]
    manifest: dict[str, Any] = {}
    if rng.random() < 0.5:
        manifest["type"] = rng.choice(["module", "commonjs"])
    for name in ("main", "module", "types", "browser", "bin", "typings", "jsnext:main"):
        if rng.random() < 0.35:
            manifest[name] = rng.choice(_TARGETS + ["./lib", ""])
    if rng.random() < 0.15:
        manifest["bin"] = {"a": rng.choice(_TARGETS), "b": rng.choice([*_TARGETS, 3])}
    if rng.random() < 0.1:
        manifest["browser"] = {
            "./lib/a.js": rng.choice(_TARGETS),
            "./index.js": "./dist/browser.js",
            "fs": False,
        }
    if rng.random() < 0.7:
        if rng.random() < 0.5:
            manifest["exports"] = _random_exports(rng)
        else:
            subpaths = rng.sample(
                [".", "./a", "./lib/*", "./lib/internal/*", "./package.json", "./lib/"], rng.randint(1, 3)
            )
            manifest["exports"] = {s: _random_exports(rng, 1) for s in subpaths}
    if rng.random() < 0.2:
        manifest["imports"] = {rng.choice(["#a", "#lib/*", "b", "#lib/"]): _random_exports(rng, 1)}
    if rng.random() < 0.1:
        manifest["publishConfig"] = {"main": rng.choice(_TARGETS)}
    return manifest, files


RANDOM_SEEDS = range(300)


def test_random_packages_same_findings_as_publint(tmp_path: Path) -> None:
    blobs = {seed: make_tarball(*random_package(seed)) for seed in RANDOM_SEEDS}
    paths = {}
    for seed, blob in blobs.items():
        paths[seed] = tmp_path / f"random-{seed}.tgz"
        paths[seed].write_bytes(blob)
    answers = run_publint(list(paths.values()))
    disagreements = {}
    for seed, blob in blobs.items():
        messages = answers[str(paths[seed])]
        if not isinstance(messages, list):  # publint itself crashed on it: nothing to compare
            continue
        mine, theirs = ours(blob), publint_claimed(messages)
        if mine != theirs:
            disagreements[seed] = (random_package(seed)[0], sorted(mine - theirs), sorted(theirs - mine))
    assert not disagreements, json.dumps(disagreements, indent=1, default=str)[:6000]

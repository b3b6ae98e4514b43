"""Every built-in quality check, passing and failing, on tarballs built by the real packer."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from releasekit.package.model import PackedPackage

from .conftest import BUILTIN_POINTS, DELETE, GOOD_FILES, QualityRun, run_quality

CJS = "module.exports = function greet(name) { return name; };\n"
ESM = "export function greet(name) { return name; }\n"

Score = Callable[..., QualityRun]


def test_the_good_package_earns_every_point_of_exactly_the_listed_checks(quality: Score) -> None:
    run = quality()
    builtin = {name: r.points for name, r in run.by_name.items() if r.builtin}
    assert builtin == BUILTIN_POINTS
    categories = {r.category for r in run.by_name.values()}
    assert categories == {"documentation", "code quality", "testing", "health"}
    assert run.session.score is not None
    assert (run.session.score.value, run.session.score.earned, run.session.score.applicable) == (100, 74, 74)
    failing = {n: r.message for n, r in run.by_name.items() if str(r.outcome) != "passed"}
    assert failing == {}
    # Each passing check says what it found.
    assert all(r.detail for r in run.by_name.values())


def test_quality_checks_never_fail_the_gate_on_their_own(quality: Score) -> None:
    run = quality(manifest={"description": DELETE, "keywords": DELETE}, files={"README.md": DELETE})
    assert run.session.score.value < 100
    assert {str(run.check(n).outcome) for n in ("policy_readme", "policy_description")} == {"warned"}
    assert run.session.gate_passed and run.session.exit_code == 0


# (check, manifest changes, file changes, points expected (None = not applicable), detail fragment)
CASES = [
    # documentation
    ("policy_readme", None, {"README.md": "# demo\n\nShort.\n"}, 0, "only 14 characters"),
    ("policy_readme", None, {"README.md": DELETE}, 0, "no README"),
    ("policy_readme", None, {"README.md": DELETE, "readme.markdown": "x" * 101}, 8, "readme.markdown: 101"),
    (
        "policy_readme_install",
        None,
        {"README.md": "# demo\n\n## Usage\n\nCall it.\n"},
        0,
        "no install section",
    ),
    (
        "policy_readme_install",
        None,
        {"README.md": "# demo\n\nRun `npm i quality-demo` first.\n"},
        3,
        "install",
    ),
    (
        "policy_readme_install",
        None,
        {"README.md": "demo\n====\n\nInstallation\n------------\n\nCopy it.\n"},
        3,
        "install",
    ),
    (
        "policy_readme_usage",
        None,
        {"README.md": "# demo\n\n## Install\n\nnpm install demo\n"},
        0,
        "no usage section",
    ),
    ("policy_readme_usage", None, {"README.md": "# demo\n\n## Examples\n\ngreet()\n"}, 3, "usage"),
    (
        "policy_readme_api",
        None,
        {"README.md": "# demo\n\n## Usage\n\n```\n## API\n```\n"},
        0,
        "no API section",
    ),
    ("policy_readme_api", None, {"README.md": "# demo\n\n## API reference\n\ngreet()\n"}, 2, "API"),
    ("policy_readme_api", None, {"README.md": DELETE}, 0, "no README"),
    ("policy_changelog", None, {"CHANGELOG.md": DELETE}, 0, "no CHANGELOG"),
    (
        "policy_changelog",
        None,
        {"CHANGELOG.md": DELETE, "HISTORY.md": "# 1.0\n"},
        3,
        "HISTORY.md (in the repository",
    ),
    ("policy_changelog", {"files": ["lib", "bin", "CHANGELOG.md"]}, None, 3, "CHANGELOG.md (in the tarball)"),
    ("policy_license", {"license": "MIT"}, {"LICENSE": DELETE}, 3, "license: MIT"),
    (
        "policy_license",
        {"license": "(MIT OR Apache-2.0)"},
        {"LICENSE": DELETE},
        3,
        "license: (MIT OR Apache-2.0)",
    ),
    (
        "policy_license",
        {"license": "GPL-2.0-or-later WITH Classpath-exception-2.0"},
        {"LICENSE": DELETE},
        3,
        "WITH",
    ),
    ("policy_license", {"license": "Apache 2"}, {"LICENSE": DELETE}, 0, "not a valid SPDX expression"),
    ("policy_license", {"license": "MIT AND"}, {"LICENSE": DELETE}, 0, "not a valid SPDX expression"),
    ("policy_license", {"license": DELETE}, {"LICENSE": DELETE}, 0, "no LICENSE file and no license field"),
    ("policy_license", {"license": "UNLICENSED"}, None, 3, "LICENSE"),
    (
        "policy_license",
        {"license": "SEE LICENSE IN TERMS.txt", "files": ["lib", "bin", "TERMS.txt"]},
        {"LICENSE": DELETE, "TERMS.txt": "terms"},
        3,
        "SEE LICENSE IN TERMS.txt",
    ),
    (
        "policy_license",
        {"license": "SEE LICENSE IN TERMS.txt"},
        {"LICENSE": DELETE},
        0,
        "TERMS.txt, which is not in",
    ),
    (
        "policy_license",
        {"license": DELETE},
        {"LICENSE": DELETE, "LICENSE-MIT": "MIT"},
        0,
        "no LICENSE file",
    ),  # npm skips it
    (
        "policy_license",
        {"license": DELETE, "files": ["lib", "bin", "LICENSE-MIT"]},
        {"LICENSE": DELETE, "LICENSE-MIT": "MIT"},
        3,
        "LICENSE-MIT",
    ),
    # code quality
    (
        "policy_types",
        {"types": DELETE, "exports": {".": "./lib/index.js"}},
        {"lib/index.d.ts": DELETE},
        0,
        "no types",
    ),
    (
        "policy_types",
        {"types": DELETE, "exports": {".": "./lib/index.js"}},
        None,
        8,
        "1 .d.ts file(s), e.g. lib/index.d.ts",
    ),
    ("policy_types", {"types": DELETE, "typings": "./lib/index.d.ts"}, None, 8, "typings: ./lib/index.d.ts"),
    ("policy_types", {"types": DELETE}, None, 8, '"types" conditions'),
    (
        "policy_types",
        {"types": "./lib/types.d.ts"},
        None,
        0,
        "FILE_DOES_NOT_EXIST: pkg.types (./lib/types.d.ts)",
    ),
    (
        "policy_types",
        {"exports": {".": {"import": "./lib/index.js", "types": "./lib/index.d.ts"}}},
        None,
        0,
        'EXPORTS_TYPES_SHOULD_BE_FIRST: pkg.exports["."].types',
    ),
    (
        "policy_types",
        {"exports": {".": {"types": "./lib/index.d.cts", "import": "./lib/index.js"}}},
        {"lib/index.d.cts": "export declare const a: 1;\n"},
        4,
        "EXPORTS_TYPES_INVALID_FORMAT",
    ),
    # ESM code that Node loads as CommonJS (no "type": "module"): publint's FILE_INVALID_FORMAT, a warning
    (
        "policy_esm",
        {"type": DELETE, "exports": DELETE},
        None,
        1.5,
        "FILE_INVALID_FORMAT: pkg.main (./lib/index.js)",
    ),
    ("policy_esm", {"type": DELETE}, None, 1.5, "FILE_INVALID_FORMAT"),
    (
        "policy_esm",
        {
            "type": DELETE,
            "exports": DELETE,
            "bin": DELETE,
            "types": DELETE,
            "main": "./lib/index.cjs",
            "module": "./lib/index.mjs",
        },
        {
            "lib/index.js": DELETE,
            "lib/index.js.map": DELETE,
            "bin/demo.js": DELETE,
            "lib/index.cjs": CJS,
            "lib/index.mjs": ESM,
        },
        3,
        "1 ESM entry point(s), e.g. pkg.module: lib/index.mjs",
    ),
    # an exports map of CommonJS only (react@18) is not ES modules
    (
        "policy_esm",
        {
            "type": DELETE,
            "main": "./index.js",
            "exports": {".": "./index.js"},
            "files": ["index.js"],
            "bin": DELETE,
            "types": DELETE,
        },
        {"index.js": CJS},
        0,
        'no entry point is ES module code (pkg.exports["."]: index.js (CJS))',
    ),
    # a "module" field, or "type": "module", over CommonJS code
    (
        "policy_esm",
        {"module": "./lib/cjs.js"},
        {"lib/cjs.js": CJS},
        0,
        "MODULE_SHOULD_BE_ESM: pkg.module (./lib/cjs.js)",
    ),
    ("policy_esm", None, {"lib/index.js": CJS}, 0, "no entry point is ES module code"),
    (
        "policy_esm",
        {"main": DELETE, "bin": DELETE, "types": DELETE, "exports": {".": "./lib/index.d.ts"}},
        {"lib/index.js": DELETE, "lib/index.js.map": DELETE, "bin/demo.js": DELETE},
        None,
        "no JavaScript",
    ),
    ("policy_side_effects", {"sideEffects": DELETE}, None, 0, "no sideEffects field"),
    ("policy_side_effects", {"sideEffects": True}, None, 0, "sideEffects: True"),
    ("policy_side_effects", {"sideEffects": ["./lib/polyfill.js"]}, None, 3, "lists 1 file"),
    ("policy_exports_targets", {"exports": DELETE}, None, 0, "no exports map"),
    (
        "policy_exports_targets",
        {"exports": {".": "./lib/index.js", "./extra": {"import": "./lib/extra.mjs"}}},
        None,
        0,
        'FILE_DOES_NOT_EXIST: pkg.exports["./extra"].import (./lib/extra.mjs)',
    ),
    (
        "policy_exports_targets",
        {"exports": {".": "lib/index.js"}},
        None,
        0,
        'EXPORTS_VALUE_INVALID: pkg.exports["."]',
    ),
    (
        "policy_exports_targets",
        {"exports": {".": {"default": "./lib/index.js", "import": "./lib/index.js"}}},
        None,
        0,
        "EXPORTS_DEFAULT_SHOULD_BE_LAST",
    ),
    (
        "policy_exports_targets",
        {"exports": {".": "./lib/index.js", "./features/*": "./lib/features/*.js"}},
        None,
        1.5,
        "EXPORTS_GLOB_NO_MATCHED_FILES",
    ),
    (
        "policy_exports_targets",
        {"exports": {".": "./lib/index.js", "./features/*": "./lib/features/*.js", "./internal/*": None}},
        {"lib/features/a.js": "export {}\n"},
        3,
        "all 2 exports target(s) present",
    ),
    (
        "policy_exports_targets",
        {"exports": {"./features/*": "./lib/features/*.js"}},
        None,
        1.5,
        "EXPORTS_MISSING_ROOT_ENTRYPOINT",
    ),
    ("policy_engines_node", {"engines": DELETE}, None, 0, "no engines.node"),
    ("policy_engines_node", {"engines": {"npm": ">=9"}}, None, 0, "no engines.node"),
    ("policy_dependencies", {"dependencies": {"a": "^1.0.0"}}, None, 2, "1 runtime dependency"),
    (
        "policy_dependencies",
        {"dependencies": {"a": "1", "b": "1"}, "optionalDependencies": {"c": "1"}},
        None,
        2,
        "3 runtime",
    ),
    ("policy_dependencies", {"dependencies": {n: "1" for n in "abcd"}}, None, 1, "4 runtime"),
    ("policy_dependencies", {"dependencies": {n: "1" for n in "abcdefg"}}, None, 1, "7 runtime"),
    ("policy_dependencies", {"dependencies": {n: "1" for n in "abcdefgh"}}, None, 0, "8 runtime"),
    ("policy_dependencies", {"devDependencies": {n: "1" for n in "abcdefgh"}}, None, 3, "0 runtime"),
    (
        "policy_source_maps",
        None,
        {"lib/index.js.map": DELETE, "lib/index.js": "export const a = 1;\n"},
        0,
        "no .map",
    ),
    # typescript@5.6.3: sourceMappingURL comments naming maps that were not published
    (
        "policy_source_maps",
        None,
        {"lib/index.js.map": DELETE},
        0,
        "1 file(s) point to source maps not in the tarball: lib/index.js -> lib/index.js.map",
    ),
    ("policy_source_maps", None, {"lib/index.js": "export const a = 1;\n"}, 1, "1 file(s) with source maps"),
    (
        "policy_source_maps",
        None,
        {
            "lib/index.js.map": DELETE,
            "lib/index.js": "export const a=1;\n//# sourceMappingURL=data:application/json;base64,e30=\n",
        },
        1,
        "source maps",
    ),
    (
        "policy_source_maps",
        {"main": DELETE, "bin": DELETE, "exports": {".": "./lib/index.d.ts"}},
        {"lib/index.js": DELETE, "lib/index.js.map": DELETE, "bin/demo.js": DELETE},
        None,
        "no JavaScript",
    ),
    (
        "policy_no_dynamic_code",
        None,
        {"bin/demo.js": "const x = 1;\nconsole.log(eval('x + 1'));\n"},
        0,
        "bin/demo.js:2 (eval)",
    ),
    (
        "policy_no_dynamic_code",
        None,
        {"lib/index.js": "export const f = new Function('a', 'return a');\n"},
        0,
        "lib/index.js:1 (new Function)",
    ),
    (
        "policy_no_dynamic_code",
        None,
        {"lib/index.js": "export const g = Function('return this')();\n"},
        0,
        "lib/index.js:1 (Function)",
    ),
    (
        "policy_no_dynamic_code",
        None,
        {"lib/index.js": "eval(a);\n" * 6},
        0,
        "6 use(s) of eval or the Function constructor: "
        "lib/index.js:1 (eval), lib/index.js:2 (eval), lib/index.js:3 (eval), lib/index.js:4 (eval), lib/index.js:5 (eval) "
        "and 1 more",
    ),
    (
        "policy_no_dynamic_code",
        None,
        {
            "lib/index.js": "// never eval(input)\nexport const s = 'eval(x)';\n"
            "export const t = obj.eval(1);\n/* new Function() */\n"
        },
        3,
        "checked",
    ),
    (
        "policy_no_dynamic_code",
        {"main": DELETE, "bin": DELETE, "exports": {".": "./lib/index.d.ts"}},
        {"lib/index.js": DELETE, "lib/index.js.map": DELETE, "bin/demo.js": DELETE},
        None,
        "no JavaScript",
    ),
    # testing
    ("policy_test_files", None, {"test/greet.test.js": DELETE}, 0, "no test files"),
    (
        "policy_test_files",
        None,
        {"test/greet.test.js": DELETE, "src/greet.spec.ts": "it('x')\n"},
        7,
        "src/greet.spec.ts",
    ),
    (
        "policy_test_files",
        None,
        {"test/greet.test.js": DELETE, "node_modules/x/test/a.test.js": "x"},
        0,
        "no test files",
    ),
    (
        "policy_test_script",
        {"scripts": {"test": 'echo "Error: no test specified" && exit 1'}},
        None,
        0,
        "runs no tests",
    ),
    (
        "policy_test_script",
        {
            "scripts": {
                "test": 'echo "See https://travis-ci.org/lodash-archive/lodash-cli for testing details."'
            }
        },
        None,
        0,
        "runs no tests",
    ),
    ("policy_test_script", {"scripts": {"test": "exit 1"}}, None, 0, "runs no tests"),
    ("policy_test_script", {"scripts": {"build": "tsc"}}, None, 0, "no scripts.test"),
    ("policy_test_script", {"scripts": {"test": "vitest run"}}, None, 4, "test: vitest run"),
    # health
    ("policy_description", {"description": "A library"}, None, 0, "9 characters"),
    ("policy_description", {"description": DELETE}, None, 0, "0 characters"),
    ("policy_keywords", {"keywords": []}, None, 0, "no keywords"),
    ("policy_keywords", {"keywords": DELETE}, None, 0, "no keywords"),
    ("policy_keywords", {"keywords": "greeting, demo"}, None, 1, "greeting, demo"),
    ("policy_keywords", {"keywords": " "}, None, 0, "no keywords"),
    ("policy_repository", {"repository": DELETE}, None, 0, "no repository"),
    (
        "policy_repository",
        {"repository": "github:someone/quality-demo"},
        None,
        2,
        "github:someone/quality-demo",
    ),
    ("policy_homepage", {"homepage": DELETE}, None, 0, "no http(s) homepage"),
    (
        "policy_no_install_scripts",
        {"scripts": {"test": "node --test", "postinstall": "node setup.js"}},
        None,
        0,
        "postinstall: node setup.js",
    ),
    (
        "policy_no_install_scripts",
        {"files": ["lib", "bin", "binding.gyp"]},
        {"binding.gyp": "{}"},
        0,
        "node-gyp rebuild",
    ),
    (
        "policy_no_install_scripts",
        {"scripts": {"test": "node --test", "prepare": "tsc"}},
        None,
        2,
        "no preinstall",
    ),
    (
        "policy_entry_points",
        {"main": "./lib/missing.js"},
        None,
        0,
        "FILE_DOES_NOT_EXIST: pkg.main (./lib/missing.js)",
    ),
    ("policy_entry_points", {"bin": {"demo": "./bin/gone.js"}}, None, 0, "pkg.bin.demo (./bin/gone.js)"),
    (
        "policy_entry_points",
        None,
        {"bin/demo.js": 'import "../lib/index.js";\n'},
        0,
        "BIN_FILE_NOT_EXECUTABLE",
    ),
    (
        "policy_entry_points",
        {"browser": {"./lib/index.js": "./lib/browser.js"}},
        None,
        0,
        'pkg.browser["./lib/index.js"] (./lib/browser.js)',
    ),
    ("policy_entry_points", {"main": "./lib"}, {"lib/index.js": "export {}\n"}, 4, "main: ./lib"),
    ("policy_entry_points", {"main": "./lib/index"}, None, 4, "main: ./lib/index"),
    (
        "policy_entry_points",
        {"main": DELETE, "bin": DELETE, "types": DELETE, "files": ["lib", "index.js"]},
        {"index.js": "module.exports = 1\n"},
        4,
        "index.js is present",
    ),
    ("policy_entry_points", {"main": DELETE, "bin": DELETE, "types": DELETE}, None, None, "declares no main"),
]


@pytest.mark.parametrize(
    ("check", "manifest", "files", "expected", "detail"),
    CASES,
    ids=[f"{c[0].removeprefix('policy_')}-{i}" for i, c in enumerate(CASES)],
)
def test_check(
    quality: Score, check: str, manifest: dict | None, files: dict | None, expected: float | None, detail: str
) -> None:
    run = quality(manifest=manifest, files=files)
    assert run.earned(check) == expected, run.detail(check)
    assert detail in run.detail(check)
    # The rest of the good package is unaffected by most spoilers: the check really looked at its own thing.
    if expected is None:
        assert run.check(check).id not in {c.id for c in run.session.score.checks}


def test_tarball_size_counts_the_compressed_tarball(quality: Score) -> None:
    big = quality(files={"lib/blob.bin": os.urandom(1_100_000)})
    assert big.earned("policy_tarball_size") == 0
    assert f"{len(big.package.tarball):,} bytes" in big.detail("policy_tarball_size")
    # A megabyte of text compresses far below the limit: the tarball, not the unpacked size, is what counts.
    text = quality(files={"lib/data.txt": "hello world\n" * 100_000})
    assert text.package.unpacked_size > 1_000_000
    assert text.earned("policy_tarball_size") == 3


def test_not_applicable_checks_leave_the_denominator(quality: Score) -> None:
    run = quality(
        manifest={"main": DELETE, "bin": DELETE, "types": DELETE, "exports": {".": "./lib/index.d.ts"}},
        files={"lib/index.js": DELETE, "lib/index.js.map": DELETE, "bin/demo.js": DELETE},
    )
    skipped = {n for n, r in run.by_name.items() if str(r.outcome) == "skipped"}
    assert skipped == {"policy_source_maps", "policy_no_dynamic_code", "policy_entry_points", "policy_esm"}
    score = run.session.score
    assert score.applicable == 74 - 1 - 3 - 4 - 3
    assert score.value == round(100 * score.earned / score.applicable)
    assert score.value == 100


def test_partial_points_count_in_the_score(quality: Score) -> None:
    run = quality(manifest={"dependencies": {"a": "1", "b": "1"}, "homepage": DELETE})
    score = run.session.score
    assert (score.earned, score.applicable) == (74 - 1 - 1, 74)
    assert score.value == round(100 * 72 / 74)


def test_a_tarball_alone_leaves_the_checks_that_need_the_folder_not_applicable(
    quality_project: Callable, tmp_path: Path
) -> None:
    from releasekit.package.pack import pack_project

    packed = pack_project(quality_project())
    downloaded = PackedPackage(packed.manifest, packed.files, packed.tarball, None)
    elsewhere = tmp_path / "elsewhere"  # not a checkout of the package: no folder is given
    elsewhere.mkdir()
    run = run_quality(elsewhere, package=downloaded)
    assert run.earned("policy_test_files") is None and "no project folder" in run.detail("policy_test_files")
    assert run.earned("policy_changelog") is None and "no project folder" in run.detail("policy_changelog")
    assert run.session.score.applicable == 74 - 7 - 3
    assert run.session.score.value == 100


def _per_check(run: QualityRun) -> dict[str, tuple[float | None, str]]:
    return {name: (run.earned(name), run.detail(name)) for name in run.by_name}


@pytest.mark.parametrize(
    "changes",
    [{}, {"files": {"test/greet.test.js": DELETE, "CHANGELOG.md": DELETE}}],
    ids=["good", "no-tests-no-changelog"],
)
def test_one_score_at_stage_and_at_approve_time(quality_project: Callable, changes: dict) -> None:
    """Stage packs the folder; approve reads the staged tarball in the reviewer's checkout: same score, check by check."""
    from releasekit.package.pack import pack_project

    project = quality_project(**changes)
    staged = run_quality(project)
    packed = staged.package
    approved = run_quality(
        project, package=PackedPackage(packed.manifest, packed.files, packed.tarball, None)
    )
    assert _per_check(approved) == _per_check(staged)
    assert approved.session.score == staged.session.score
    assert pack_project(project).tarball == packed.tarball


def test_tests_published_in_the_tarball_count_without_the_folder(
    quality_project: Callable, tmp_path: Path
) -> None:
    from releasekit.package.pack import pack_project

    packed = pack_project(quality_project(manifest={"files": ["lib", "bin", "test"]}))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = run_quality(elsewhere, package=PackedPackage(packed.manifest, packed.files, packed.tarball, None))
    assert run.earned("policy_test_files") == 7
    assert run.detail("policy_test_files") == "e.g. test/greet.test.js (in the tarball)"


def test_files_excluded_from_the_tarball_do_not_count(quality: Score) -> None:
    # .npmignore'd / not in "files": the README is always packed, the LICENSE too; lib/ is not this time.
    run = quality(manifest={"files": ["bin"]})
    assert run.earned("policy_entry_points") == 0
    assert "pkg.main (./lib/index.js)" in run.detail("policy_entry_points")
    assert run.earned("policy_exports_targets") == 0
    assert run.earned("policy_readme") == 8 and run.earned("policy_license") == 3
    assert "lib/index.js" not in run.package and "test/greet.test.js" not in run.package


def test_good_files_fixture_is_what_the_package_ships(quality: Score) -> None:
    run = quality()
    shipped = {f.path for f in run.package.files}
    assert shipped == {"package.json", "README.md", "LICENSE"} | {
        p for p in GOOD_FILES if p.startswith(("lib/", "bin/"))
    }


def test_shape_findings_carry_publint_codes_into_sarif(quality: Score) -> None:
    from releasekit.policy.reports import sarif

    run = quality(
        manifest={
            "exports": {".": {"import": "./lib/index.js", "types": "./lib/index.d.ts"}},
            "main": "./lib/gone.js",
        }
    )
    types = run.check("policy_types")
    assert [(f.rule_id, f.file, str(f.severity)) for f in types.findings] == [
        ("EXPORTS_TYPES_SHOULD_BE_FIRST", "lib/index.d.ts", "error"),
        # resolved for require, the ESM-typed .d.ts describes CommonJS: publint says so too
        ("EXPORTS_TYPES_INVALID_FORMAT", "lib/index.d.ts", "warning"),
    ]
    doc = json.loads(sarif.render(run.session))
    rules = {r["ruleId"] for r in doc["runs"][0]["results"]}
    assert {"policy_types/EXPORTS_TYPES_SHOULD_BE_FIRST", "policy_entry_points/FILE_DOES_NOT_EXIST"} <= rules
    # a quality finding never fails the gate on its own
    assert run.session.gate_passed


def test_es_modules_reports_format_findings_even_when_nothing_is_esm(quality: Score) -> None:
    run = quality(manifest={"module": "./lib/index.js"}, files={"lib/index.js": CJS})
    assert run.earned("policy_esm") == 0 and run.detail("policy_esm").startswith(
        "no entry point is ES module code"
    )
    codes = [f.rule_id for f in run.check("policy_esm").findings]
    assert "MODULE_SHOULD_BE_ESM" in codes and "FILE_INVALID_FORMAT" in codes

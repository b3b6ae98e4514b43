"""The helpers behind the checks: SPDX expressions, README sections, dynamic code, test files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from releasekit.quality import javascript, moduleformat, readme, scripts, spdx, testfiles


@pytest.mark.parametrize(
    "expression",
    [
        "MIT",
        "mit",
        "Apache-2.0",
        "GPL-2.0+",
        "GPL-3.0-or-later",
        "(MIT OR Apache-2.0)",
        "MIT OR Apache-2.0 AND BSD-3-Clause",
        "(MIT AND (BSD-2-Clause OR ISC))",
        "GPL-2.0-only WITH Classpath-exception-2.0",
        "LicenseRef-Proprietary",
        "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2",
        "mit or isc",
        "GPL-2.0",  # deprecated ids are still valid identifiers
    ],
)
def test_valid_spdx_expressions(expression: str) -> None:
    assert spdx.is_valid_expression(expression)


@pytest.mark.parametrize(
    "expression",
    [
        "",
        "   ",
        "MIT License",
        "Apache 2",
        "BSD",
        "UNLICENSED",
        "SEE LICENSE IN LICENSE",
        "MIT OR",
        "OR MIT",
        "(MIT",
        "MIT)",
        "MIT AND AND ISC",
        "MIT WITH MIT",
        "GPL-2.0 WITH Not-An-Exception",
        "MIT/Apache-2.0",
        "MIT, ISC",
        "LicenseRef-",
        None,
        ["MIT"],
    ],
)
def test_invalid_spdx_expressions(expression: object) -> None:
    assert not spdx.is_valid_expression(expression)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# x\n\n## Installation\n\n## Usage\n\n## API\n", {"install", "usage", "api"}),
        ("# x\n\n### Getting started\n", {"install", "usage"}),
        ("x\n=\n\nExamples\n--------\n", {"usage"}),
        ("<h2>API Reference</h2>\n", {"api"}),
        ("# x\n\n```md\n## Install\n## Usage\n```\n", set()),  # headings inside a code fence do not count
        ("# x\n\nyarn add thing\n", {"install"}),
        ("# x\n\nSee the reinstallation notes.\n", set()),
        ("# x\n\n## Capital\n", set()),  # "api" only as a whole word
    ],
)
def test_readme_sections(text: str, expected: set[str]) -> None:
    assert readme.sections(text) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("eval('1')", [(1, "eval")]),
        ("a;\n  eval (x)", [(2, "eval")]),
        ("(0, eval)('x')", [(1, "eval")]),
        ("new Function('return this')()", [(1, "new Function")]),
        ("var g = Function('return this')();", [(1, "Function")]),
        ("// eval(x)\n/* new Function() */", []),
        ("'eval(x)'; \"new Function()\"; `eval(${y})`", []),
        ("obj.eval(x); $eval(x); evaluate(x); myFunction(x); isFunction(x)", []),
        ("/* unterminated comment eval(x)", []),
        ("var s = 'it\\'s'; eval(s)", [(1, "eval")]),
    ],
)
def test_dynamic_code_outside_comments_and_strings(code: str, expected: list[tuple[int, str]]) -> None:
    found = [(f.line, f.kind) for f in javascript.find_dynamic_code(code, "x.js")]
    assert found == expected


def test_dynamic_code_scan_of_a_long_minified_line() -> None:
    line = ";".join(f"var a{i}=function(){{return {i}}}" for i in range(20000)) + ";eval(a1)"
    found = list(javascript.find_dynamic_code(line, "min.js"))
    assert [(f.line, f.kind) for f in found] == [(1, "eval")]


@pytest.mark.parametrize(
    "script",
    [
        'echo "Error: no test specified" && exit 1',
        "echo 'Error: no test specified' && exit 1",
        'echo  "Error: no test specified"   &&  exit 1',
        'echo "Error: no test specified"',
    ],
)
def test_npm_placeholder_test_script(script: str) -> None:
    assert scripts.is_placeholder_test(script)
    assert not scripts.is_placeholder_test("node --test")


def test_test_files_are_found_by_folder_or_name_and_not_in_dependencies(tmp_path: Path) -> None:
    def touch(rel: str) -> None:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")

    touch("node_modules/dep/test/a.test.js")
    touch("lib/index.js")
    touch("test/fixtures/data.json")  # not code
    assert testfiles.find_test_files(tmp_path) == []
    touch("__tests__/a.js")
    touch("src/util.spec.mjs")
    touch("test.js")
    assert testfiles.find_test_files(tmp_path) == ["test.js", "__tests__/a.js", "src/util.spec.mjs"]
    assert len(testfiles.find_test_files(tmp_path, limit=2)) == 2


def test_published_test_paths_are_recognised_and_declarations_are_not() -> None:
    paths = [
        "lib/index.js",
        "lib/__tests__/Mocker.d.ts",
        "lib/__tests__/Mocker.js",
        "src/a.spec.ts",
        "node_modules/x/a.test.js",
        "test/fixtures/data.json",
        "types/test.d.ts",
    ]
    assert testfiles.tests_among(paths) == ["lib/__tests__/Mocker.js", "src/a.spec.ts"]


def test_project_folder_is_the_packed_folder_or_a_checkout_of_the_same_package(tmp_path: Path) -> None:
    from releasekit.package.model import PackedPackage
    from releasekit.quality.project import project_folder

    downloaded = PackedPackage({"name": "demo", "version": "1.0.0"}, (), b"", None)
    checkout, other = tmp_path / "checkout", tmp_path / "other"
    for folder, name in ((checkout, "demo"), (other, "not-demo")):
        folder.mkdir()
        (folder / "package.json").write_text(f'{{"name": "{name}", "version": "2.0.0"}}')
    assert project_folder(downloaded, checkout) == checkout
    assert project_folder(downloaded, other) is None
    assert project_folder(downloaded, tmp_path) is None  # no package.json
    assert project_folder(downloaded, None) is None
    (other / "package.json").write_text("{not json")
    assert project_folder(downloaded, other) is None
    packed = PackedPackage({"name": "demo"}, (), b"", other)
    assert project_folder(packed, checkout) == other  # packed from a folder: that folder, whatever the run's
    assert project_folder(PackedPackage({"name": "demo"}, (), b"", tmp_path / "gone"), checkout) is None


_MAP_PIECES = [
    b"//# sourceMappingURL=",
    b"//@ sourceMappingURL=",
    b"sourceMappingURL=",
    b"//#  sourceMappingURL=",
    b"\n",
    b"\r\n",
    b" ",
    b"\t",
    b"\x0b",
    b"x.map",
    b"//",
    b"# ",
    b"=",
    "é".encode(),
]


@given(st.lists(st.sampled_from(_MAP_PIECES), max_size=14))
@settings(max_examples=3000, deadline=None)
def test_last_source_map_url_is_the_last_match_of_the_comment_regex(pieces: list[bytes]) -> None:
    """The substring search gives what the line-anchored regex's last match captures."""
    data = b"".join(pieces)
    matches = javascript._SOURCE_MAP_COMMENT.findall(data)
    assert javascript.last_source_map_url(data) == (matches[-1] if matches else None)


_FLAG_PIECES = [
    "exports.__esModule",
    "__esModule",
    " = true",
    "=true",
    "Object.defineProperty",
    "(exports, ",
    "( exports ,",
    '"__esModule"',
    "'__esModule'",
    ", { value: true }",
    ",{value:true}",
    " ",
    "\n",
    "\u00a0",
    "exports",
    ";",
]


@given(st.lists(st.sampled_from(_FLAG_PIECES), max_size=12))
@settings(max_examples=3000, deadline=None)
def test_esmodule_flag_search_matches_the_regex(pieces: list[str]) -> None:
    """The targeted search finds the ``__esModule`` flag exactly where the regex does."""
    code = "".join(pieces)
    assert moduleformat._has_esmodule_flag(code) == bool(moduleformat._ES_MODULE_FLAG.search(code))

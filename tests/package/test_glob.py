"""Our ignore-rule matcher against npm's own minimatch, run by node, on generated cases."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from releasekit.package.glob import brace_expand, compile_rule

pytestmark = pytest.mark.npm

_SEGMENTS = [
    "a",
    "b",
    "lib",
    "Lib",
    ".git",
    ".hidden",
    "x.js",
    "X.JS",
    "index.d.ts",
    "readme.md",
    "node_modules",
    "@s",
    "c~",
    "d$",
    "ü",
    "1",
    "x02",
    "ab",
    "a{b}c",
    "a-b",
    "",
    "",
]
_PATTERN_BITS = [
    "*",
    "**",
    "?",
    "a",
    "lib",
    "*.js",
    "*.{js,ts}",
    "[a-c]",
    "[!a]*",
    ".*",
    "x.js",
    "!(a)",
    "@(a|b)",
    "+(a)",
    "readme{,.*[^~$]}",
    "{a,b}",
    "*.d.ts",
    "\\*",
    ".git",
    "@s",
    "[[:alpha:]]*",
    "..",
    ".",
    "*(a)",
    "?(x).js",
    "[]a]",
    "[a-",
    "b*c",
    "**.js",
    "L*",
    "\\!a",
    "ü*",
    "{1..3}",
    "x{01..03}",
    "{a..c}*",
    "{a,{b,c}}",
    "{}",
    "a{b}c",
]


def _cases(seed: int, count: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        parts = [rng.choice(_PATTERN_BITS) for _ in range(rng.randint(1, 4))]
        pattern = "/".join(parts)
        if rng.random() < 0.3:
            pattern = "/" + pattern
        if rng.random() < 0.15:
            pattern += "/"
        if rng.random() < 0.2:
            pattern = "!" + pattern
        segs = [
            rng.choice(_SEGMENTS[:-2]) if rng.random() < 0.97 else rng.choice(_SEGMENTS)
            for _ in range(rng.randint(1, 4))
        ]
        path = "/".join(segs)
        if rng.random() < 0.3:
            path = "/" + path
        if rng.random() < 0.2:
            path += "/"
        cases.append((pattern, path))
    return cases


def _minimatch_dir() -> Path:
    npm = shutil.which("npm")
    node = shutil.which("node")
    if npm is None or node is None:
        pytest.skip("node/npm not on PATH")
    found = Path(npm).resolve().parent.parent / "node_modules" / "minimatch"
    if not found.is_dir():
        pytest.skip(f"npm's minimatch not found at {found}")
    return found


_SCRIPT = """
const { Minimatch } = require(process.argv[1]);
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const opts = { matchBase: true, dot: true, flipNegate: true, nocase: true };
const out = cases.map(([pattern, path]) => {
  const mm = new Minimatch(pattern, opts);
  const rel = mm.globParts.some(part => part.length <= (part.slice(-1)[0] ? 1 : 2));
  return [mm.match(path), mm.match(path, true), mm.negate, rel];
});
process.stdout.write(JSON.stringify(out));
"""


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_matches_npm_minimatch(seed: int) -> None:
    cases = _cases(seed, 1500)
    proc = subprocess.run(
        ["node", "-e", _SCRIPT, str(_minimatch_dir())],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
    )
    expected = json.loads(proc.stdout)
    mismatches = []
    for (pattern, path), (full, partial, negate, relative) in zip(cases, expected, strict=True):
        rule = compile_rule(pattern)
        got = [rule.match(path), rule.match(path, True), rule.negate, rule.relative]
        if got != [full, partial, negate, relative]:
            mismatches.append((pattern, path, got, [full, partial, negate, relative]))
    assert not mismatches, f"{len(mismatches)} mismatches, first: {mismatches[:5]}"


def test_brace_expansion() -> None:
    assert brace_expand("a{b,c}d") == ["abd", "acd"]
    assert brace_expand("x{1..3}") == ["x1", "x2", "x3"]
    assert brace_expand("{a,b}{c,d}") == ["ac", "ad", "bc", "bd"]
    assert brace_expand("a{b}c") == ["a{b}c"]
    assert brace_expand("readme{,.*[^~$]}") == ["readme", "readme.*[^~$]"]

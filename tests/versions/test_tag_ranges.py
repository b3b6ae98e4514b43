"""``is_semver_range`` answers as node-semver's ``validRange`` (what npm uses to refuse tags)."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from releasekit.config import Config
from releasekit.options import StageOptions
from releasekit.versions.rules import explicit_tag, is_semver_range, parse_version

RANGES = [
    "1",
    "v1",
    "1.x",
    "1.X.x",
    "^1.2.3",
    "~1.2",
    "~>1",
    ">=1.0.0",
    "> 1.2",
    "<2",
    "=1.2",
    "1.2.3",
    "1.2.3-beta.1",
    "x",
    "*",
    "X",
    "1.2.3 - 2.0.0",
    "1||2",
    "1 || 2",
    ">=1 <2",
    "1.2.3+build",
    "+build",
    "4.4.*76",
    "^v1",
    "=v1",
]
NOT_RANGES = [
    "latest",
    "next",
    "beta",
    "canary",
    "v",
    "vnext",
    "rc-1",
    "latest-1",
    "next-2.x",
    "release/1",
    "1.2.3.4",
    "01",
    "1.2.3-01",
    "*.1",
    "1.x.2",
    "**",
    "1.",
    ".1",
    "^",
    "2024-01",
    "experimental",
    "v1-maintenance",
]


@pytest.mark.parametrize("tag", RANGES)
def test_ranges(tag: str) -> None:
    assert is_semver_range(tag)


@pytest.mark.parametrize("tag", NOT_RANGES)
def test_not_ranges(tag: str) -> None:
    assert not is_semver_range(tag)


def _node_semver() -> Path:
    node = shutil.which("node")
    npm = shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed for the peer comparison")
    semver_dir = Path(npm).resolve().parent.parent / "node_modules" / "semver"
    if not (semver_dir / "package.json").is_file():
        pytest.skip(f"npm's bundled semver not found at {semver_dir}")
    return semver_dir


def test_agrees_with_node_semver_on_random_tags() -> None:
    """Peer comparison with npm's own semver on 20,000 random tag-like strings (no whitespace: npm rejects it)."""
    semver_dir = _node_semver()
    rng = random.Random(20261124)
    alphabet = "0123456789..xX*^~<>=v-|+ab"
    tags = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9))) for _ in range(20_000)})
    tags += RANGES + NOT_RANGES
    script = (
        f"const s=require({json.dumps(str(semver_dir))});let d='';process.stdin.on('data',c=>d+=c)"
        ".on('end',()=>{console.log(JSON.stringify(JSON.parse(d).map(t=>s.validRange(t)!==null)))})"
    )
    answer = subprocess.run(
        ["node", "-e", script], input=json.dumps(tags), capture_output=True, text=True, check=True
    )
    expected = json.loads(answer.stdout)
    disagreements = [(t, e) for t, e in zip(tags, expected, strict=True) if is_semver_range(t) != e]
    assert disagreements == []
    assert 500 < sum(expected) < len(tags) - 500  # the corpus really has both kinds


@pytest.mark.parametrize(
    ("options", "manifest", "config", "expected"),
    [
        (StageOptions(), {}, {}, None),
        (
            StageOptions(tag=" next "),
            {"publishConfig": {"tag": "beta"}},
            {"stage": {"tag": "rc"}},
            ("next", "--tag"),
        ),
        (
            StageOptions(),
            {"publishConfig": {"tag": "beta"}},
            {"stage": {"tag": "rc"}},
            ("beta", "publishConfig.tag"),
        ),
        (
            StageOptions(),
            {"publishConfig": {"access": "public"}},
            {"stage": {"tag": "rc"}},
            ("rc", "releasekit.yaml stage.tag"),
        ),
        (StageOptions(tag=""), {"publishConfig": {"tag": "  "}}, {}, None),
    ],
)
def test_explicit_tag_precedence(
    options: StageOptions, manifest: dict, config: dict, expected: tuple | None
) -> None:
    found = explicit_tag(manifest, options, Config(config))
    assert (None if found is None else (found.tag, found.source)) == expected


def test_parse_version_is_strict_semver() -> None:
    assert str(parse_version("1.2.3-rc.1+b5")) == "1.2.3-rc.1+b5"
    for bad in ("1.2", "v1.2.3", "01.2.3", "1.2.3-", "", None, 1):
        assert parse_version(bad) is None

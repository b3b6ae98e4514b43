"""A package that earns every built-in quality point, and helpers to spoil it one way at a time."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from releasekit.options import StageOptions
from releasekit.package.model import PackedPackage
from releasekit.package.pack import pack_project
from releasekit.policy.result import PolicyResult, SessionResult
from releasekit.policy.session import run_policies

README = """\
# quality-demo

A tiny greeting library, used by the quality tests. It greets people by name,
politely, and in a way that is easy to test.

## Install

```sh
npm install quality-demo
```

## Usage

```js
import { greet } from "quality-demo";
greet("Ada");
```

## API

### greet(name)

Answers a greeting for `name`.
"""

GOOD_MANIFEST: dict[str, Any] = {
    "name": "quality-demo",
    "version": "1.2.3",
    "description": "A tiny greeting library used by the quality tests.",
    "keywords": ["greeting", "demo"],
    "license": "MIT",
    "type": "module",
    "main": "./lib/index.js",
    "types": "./lib/index.d.ts",
    "exports": {
        ".": {"types": "./lib/index.d.ts", "default": "./lib/index.js"},
        "./package.json": "./package.json",
    },
    "bin": {"quality-demo": "./bin/demo.js"},
    "files": ["lib", "bin"],
    "sideEffects": False,
    "engines": {"node": ">=18"},
    "repository": {"type": "git", "url": "git+https://example.invalid/quality-demo.git"},
    "homepage": "https://example.invalid/quality-demo#readme",
    "scripts": {"test": "node --test test/"},
}

GOOD_FILES: dict[str, str | bytes] = {
    "README.md": README,
    "CHANGELOG.md": "# Changelog\n\n## 1.2.3\n\n- First release.\n",
    "LICENSE": "MIT License\n\nCopyright (c) the quality-demo authors\n",
    "lib/index.js": "export function greet(name) {\n  return `Hello, ${name}!`;\n}\n//# sourceMappingURL=index.js.map\n",
    "lib/index.js.map": '{"version":3,"sources":["../src/index.ts"],"names":[],"mappings":"AAAA"}\n',
    "lib/index.d.ts": "export declare function greet(name: string): string;\n",
    "bin/demo.js": '#!/usr/bin/env node\nimport { greet } from "../lib/index.js";\nconsole.log(greet("you"));\n',
    "test/greet.test.js": 'import test from "node:test";\ntest("greets", () => {});\n',
}

# The built-in checks and their points, exactly as the issue lists them.
BUILTIN_POINTS = {
    "policy_readme": 8,
    "policy_readme_install": 3,
    "policy_readme_usage": 3,
    "policy_readme_api": 2,
    "policy_changelog": 3,
    "policy_license": 3,
    "policy_types": 8,
    "policy_esm": 3,
    "policy_side_effects": 3,
    "policy_exports_targets": 3,
    "policy_engines_node": 1,
    "policy_dependencies": 3,
    "policy_source_maps": 1,
    "policy_no_dynamic_code": 3,
    "policy_test_files": 7,
    "policy_test_script": 4,
    "policy_description": 3,
    "policy_keywords": 1,
    "policy_repository": 2,
    "policy_homepage": 1,
    "policy_tarball_size": 3,
    "policy_no_install_scripts": 2,
    "policy_entry_points": 4,
}

DELETE = object()


@dataclass
class QualityRun:
    session: SessionResult
    package: PackedPackage

    @property
    def by_name(self) -> dict[str, PolicyResult]:
        return {r.name: r for r in self.session.results if r.points is not None}

    def check(self, name: str) -> PolicyResult:
        return self.by_name[name]

    def earned(self, name: str) -> float | None:
        """Points earned, or ``None`` when the check was not applicable."""
        result = self.check(name)
        if str(result.outcome) == "skipped":
            return None
        for scored in self.session.score.checks if self.session.score else ():
            if scored.id == result.id:
                return scored.points
        raise AssertionError(f"{name} is neither scored nor skipped: {result.outcome} {result.message}")

    def detail(self, name: str) -> str:
        result = self.check(name)
        return result.detail or result.message


def _apply(base: dict[str, Any], changes: dict[str, Any] | None) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in (changes or {}).items():
        if value is DELETE:
            out.pop(key, None)
        else:
            out[key] = value
    return out


@pytest.fixture
def quality_project(make_project: Callable[..., Path]) -> Callable[..., Path]:
    """The good project with ``manifest``/``files`` changes (``DELETE`` removes a key or file)."""

    def make(manifest: dict[str, Any] | None = None, files: dict[str, Any] | None = None) -> Path:
        return make_project(_apply(GOOD_MANIFEST, manifest), files=_apply(GOOD_FILES, files))

    return make


def run_quality(project: Path, *, package: PackedPackage | None = None, **kwargs: Any) -> QualityRun:
    """Pack with the real packer and run only the quality checks."""
    packed = package if package is not None else pack_project(project)
    kwargs.setdefault("options", StageOptions(dry_run=True))
    session = run_policies(project, package=packed, keyword="points", **kwargs)
    return QualityRun(session, packed)


@pytest.fixture
def quality(quality_project: Callable[..., Path]) -> Callable[..., QualityRun]:
    """``quality(manifest={...}, files={...})``: pack the changed good project and score it."""

    def score(manifest: dict[str, Any] | None = None, files: dict[str, Any] | None = None) -> QualityRun:
        return run_quality(quality_project(manifest, files))

    return score


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The quality table is checked cell by cell: give rich room for every column."""
    monkeypatch.setenv("COLUMNS", "200")

"""Test files in the project's repository (tests are rarely published, so the tarball cannot tell).

A file counts when it sits under a ``test``/``tests``/``__tests__``/``spec``
folder, or is named like ``*.test.js`` / ``*.spec.ts`` / ``test_*.js``, the
conventions of node:test, Jest, Mocha, Vitest and AVA. Dependencies, VCS and
build folders are not searched, and the walk stops at the first few hits.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

_TEST_DIRS = {"test", "tests", "__tests__", "spec", "specs", "__test__"}
_SKIP_DIRS = {"node_modules", ".git", ".hg", ".svn", "dist", "build", "coverage", ".next", ".cache"}
_CODE = r"\.(?:[cm]?[jt]sx?|coffee)$"
_TEST_NAME = re.compile(
    rf"(?:[.\-_](?:test|spec)s?{_CODE}|^(?:test|spec)s?(?:[._\-].*)?{_CODE})", re.IGNORECASE
)
_CODE_FILE = re.compile(_CODE, re.IGNORECASE)


def is_test_path(path: str) -> bool:
    """``test/x.js``, ``src/a.spec.ts``...: a test by its name or folder (dependencies' tests are not ours)."""
    parts = PurePosixPath(path).parts
    if not parts or any(part in _SKIP_DIRS for part in parts[:-1]):
        return False
    name = parts[-1]
    if name.endswith((".d.ts", ".d.mts", ".d.cts")):
        return False  # declarations of tests are not tests
    return bool(_TEST_NAME.search(name)) or (
        any(part.lower() in _TEST_DIRS for part in parts[:-1]) and bool(_CODE_FILE.search(name))
    )


def tests_among(paths: Iterable[str], *, limit: int = 5) -> list[str]:
    """Up to ``limit`` of ``paths`` (e.g. a tarball's) that are tests, sorted."""
    return sorted(p for p in paths if is_test_path(p))[:limit]


def find_test_files(project_dir: Path, *, limit: int = 5) -> list[str]:
    """Up to ``limit`` test files, relative to ``project_dir``, in a stable order."""
    found: list[str] = []
    for root, dirs, files in os.walk(project_dir):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not os.path.islink(os.path.join(root, d)))
        rel_root = Path(root).relative_to(project_dir)
        for name in sorted(files):
            if is_test_path((rel_root / name).as_posix()):
                found.append((rel_root / name).as_posix())
                if len(found) >= limit:
                    return found
    return found

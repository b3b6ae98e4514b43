"""Fixtures for the packer tests: write project layouts, run the real npm pack."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from releasekit.testing.npm_fixtures import FixtureUnavailable, npm_binary, npm_pack_json


def write_layout(root: Path, manifest: dict[str, Any] | None, files: dict[str, Any]) -> Path:
    """Write a project: ``files`` maps paths to text, bytes, or ``(content, mode)``."""
    root.mkdir(parents=True, exist_ok=True)
    if manifest is not None:
        (root / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    for rel, content in files.items():
        mode = None
        if isinstance(content, tuple):
            content, mode = content
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
        os.chmod(target, mode if mode is not None else 0o644)
    return root


@pytest.fixture
def layout(tmp_path: Path) -> Callable[..., Path]:
    def make(manifest: dict[str, Any] | None, files: dict[str, Any], where: str = "pkg") -> Path:
        return write_layout(tmp_path / where, manifest, files)

    return make


@pytest.fixture
def npm_pack(tmp_path: Path) -> Callable[..., dict[str, Any]]:
    """``npm_pack(project, dry_run=True)``: the real npm 11's ``pack --json`` result."""
    try:
        npm_binary()
    except FixtureUnavailable as exc:
        pytest.skip(str(exc))
    workdir = tmp_path / "npm-work"

    def run(project: Path, dry_run: bool = True, inside: bool = False) -> dict[str, Any]:
        return npm_pack_json(project, workdir, dry_run=dry_run, inside=inside)

    return run


@pytest.fixture(autouse=True)
def _text_mode() -> Any:
    """``--json`` mode is process-wide in the CLI; each test starts in text mode."""
    from releasekit.cli import output

    output._state["json"] = False
    yield
    output._state["json"] = False

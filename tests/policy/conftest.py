"""Helpers for the policy framework tests: projects with real policy files, and the real CLI."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def policy_project(make_project: Callable[..., Path]) -> Callable[..., Path]:
    """``policy_project({"policies/policy_x.py": "..."})``: an npm project with dedented files."""

    def make(files: dict[str, str | bytes], manifest: dict[str, Any] | None = None) -> Path:
        dedented = {k: textwrap.dedent(v) if isinstance(v, str) else v for k, v in files.items()}
        return make_project(manifest or {"name": "demo", "version": "1.0.0"}, files=dedented)

    return make

"""Helpers for the policy framework tests: projects with real policy files, and the real CLI."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from releasekit.cli import main
from releasekit.cli import output as cli_output


@pytest.fixture
def policy_project(make_project: Callable[..., Path]) -> Callable[..., Path]:
    """``policy_project({"policies/policy_x.py": "..."})``: an npm project with dedented files."""

    def make(files: dict[str, str | bytes], manifest: dict[str, Any] | None = None) -> Path:
        dedented = {k: textwrap.dedent(v) if isinstance(v, str) else v for k, v in files.items()}
        return make_project(manifest or {"name": "demo", "version": "1.0.0"}, files=dedented)

    return make


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def lpm(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., CliResult]:
    """Run the real ``lpm`` entry function in-process and capture what it printed."""
    monkeypatch.setitem(cli_output._state, "json", False)  # --json is sticky for the process

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        cli_output._state["json"] = False
        return CliResult(code, captured.out, captured.err)

    return run

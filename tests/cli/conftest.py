"""Fixtures for the bad-input audit: a small valid project, ``lpm`` in-process and as a process,
and a local registry that answers garbage."""

from __future__ import annotations

import functools
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from releasekit.testing.faults import FaultRegistry

STAGE_ID = "123e4567-e89b-12d3-a456-426614174000"
FAKE_TOKEN = "npm_" + "A1b2C3d4E5" * 3 + "f6G7h8"  # npm's token shape: npm_ + 36 characters


@dataclass
class Run:
    code: int
    out: str
    err: str
    args: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return f"lpm {' '.join(self.args)} -> {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A valid npm project (cwd): package.json, index.js, README. Tests break one thing in it."""
    root = tmp_path / "demo"
    root.mkdir()
    (root / "package.json").write_text(json.dumps({"name": "demo-bad-input", "version": "1.0.0", "main": "index.js"}, indent=2) + "\n")
    (root / "index.js").write_text("module.exports = 1;\n")
    (root / "README.md").write_text("# demo\n")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def lpm(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """``lpm ARGS`` in this process through ``releasekit.cli.main`` (stdin is never a TTY)."""
    from releasekit.cli import main

    def run(*args: str, stdin: str = "") -> Run:
        capsys.readouterr()
        monkeypatch.setattr("releasekit.cli.stage.stdin_is_tty", lambda: False)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err, tuple(args))

    return run


@pytest.fixture
def lpm_process() -> Callable[..., Run]:
    """``python -m releasekit ARGS`` as its own process: nothing registered for redaction in advance."""

    def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, stdin: str = "") -> Run:
        proc = subprocess.run(
            [sys.executable, "-m", "releasekit", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=240,
            env={**os.environ, "COLUMNS": "200", **(env or {})},
        )
        return Run(proc.returncode, proc.stdout, proc.stderr, tuple(args))

    return run


@pytest.fixture
def no_retry_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reads are still retried on 5xx and dropped connections, without the real back-off sleeps."""
    from releasekit.registry.transport import RetryPolicy

    monkeypatch.setattr("releasekit.registry.client.RetryPolicy", functools.partial(RetryPolicy, sleep=lambda _s: None))


@pytest.fixture
def fault_registry(no_retry_wait: None) -> Iterator[FaultRegistry]:
    with FaultRegistry() as registry:
        yield registry


@pytest.fixture
def closed_url() -> str:
    """A URL where nothing listens."""
    from releasekit.testing.verdaccio import free_port

    return f"http://127.0.0.1:{free_port()}/"

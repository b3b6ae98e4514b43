"""Shared fixtures: the real Verdaccio test registry, its users, and temporary npm projects."""

from __future__ import annotations

import io
import itertools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from releasekit.redaction import forget_all
from releasekit.testing.verdaccio import RegistryNotInstalled, Verdaccio
from tests.lpm_runner import Run

_counter = itertools.count()


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the user's real npm config, tokens and CI variables out of every test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for name in list(os.environ):
        if name.startswith(
            ("NPM_CONFIG_", "npm_config_", "ACTIONS_ID_TOKEN", "GITHUB_", "GITLAB_")
        ) or name in {
            "NPM_TOKEN",
            "NPM_ID_TOKEN",
            "SIGSTORE_ID_TOKEN",
            "CI",
            "GITHUB_ACTIONS",
        }:
            monkeypatch.delenv(name, raising=False)
    forget_all()


@pytest.fixture(scope="session")
def verdaccio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Verdaccio]:
    """One real Verdaccio 9 (stage + tfa flags) for the whole test session."""
    try:
        server = Verdaccio(tmp_path_factory.mktemp("verdaccio")).start()
    except RegistryNotInstalled as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(exc))
    yield server
    server.stop()


@dataclass
class RegistryUser:
    name: str
    password: str
    token: str
    otp_secret: str | None = None


@pytest.fixture
def registry_user(verdaccio: Verdaccio) -> RegistryUser:
    """A fresh user (no 2FA) with a token on the session registry."""
    n = next(_counter)
    name, password = f"user{n}-{os.getpid()}", f"pass-{n}-word"
    return RegistryUser(name, password, verdaccio.add_user(name, password))


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    """Package names unique across the session registry: ``unique_name("demo")``."""

    def make(stem: str = "pkg") -> str:
        return f"{stem}-{os.getpid()}-{next(_counter)}"

    return make


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """Write an npm project: ``make_project({"name": ..., "version": ...}, files={"index.js": "..."})``."""

    def make(
        manifest: dict[str, Any], files: dict[str, str | bytes] | None = None, *, where: str | None = None
    ) -> Path:
        root = tmp_path / (where or f"project{next(_counter)}")
        root.mkdir(parents=True, exist_ok=True)
        (root / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
        for rel, content in (files or {}).items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content)
        return root

    return make


@pytest.fixture(scope="session")
def npm_cli() -> str:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm CLI not on PATH")
    return npm


@pytest.fixture
def lpm(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """Run ``lpm ARGS`` in this process through ``releasekit.cli.main``.

    ``tty`` fakes an interactive stdin (prompts are answered from ``stdin``);
    by default stdin is not a TTY, as on CI.
    """
    from releasekit.cli import main

    def run(*args: str, tty: bool = False, stdin: str | None = None) -> Run:
        capsys.readouterr()
        monkeypatch.setattr("releasekit.cli.stage.stdin_is_tty", lambda: tty)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err, tuple(args))

    return run


@pytest.fixture
def lpm_process() -> Callable[..., Run]:
    """``python -m releasekit ARGS`` as its own process (stdin from ``stdin``, never a TTY)."""

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

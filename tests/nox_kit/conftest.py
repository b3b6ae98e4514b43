"""Run real ``nox`` against temporary projects whose ``noxfile.py`` uses ``releasekit.nox``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "docs" / "example-package"


@dataclass
class NoxRun:
    returncode: int
    stdout: str  # nox streams the commands' output here (their stderr merged, nox's default)
    stderr: str  # nox's own log

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> dict:
        """The JSON document an ``lpm --json`` command printed inside the session."""
        start = self.stdout.index("{")
        doc, _ = json.JSONDecoder().raw_decode(self.stdout[start:])
        return doc


def run_nox(project: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 240) -> NoxRun:
    full_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    # nox's own venvs and envdir stay inside the temporary project.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nox",
            "--noxfile",
            str(project / "noxfile.py"),
            "--envdir",
            str(project / ".nox"),
            *args,
        ],
        cwd=project,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return NoxRun(result.returncode, result.stdout, result.stderr)


@pytest.fixture
def nox_run() -> Callable[..., NoxRun]:
    """``nox_run(project, *nox_args, env=None)``: run real nox there and capture both streams."""
    return run_nox


def npm_pack_files(project: Path) -> set[str]:
    """The file list the machine's npm would pack: the reference for what lpm reports."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm CLI not on PATH")
    out = subprocess.run(
        [npm, "pack", "--dry-run", "--json", "--ignore-scripts"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return {f["path"] for f in json.loads(out)[0]["files"]}


@pytest.fixture
def nox_project(tmp_path: Path) -> Callable[..., Path]:
    """Copy the example package into a temp dir and write a ``noxfile.py`` with ``body``."""

    def make(
        body: str, *, where: str = "project", source: Path = EXAMPLE, manifest: dict | None = None
    ) -> Path:
        root = tmp_path / where
        shutil.copytree(source, root, dirs_exist_ok=True)
        if manifest is not None:
            data = json.loads((root / "package.json").read_text())
            data.update(manifest)
            (root / "package.json").write_text(json.dumps(data, indent=2) + "\n")
        (root / "noxfile.py").write_text(body)
        return root

    return make


@pytest.fixture
def npm_files() -> Callable[[Path], set[str]]:
    return npm_pack_files

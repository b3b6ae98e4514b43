"""Fixtures for the bad-input audit: a small valid project, ``lpm`` in-process and as a process,
and a local registry that answers garbage."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from releasekit.testing.faults import FaultRegistry

STAGE_ID = "123e4567-e89b-12d3-a456-426614174000"
FAKE_TOKEN = "npm_" + "A1b2C3d4E5" * 3 + "f6G7h8"  # npm's token shape: npm_ + 36 characters


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A valid npm project (cwd): package.json, index.js, README. Tests break one thing in it."""
    root = tmp_path / "demo"
    root.mkdir()
    (root / "package.json").write_text(
        json.dumps({"name": "demo-bad-input", "version": "1.0.0", "main": "index.js"}, indent=2) + "\n"
    )
    (root / "index.js").write_text("module.exports = 1;\n")
    (root / "README.md").write_text("# demo\n")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def no_retry_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reads are still retried on 5xx and dropped connections, without the real back-off sleeps."""
    from releasekit.registry.transport import RetryPolicy

    monkeypatch.setattr(
        "releasekit.registry.client.RetryPolicy", functools.partial(RetryPolicy, sleep=lambda _s: None)
    )


@pytest.fixture
def fault_registry(no_retry_wait: None) -> Iterator[FaultRegistry]:
    with FaultRegistry() as registry:
        yield registry


@pytest.fixture
def closed_url() -> str:
    """A URL where nothing listens."""
    from releasekit.testing.verdaccio import free_port

    return f"http://127.0.0.1:{free_port()}/"

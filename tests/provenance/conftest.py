"""Fixtures for provenance tests: a private offline Sigstore and a simulated CI job."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from releasekit.package.model import PackedFile, PackedPackage
from releasekit.testing.sigstore_fake import FakeSigstore

WORKFLOW_IDENTITY = "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"


@pytest.fixture
def sigstore_instance() -> FakeSigstore:
    return FakeSigstore()


@pytest.fixture
def trust_config(sigstore_instance: FakeSigstore) -> Any:
    return sigstore_instance.client_trust_config()


@pytest.fixture
def github_actions(sigstore_instance: FakeSigstore, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A GitHub Actions job with id-token: write whose Fulcio and Rekor are the private instance."""
    with sigstore_instance.github_actions(monkeypatch) as token, sigstore_instance.serve():
        yield token


def _make_package(name: str = "demo-pkg", version: str = "1.2.3", *, body: bytes = b"module.exports = 1\n",
                 manifest: dict[str, Any] | None = None) -> PackedPackage:
    """A small packed package whose tarball bytes depend on everything passed in."""
    full = {"name": name, "version": version, **(manifest or {})}
    files = (PackedFile("index.js", len(body), 0o644, body),)
    tarball = b"fake-tgz:" + repr(sorted(full.items())).encode() + body
    return PackedPackage(full, files, tarball)


@pytest.fixture
def make_package() -> Any:
    """``make_package(name=, version=, body=, manifest=)``: a PackedPackage without packing anything."""
    return _make_package


@pytest.fixture
def package() -> PackedPackage:
    return _make_package()

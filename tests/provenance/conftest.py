"""Fixtures for provenance tests: a private offline Sigstore and a simulated CI job."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from releasekit.package.model import PackedFile, PackedPackage
from releasekit.testing.sigstore_fake import FakeSigstore
from releasekit.testing.verdaccio import Verdaccio

PLUGINS = Path(__file__).resolve().parent / "verdaccio_plugins"
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


def _make_package(
    name: str = "demo-pkg",
    version: str = "1.2.3",
    *,
    body: bytes = b"module.exports = 1\n",
    manifest: dict[str, Any] | None = None,
) -> PackedPackage:
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


@pytest.fixture(scope="module")
def provenance_registry(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A second real Verdaccio 9 with ``verdaccio-releasekit-provenance`` loaded: it keeps the
    ``.sigstore`` attachment of a staged packument and serves it as npm's attestations (staged and published)."""
    from releasekit.testing.verdaccio import RegistryNotInstalled

    extra = f"plugins: {PLUGINS}\nmiddlewares:\n  releasekit-provenance:\n    enabled: true\n"
    try:
        server = Verdaccio(tmp_path_factory.mktemp("verdaccio-provenance"), extra_config=extra).start()
    except RegistryNotInstalled as exc:
        pytest.skip(str(exc))
    assert any(
        "releasekit-provenance" in str(line.get("msg", ""))
        or "releasekit-provenance" in str(line.get("pluginName", ""))
        for line in server.log_lines()
    )
    yield server
    server.stop()

"""The fixtures every policy can request, registered as a built-in plugin.

``session`` (the running :class:`~releasekit.policy.session.Session`) is added
by the session itself; the others derive from it. ``package`` packs lazily, so
a run whose policies never ask for it never packs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from releasekit.config import Config
from releasekit.options import StageOptions
from releasekit.policy.fixtures import fixture

if TYPE_CHECKING:
    from releasekit.package.model import PackedPackage
    from releasekit.policy.session import Session
    from releasekit.registry.metadata import PackageMetadata
    from releasekit.scan import SecretFinding


@fixture
def project_dir(session: Session) -> Path:
    """The project directory (where ``package.json`` is)."""
    return session.project_dir


@fixture
def config(session: Session) -> Config:
    """The loaded ``releasekit.yaml`` (defaults when absent)."""
    return session.config


@fixture
def options(session: Session) -> StageOptions:
    """The stage options of this run: tag, access, provenance, min score, dry run..."""
    return session.options


@fixture
def package(session: Session) -> PackedPackage:
    """The packed package: the one handed to ``run_policies(package=...)``, else packed now."""
    if session.package is None:
        from releasekit.package.pack import pack_project

        session.packed(pack_project(session.project_dir, session.config))
    assert session.package is not None
    return session.package


@fixture
def manifest(package: PackedPackage) -> Mapping[str, Any]:
    """The manifest as published (the packed ``package.json``)."""
    return package.manifest


@fixture
def found_secrets(package: PackedPackage, config: Config, session: Session) -> list[SecretFinding]:
    """The secret scan of the packed files (``secrets`` settings of releasekit.yaml), run once per session.

    Scanning registers every found secret for redaction, so no policy's message,
    detail or report can print one. The session asks for this fixture itself
    whenever a package was packed, even when no policy did. When the session started
    the scan in the background, this waits for it.
    """
    from releasekit.scan import ScanSettings, scan_package

    scan = session.secret_scan
    if scan is not None and scan.package is package and config is session.config:
        found = scan.result()
        if found is not None:
            return found
    return scan_package(package, ScanSettings.from_config(config))


@fixture
def plugin_options(session: Session) -> Mapping[str, Any]:
    """Values of the options plugins declared with ``releasekit_addoption``."""
    return MappingProxyType(session.plugin_options)


@fixture
def registry(package: PackedPackage, options: StageOptions, config: Config) -> Iterator[PackageMetadata]:
    """Read-only registry metadata of the package (its packument), fetched on first use, at most once."""
    from releasekit.registry.metadata import metadata_for

    view = metadata_for(package, options, config)
    yield view
    view.close()

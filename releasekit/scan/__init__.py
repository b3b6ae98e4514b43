"""Secret scan of a packed package: detect-secrets' plugins and semantics, made fast.

Entry points: :func:`scan_package` (what the built-in ``secrets`` policy runs) and
:func:`start_package_scan` (the same, started early in the background); :func:`scan_files`
and :func:`start_scan` (any path/bytes pairs); :mod:`releasekit.scan.baseline`
(detect-secrets baseline files, read and written).
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from releasekit.scan.scanner import ScanInProgress, SecretFinding, scan_files, start_scan
from releasekit.scan.settings import ScanSettings

if TYPE_CHECKING:
    from releasekit.package.model import PackedPackage

__all__ = [
    "ScanInProgress",
    "ScanSettings",
    "SecretFinding",
    "scan_files",
    "scan_package",
    "start_package_scan",
    "start_scan",
]


def start_package_scan(
    package: PackedPackage, settings: ScanSettings | None = None, *, background: bool = False
) -> ScanInProgress:
    """Start the scan of a packed package's files (its tarball contents, in memory).

    The baseline file, if packed, is left out: it holds hashes next to the word
    "secret", which is not a finding of its own. ``background``: in a forked worker
    from now on, while the caller does other work (:func:`start_scan`).
    """
    settings = settings or ScanSettings.default()
    baseline = posixpath.normpath(settings.baseline)
    files = ((f.path, f.data) for f in package.files if f.path != baseline)
    return start_scan(files, settings.plan, settings.jobs, background=background)


def scan_package(package: PackedPackage, settings: ScanSettings | None = None) -> list[SecretFinding]:
    """Every finding in the files of a packed package (see :func:`start_package_scan`)."""
    return start_package_scan(package, settings).result()

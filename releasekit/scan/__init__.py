"""Secret scan of a packed package: detect-secrets' plugins and semantics, made fast.

Entry points: :func:`scan_package` (what the built-in ``secrets`` policy runs; a
session starts it early in a child, :mod:`releasekit.scan.background`), :func:`scan_files`
(any path/bytes pairs) and :mod:`releasekit.scan.baseline` (detect-secrets baseline
files, read and written).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from typing import TYPE_CHECKING

from releasekit.lazyimport import lazy_attributes

if TYPE_CHECKING:
    from releasekit.package.model import PackedPackage
    from releasekit.scan.scanner import SecretFinding, scan_files
    from releasekit.scan.settings import ScanSettings

__all__ = ["ScanSettings", "SecretFinding", "scan_files", "scan_package"]

# Imported on first use: the scan's modules compile some sixty patterns, and a command
# that forks the scan's child first (``lpm check``) should not pay for them before it.
_EXPORTS = {
    "ScanSettings": "releasekit.scan.settings",
    "SecretFinding": "releasekit.scan.scanner",
    "scan_files": "releasekit.scan.scanner",
}


__getattr__ = lazy_attributes(__name__, _EXPORTS, globals())


def scan_package(package: PackedPackage, settings: ScanSettings | None = None) -> list[SecretFinding]:
    """Every finding in the files of a packed package (its tarball contents, in memory)."""
    from releasekit.scan.scanner import scan_files
    from releasekit.scan.settings import ScanSettings

    settings = settings or ScanSettings.default()
    files = scannable_files(((f.path, f.data) for f in package.files), settings)
    return scan_files(files, settings.plan, settings.jobs)


def scannable_files(files: Iterable[tuple[str, bytes]], settings: ScanSettings) -> list[tuple[str, bytes]]:
    """The packed files the scan reads: all but the baseline file, which holds hashes
    next to the word "secret" and is not a finding of its own."""
    baseline = posixpath.normpath(settings.baseline)
    return [(path, data) for path, data in files if path != baseline]

"""What ``lpm check`` and ``lpm quality`` look at: a project folder or a packed ``.tgz``.

A folder is packed as npm would pack it; a tarball is read in memory with the
bounded reader (nothing extracted or followed), and its policies and
``releasekit.yaml`` come from the current folder. Either way the package is in
hand before any policy runs, so an unpackable project is one clear error, not
every policy failing on the same fixture.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from releasekit.errors import ManifestError, PackError, UsageError
from releasekit.package.model import PackedPackage

if TYPE_CHECKING:
    from releasekit.config import Config

TARBALL_SUFFIXES = (".tgz", ".tar.gz")


@dataclass
class Target:
    """The project whose policies and config apply, and the package once packed or read."""

    project: Path
    package: PackedPackage | None  # read from the tarball, or packed by :meth:`packed`
    is_tarball: bool = False

    def packed(
        self, config: Config | None, *, gzip: Literal["now", "background", "lazy"] = "now"
    ) -> PackedPackage:
        """The package: the tarball's, or the project packed now (once; ``gzip`` as :func:`pack_project` takes it)."""
        if self.package is None:
            from releasekit.package.pack import pack_project

            self.package = pack_project(self.project, config, gzip=gzip)
        return self.package


def load_target(path: Path, *, command: str) -> Target:
    """``path`` as a project folder (with package.json) or a ``.tgz``; a usage error for anything else.

    ``command`` (``lpm check``...) names the command in the error that says what to run it on.
    """
    if path.is_file():
        if not path.name.endswith(TARBALL_SUFFIXES):
            raise UsageError(f"{path}: not a project folder or a .tgz tarball")
        return Target(Path.cwd().resolve(), read_tarball(path), is_tarball=True)
    if not path.is_dir():
        raise UsageError(f"{path}: no such folder or tarball")
    if not (path / "package.json").is_file():
        raise UsageError(f"{path}: no package.json here; run `{command}` on an npm project folder or a .tgz")
    return Target(path.resolve(), None)


def read_tarball(path: Path) -> PackedPackage:
    """The package in the .tgz at ``path``; a usage error (exit 2) if it is not a readable npm tarball."""
    from releasekit.review.archive import read_archive

    try:
        with path.open("rb") as stream:  # streamed: a bomb is refused after reading only what the caps allow
            archive = read_archive(stream)
        blob = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    except PackError as exc:  # not gzip, a gzip bomb, or read differently by npm: a bad input file either way
        raise ManifestError(f"{path}: {exc.message}") from None
    if archive.hostile:
        raise ManifestError(f"{path}: unsafe tarball: {archive.findings[0].message}")
    entry = archive.entries.get("package.json")
    if entry is None:
        raise ManifestError(f"{path}: not an npm tarball (no package/package.json in it)")
    try:
        manifest = json.loads(entry.data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ManifestError(
            f"{path}: package/package.json in the tarball is not valid JSON ({exc})"
        ) from None
    if not isinstance(manifest, dict):
        raise ManifestError(f"{path}: package/package.json in the tarball is not a JSON object")
    return PackedPackage(manifest, archive.packed_files(), blob, None)

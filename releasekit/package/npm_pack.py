"""``lpm pack``: pack a project, write the tarball where ``npm pack`` writes it, and
describe it with ``npm pack --json``'s fields.

Without ``dry_run`` the tarball goes to ``<name>-<version>.tgz`` (scope folded in:
``@s/n`` -> ``s-n``) in the destination folder. Like ``npm pack``, an existing file of
that name is replaced; the write is atomic (temporary file, then rename), so a failed
run never leaves a half-written tarball.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from releasekit.atomicfile import write_atomic
from releasekit.package.model import PackedPackage


@dataclass
class PackResult:
    """The packed package, its bundled dependencies, and where its tarball was written."""

    package: PackedPackage
    bundled: list[str]
    dry_run: bool
    written: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "written": str(self.written) if self.written is not None else None,
            "package": npm_pack_json(self.package, self.bundled),
        }


def pack_to(path: Path, destination: Path | None = None, *, dry_run: bool = False) -> PackResult:
    """Pack the project at ``path``; unless ``dry_run``, write the tarball into
    ``destination`` (default: the current folder)."""
    from releasekit.config import CONFIG_FILENAME, load_config
    from releasekit.package.pack import pack_project

    # without a releasekit.yaml the defaults apply: skip loading the validator
    config = load_config(path) if (path / CONFIG_FILENAME).exists() else None
    package = pack_project(path, config)
    result = PackResult(package, bundled_names(package), dry_run)
    if not dry_run:
        result.written = (destination or Path.cwd()) / package.filename
        write_atomic(
            result.written, package.tarball, what="the tarball"
        )  # replaces an older one, as npm pack does
    return result


def bundled_names(package: PackedPackage) -> list[str]:
    """The names of the bundled dependencies packed (``node_modules/NAME``, ``node_modules/@S/NAME``)."""
    return sorted(
        {
            f.path.split("/")[1]
            if not f.path.startswith("node_modules/@")
            else "/".join(f.path.split("/")[1:3])
            for f in package.files
            if f.path.startswith("node_modules/")
        }
    )


def npm_pack_json(package: PackedPackage, bundled: list[str]) -> dict[str, Any]:
    """npm pack --json's fields for one package."""
    from releasekit.package.collation import collation_key

    files = sorted(package.files, key=lambda f: collation_key(f.path, numeric=True, accents=False))
    upper = [f for f in files if f.path[:1] == f.path[:1].upper()]
    lower = [f for f in files if f.path[:1] != f.path[:1].upper()]
    return {
        "id": package.spec,
        "name": package.name,
        "version": package.version,
        "size": len(package.tarball),
        "unpackedSize": package.unpacked_size,
        "shasum": package.shasum,
        "integrity": package.integrity,
        "filename": package.filename,
        "files": [{"path": f.path, "size": f.size, "mode": f.mode} for f in upper + lower],
        "entryCount": len(package.files),
        "bundled": bundled,
    }

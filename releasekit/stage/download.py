"""Save a staged tarball: checked against the registry's shasum, written atomically, never over a file."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from releasekit.atomicfile import write_atomic
from releasekit.errors import PackError, RegistryError, StorageError


@dataclass(frozen=True)
class TarballEntry:
    path: str  # relative to ``package/``
    size: int


@dataclass(frozen=True)
class SavedTarball:
    path: Path
    size: int
    shasum: str
    name: str
    version: str
    files: tuple[TarballEntry, ...] = field(default=())
    verified: bool = False  # the sha1 matched a shasum the registry gave

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "size": self.size,
            "shasum": self.shasum,
            "name": self.name,
            "version": self.version,
            "verified": self.verified,
            "files": [{"path": f.path, "size": f.size} for f in self.files],
        }


def default_filename(name: str, version: str, stage_id: str) -> str:
    """npm's name for a downloaded staged tarball: ``scope-name-1.0.0-<id>.tgz``."""
    safe = name.replace("@", "", 1).replace("/", "-", 1)
    return f"{safe}-{version}-{stage_id}.tgz"


def read_listing(data: bytes) -> tuple[dict[str, Any], tuple[TarballEntry, ...]]:
    """The tarball's ``package/package.json`` and its file list; a clear error if it is not a package.

    Read in memory with the same bounded reader as ``stage diff``: nothing is extracted or followed.
    """
    from releasekit.review.archive import read_archive

    try:
        archive = read_archive(data)
    except PackError as exc:
        raise RegistryError(f"the staged tarball is not a readable .tgz: {exc.message}") from None
    if not archive.entries:
        raise RegistryError("the staged tarball is not a readable .tgz: it holds no files")
    entry = archive.entries.get("package.json")
    if entry is None:
        raise RegistryError("the staged tarball has no package.json")
    try:
        manifest = json.loads(entry.data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RegistryError(f"the staged tarball's package.json is not valid JSON: {exc}") from exc
    if not isinstance(manifest, dict):
        raise RegistryError("the staged tarball's package.json is not a JSON object")
    entries = (TarballEntry(path, len(e.data)) for path, e in archive.entries.items())
    return manifest, tuple(sorted(entries, key=lambda e: e.path))


def check_shasum(data: bytes, expected: str | None) -> str:
    actual = hashlib.sha1(data).hexdigest()
    if expected and actual != expected.strip().lower():
        raise RegistryError(
            f"the downloaded tarball's sha1 {actual} does not match the staged entry's shasum {expected}; nothing was written"
        )
    return actual


def resolve_destination(output: Path | str | None, default_name: str, cwd: Path | None = None) -> Path:
    """``-o`` as given: a directory gets the default name inside it; nothing means the current directory."""
    base = cwd or Path.cwd()
    if output is None:
        return base / default_name
    target = Path(output).expanduser()
    if not target.is_absolute():
        target = base / target
    if target.is_dir():
        return target / default_name
    return target


def write_new_file(dest: Path, data: bytes) -> None:
    """Write ``data`` to ``dest`` atomically; refuse if ``dest`` exists (even if it appears meanwhile)."""
    parent = dest.parent
    if not parent.is_dir():
        raise StorageError(f"{parent}: {'not a directory' if parent.exists() else 'no such directory'}")
    try:
        write_atomic(dest, data, what="the tarball", overwrite=False)
    except StorageError as exc:
        if "already exists" in exc.message:
            raise StorageError(exc.message, hint="choose another path with -o") from None
        raise


def save_staged_tarball(
    data: bytes,
    *,
    stage_id: str,
    expected_shasum: str | None,
    output: Path | str | None = None,
    cwd: Path | None = None,
) -> SavedTarball:
    """Check ``data`` and write it: sha1 first, then the listing, then the file."""
    shasum = check_shasum(data, expected_shasum)
    manifest, files = read_listing(data)
    name, version = str(manifest.get("name", "")), str(manifest.get("version", ""))
    dest = resolve_destination(output, default_filename(name or "package", version or "0.0.0", stage_id), cwd)
    write_new_file(dest, data)
    return SavedTarball(dest, len(data), shasum, name, version, files, verified=bool(expected_shasum))

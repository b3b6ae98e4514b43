"""Save a staged tarball: streamed to disk, checked against the registry's shasum, written atomically.

:func:`download_staged_tarball` streams the body into a temporary file next
to the destination while hashing it, so memory stays flat whatever the size;
the file appears under its name only once the sha1 matches and the listing
reads, and never replaces an existing file.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from releasekit.atomicfile import atomic_file, write_atomic
from releasekit.errors import PackError, RegistryError, StorageError, UsageError
from releasekit.review.integrity import check_shasum, matching_shasum

if TYPE_CHECKING:
    from releasekit.registry.auth import Consent
    from releasekit.registry.client import RegistryClient


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
    entry: dict[str, Any] | None = None  # the stage entry, in the registry's spelling

    def to_dict(self) -> dict[str, Any]:
        doc = {
            "path": str(self.path),
            "size": self.size,
            "shasum": self.shasum,
            "name": self.name,
            "version": self.version,
            "verified": self.verified,
            "files": [{"path": f.path, "size": f.size} for f in self.files],
        }
        if self.entry is not None:
            doc["entry"] = self.entry
        return doc


_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")


def default_filename(name: str, version: str, stage_id: str) -> str:
    """npm's name for a downloaded staged tarball: ``scope-name-1.0.0-<id>.tgz``.

    The name and version come from the registry, so anything that could leave
    the current folder or hide the file (separators, ``..``, a leading dot,
    control characters) is replaced: the result is always one plain file name.
    """
    safe = name.replace("@", "", 1).replace("/", "-", 1)
    parts = [_UNSAFE.sub("_", part).strip(".") or "_" for part in (safe, version)]
    return f"{parts[0][:200]}-{parts[1][:64]}-{stage_id}.tgz"


def read_listing(data: bytes | BinaryIO) -> tuple[dict[str, Any], tuple[TarballEntry, ...]]:
    """The tarball's ``package/package.json`` and its file list; a clear error if it is not a package.

    Read (from bytes or a file, streamed) with the same bounded reader as ``stage diff``: nothing is
    extracted or followed.
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


def check_output(output: Path | str | None, cwd: Path | None = None) -> None:
    """Refuse a bad ``-o`` before anything is downloaded: empty, a missing folder, or an existing file."""
    if output is None:
        return
    if not str(output).strip():
        raise UsageError("-o is empty: give a file or directory, or leave -o out for ./NAME-VERSION-ID.tgz")
    probe = resolve_destination(output, "x.tgz", cwd)
    if not probe.parent.is_dir():
        problem = "is not a directory" if probe.parent.exists() else "does not exist"
        raise UsageError(f"-o {output}: {probe.parent} {problem}")
    named_a_folder = probe != resolve_destination(output, "y.tgz", cwd)
    if not named_a_folder and (probe.exists() or probe.is_symlink()):
        raise StorageError(f"{probe}: already exists; not overwriting it", hint="choose another path with -o")


def download_staged_tarball(
    client: RegistryClient,
    stage_id: str,
    *,
    output: Path | str | None = None,
    cwd: Path | None = None,
    limit: int | None = None,
) -> SavedTarball:
    """Stream the staged tarball of ``stage_id`` to disk, sha1-checked; nothing is left if any check fails.

    The default file name comes from the stage entry (see :func:`default_filename`);
    ``-o`` may name a file or an existing folder. The body is refused past the
    size ``limit`` (default the client's, 1 GiB), and past the registry's
    ``content-length`` when it sends one.
    """
    check_output(output, cwd)
    staged = client.stage_view(stage_id)
    entry = staged.to_dict()
    default = default_filename(
        staged.package_name or "package", staged.version or "0.0.0", staged.id or stage_id
    )
    dest = resolve_destination(output, default, cwd)
    if not dest.parent.is_dir():
        raise StorageError(
            f"{dest.parent}: {'not a directory' if dest.parent.exists() else 'no such directory'}"
        )
    digest = hashlib.sha1()
    try:
        with atomic_file(dest, what="the tarball", overwrite=False) as handle:

            def sink(chunk: bytes) -> None:
                digest.update(chunk)
                handle.write(chunk)

            size = client.stage_tarball_to(stage_id, sink, **({} if limit is None else {"limit": limit}))
            shasum = matching_shasum(digest.hexdigest(), staged.shasum)
            handle.seek(0)
            manifest, files = read_listing(handle)
    except StorageError as exc:
        if "already exists" in exc.message:
            raise StorageError(exc.message, hint="choose another path with -o") from None
        raise
    name, version = str(manifest.get("name", "")), str(manifest.get("version", ""))
    return SavedTarball(dest, size, shasum, name, version, files, verified=bool(staged.shasum), entry=entry)


# -- the `stage download` command -------------------------------------------------------------


@dataclass
class DownloadResult:
    registry: str
    stage_id: str
    saved: SavedTarball

    def to_dict(self) -> dict[str, Any]:
        return self.saved.to_dict()


def stage_download(
    stage_id: str,
    *,
    project_dir: Path,
    registry: str | None = None,
    output: str | None = None,
    consent: Consent | None = None,
) -> DownloadResult:
    """Check the inputs (the id, ``-o``, the registry flag), then :func:`download_staged_tarball`."""
    from releasekit.registry.names import validate_stage_id
    from releasekit.stage.client import open_client, registry_for

    stage_id = validate_stage_id(stage_id)
    check_output(output, project_dir)  # a bad -o is found before any request
    choice = registry_for(project_dir, registry)
    url = choice.url
    with open_client(choice, project_dir, consent=consent) as client:
        saved = download_staged_tarball(client, stage_id, output=output, cwd=project_dir)
    return DownloadResult(url, stage_id, saved)

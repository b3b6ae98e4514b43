"""Pack a project directory as ``npm pack`` would, with the manifest rewritten.

``pack_project(project_dir, config=None)`` selects files with npm's rules,
rewrites ``workspace:``/``catalog:`` specs and applies publishConfig overrides
in the packed ``package.json`` (the file on disk is never changed), and builds
the reproducible tarball. The result is what policies inspect and what is
uploaded.

Where it differs from ``npm pack`` 11, on purpose:

- ``"private": true``, a selected symlink leading out of the package, and
  ``files``/``main``/``bin`` paths with ``..`` out of the root are refused
  (npm packs private packages and silently skips symlinks).
- Modes are 0644, or 0755 for anything executable and every bin target. npm
  keeps odd modes (0744, setuid...) and only marks bins at the package root.
- pnpm's publishConfig overrides (main, bin, exports...) and the
  workspace:/catalog: rewriting change the packed package.json; otherwise
  its bytes are the file's own, as npm's.
- The tar stream is byte-identical to npm's; the gzip layer is not (Node uses
  Chromium's zlib), so integrity hashes differ while contents match.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from releasekit.config import Config
from releasekit.errors import PackError, UsageError
from releasekit.package.manifest import Manifest, apply_publish_config, read_manifest
from releasekit.package.model import PackedFile, PackedPackage
from releasekit.package.packlist import PackList, normalized_bin, pack_list
from releasekit.package.rewrite import needs_rewrite, rewrite_dependencies
from releasekit.package.tarball import build_tarball
from releasekit.package.workspace import find_workspace

DEFAULT_MAX_SIZE = 500_000_000
DEFAULT_MAX_ENTRIES = 100_000


def _limit(config: Config | None, key: str, default: int) -> int:
    value = config.get(f"pack.{key}", default) if config is not None else default
    return int(value) if isinstance(value, int) and value > 0 else default


def packed_manifest(project_dir: Path, manifest: Manifest) -> dict[str, Any]:
    """The manifest as it will be published: publishConfig applied, specs rewritten."""
    data = apply_publish_config(manifest.data)
    if needs_rewrite(data):
        data = rewrite_dependencies(data, find_workspace(project_dir))
    return data


def pack_project(project_dir: Path | str, config: Config | None = None) -> PackedPackage:
    """Pack ``project_dir``: npm's file list, the rewritten manifest, the tarball."""
    root = Path(project_dir)
    if not root.is_dir():  # bad input (exit 2), not a refusal to pack
        raise UsageError(f"{root}: {'not a directory' if root.exists() else 'no such directory'}")
    root = root.resolve()
    manifest = read_manifest(root)
    if manifest.data.get("private") is True:
        raise PackError(f'{manifest.path}: the package is "private": true; npm refuses to publish it')
    published = packed_manifest(root, manifest)
    max_entries = _limit(config, "max_entries", DEFAULT_MAX_ENTRIES)
    max_size = _limit(config, "max_size", DEFAULT_MAX_SIZE)
    listing = pack_list(root, manifest.data)
    if len(listing.files) > max_entries:
        raise PackError(
            f"the package would have {len(listing.files)} entries, over the limit of {max_entries} (pack.max_entries)"
        )
    manifest_bytes = manifest.raw if published == manifest.data else manifest.dumps(published)
    # bins are executable, whether named on disk or by a publishConfig override
    bins = {**normalized_bin(manifest.data, root), **{f"published:{k}": v for k, v in normalized_bin(published).items()}}
    files = _read_files(root, listing, manifest_bytes, bins, max_size)
    tarball = build_tarball(files, max_size)
    return PackedPackage(published, tuple(files), tarball, root)


def _read_files(
    root: Path, listing: PackList, manifest_bytes: bytes, bins: dict[str, str], max_size: int
) -> list[PackedFile]:
    bin_targets = set(bins.values())
    files: list[PackedFile] = []
    total = 0
    for rel in listing.files:
        path = root / rel
        if rel == "package.json":
            data = manifest_bytes
            mode = os.lstat(path).st_mode
        else:
            try:
                fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            except OSError as exc:
                raise PackError(f"{rel}: cannot read: {exc.strerror}") from exc
            try:
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode):
                    raise PackError(f"{rel}: not a regular file")
                total += st.st_size
                # the compressed tarball cannot be smaller than ~1/1000 of its input
                if total > max_size * 1032:
                    raise PackError(f"the package contents exceed what fits the {max_size}-byte limit (pack.max_size)")
                with os.fdopen(fd, "rb", closefd=False) as fh:
                    data = fh.read()
            finally:
                os.close(fd)
            mode = st.st_mode
        executable = bool(mode & 0o111) or rel in bin_targets
        files.append(PackedFile(rel, len(data), 0o755 if executable else 0o644, data))
    return files

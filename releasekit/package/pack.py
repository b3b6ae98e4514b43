"""Pack a project directory as ``npm pack`` would, with the manifest rewritten.

``pack_project(project_dir, config=None)`` selects files with npm's rules,
rewrites ``workspace:``/``catalog:`` specs and applies publishConfig overrides
in the packed ``package.json`` (the file on disk is never changed), and builds
the reproducible tarball. The result is what policies inspect and what is
uploaded.

Modes and links are npm's (pacote over node-tar in portable mode): a file
keeps its permission bits, owner read/write added and group/other write
removed (0600 stays 0600, 0741 stays 0741, setuid stays); a second name of an
already packed inode is written as a hard-link entry to the first name in tar
order. A ``bin`` target gains the executable bits by pacote's test, quirk
included: it drops the first folder of the packed path before comparing it
with the bin paths, so ``cli.js`` at the root matches bin ``cli.js`` but
``bin/cli.js`` does not match bin ``bin/cli.js`` (it keeps its disk mode),
while ``x/cli.js`` does match bin ``cli.js``. A publishConfig ``bin``
override (pnpm's, unknown to npm) marks its targets by exact path.

Where it differs from ``npm pack`` 11, on purpose:

- ``"private": true``, a selected symlink leading out of the package, and
  ``files``/``main``/``bin`` paths with ``..`` out of the root are refused
  (npm packs private packages and silently skips symlinks).
- pnpm's publishConfig overrides (main, bin, exports...) and the
  workspace:/catalog: rewriting change the packed package.json; otherwise
  its bytes are the file's own, as npm's.
- The tar stream is byte-identical to npm's; the gzip layer is not (Node uses
  Chromium's zlib), so integrity hashes differ while contents match.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Literal

from releasekit.config import Config
from releasekit.errors import PackError, UsageError
from releasekit.package.manifest import Manifest, apply_publish_config, read_manifest
from releasekit.package.model import PackedFile, PackedPackage
from releasekit.package.packlist import PackList, normalized_bin, pack_list
from releasekit.package.rewrite import needs_rewrite, rewrite_dependencies
from releasekit.package.tarball import build_tarball, build_tarball_in_background
from releasekit.package.workspace import find_workspace
from releasekit.progress import PACK, report

_FIRST_SEGMENT = re.compile(r"^[^\\/]*/")
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


def pack_project(
    project_dir: Path | str,
    config: Config | None = None,
    *,
    gzip: Literal["now", "background", "lazy"] = "now",
) -> PackedPackage:
    """Pack ``project_dir``: npm's file list, the rewritten manifest, the tarball.

    ``gzip``: compress the tarball now; on a thread while the caller goes on
    (``"background"``: ``package.tarball`` waits for it); or only if ``package.tarball``
    is ever asked for (``"lazy"``: a check that never needs the bytes never pays for
    them). Deferred, a size-limit :class:`PackError` is raised by ``package.tarball``.
    """
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
    manifest_bytes = manifest.dumps(published) if published != manifest.data else None
    bins = set(normalized_bin(manifest.data, root).values())
    # a publishConfig bin override is pnpm's: its targets are executable by exact path, as pnpm packs them
    overrides = set(normalized_bin(published).values()) - bins
    files = _read_files(root, listing, manifest_bytes, bins, overrides, max_size)
    report(PACK, len(files), len(files), "files")
    tarball: bytes | Future[bytes] | Callable[[], bytes]
    if gzip == "background":
        tarball = build_tarball_in_background(files, max_size)
    elif gzip == "lazy":
        tarball = functools.partial(build_tarball, files, max_size)
    else:
        tarball = build_tarball(files, max_size)
    return PackedPackage(published, tuple(files), tarball, root)


def npm_mode(
    st_mode: int, rel: str, bin_targets: AbstractSet[str], exact_bins: AbstractSet[str] = frozenset()
) -> int:
    """The mode npm writes for a file: node-tar's portable fix, after pacote's bin test."""
    mode = st_mode & 0o7777
    # pacote strips the first path segment (meant to be "package/") before comparing
    if _FIRST_SEGMENT.sub("", rel, count=1) in bin_targets or rel in exact_bins:
        mode |= 0o111
    return (mode | 0o600) & ~0o022


def _read_files(
    root: Path,
    listing: PackList,
    manifest_bytes: bytes | None,
    bin_targets: set[str],
    exact_bins: set[str],
    max_size: int,
) -> list[PackedFile]:
    """Read the listed files; ``manifest_bytes`` replaces package.json's when it was rewritten."""
    files: list[PackedFile] = []
    first_name: dict[tuple[int, int], str] = {}  # inode -> the first path packed for it
    total = 0
    for count, rel in enumerate(listing.files):
        if count % 64 == 0:
            report(PACK, count, len(listing.files), "files")
        path = root / rel
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            raise PackError(f"{rel}: cannot read: {exc.strerror}") from exc
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise PackError(f"{rel}: not a regular file")
            mode = npm_mode(st.st_mode, rel, bin_targets, exact_bins)
            if rel == "package.json" and manifest_bytes is not None:
                files.append(PackedFile(rel, len(manifest_bytes), mode, manifest_bytes))
                continue
            if st.st_nlink > 1:
                key = (st.st_dev, st.st_ino)
                if key in first_name:  # node-tar links later names of an inode to the first
                    files.append(PackedFile(rel, 0, mode, b"", linkpath=first_name[key]))
                    continue
                first_name[key] = rel
            total += st.st_size
            # the compressed tarball cannot be smaller than ~1/1000 of its input
            if total > max_size * 1032:
                raise PackError(
                    f"the package contents exceed what fits the {max_size}-byte limit (pack.max_size)"
                )
            with os.fdopen(fd, "rb", closefd=False) as fh:
                data = fh.read()
        finally:
            os.close(fd)
        files.append(PackedFile(rel, len(data), mode, data))
    return files

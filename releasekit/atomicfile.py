"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Every file releasekit writes (tarballs, downloads, reports, baselines, token
files, scaffolded templates) goes through :func:`write_atomic`: a temporary file
in the same folder, fsync, the final mode, then a rename (or a hard link when
the target must not be overwritten). A failure leaves no temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from releasekit.errors import StorageError


def write_atomic(
    path: Path | str,
    data: bytes,
    *,
    mode: int = 0o644,
    what: str = "the file",
    overwrite: bool = True,
    make_parents: bool = False,
) -> None:
    """Write ``data`` to ``path`` atomically with permissions ``mode`` (see :func:`atomic_file`)."""
    with atomic_file(path, mode=mode, what=what, overwrite=overwrite, make_parents=make_parents) as handle:
        handle.write(data)


@contextlib.contextmanager
def atomic_file(
    path: Path | str,
    *,
    mode: int = 0o644,
    what: str = "the file",
    overwrite: bool = True,
    make_parents: bool = False,
) -> Iterator[BinaryIO]:
    """A binary handle (readable too) whose bytes appear at ``path`` only if the block ends without an exception.

    For writers that stream (a download). ``overwrite=False`` refuses an
    existing ``path``, even one that appears while writing (link() fails where
    rename() would replace). Errors are :class:`StorageError` naming ``path``
    and ``what``; an exception from the block propagates and leaves nothing.
    """
    path = Path(path)
    if not overwrite and (path.exists() or path.is_symlink()):
        raise StorageError(f"{path}: already exists; not overwriting it")
    try:
        if make_parents:
            path.parent.mkdir(mode=0o700 if mode & 0o077 == 0 else 0o777, parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # created 0600
    except OSError as exc:
        raise StorageError(f"{path}: cannot write {what}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w+b") as handle:
            try:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as exc:
                raise StorageError(f"{path}: cannot write {what}: {exc.strerror or exc}") from None
        try:
            os.chmod(temp, mode)
            _commit(temp, path, overwrite)
        except OSError as exc:
            raise StorageError(f"{path}: cannot write {what}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def _commit(temp: str, path: Path, overwrite: bool) -> None:
    if overwrite:
        os.replace(temp, path)
        return
    try:
        os.link(temp, path)
    except FileExistsError:
        raise StorageError(f"{path}: already exists; not overwriting it") from None
    except OSError:  # a file system without hard links: best effort
        if path.exists():
            raise StorageError(f"{path}: already exists; not overwriting it") from None
        os.replace(temp, path)

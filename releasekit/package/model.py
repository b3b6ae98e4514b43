"""What a packed npm package is, whether it was just packed or downloaded."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class PackedFile:
    """One file as it sits in the tarball, path relative to ``package/``.

    A hard link (``linkpath`` set, relative to ``package/`` too) is written as
    npm writes a second name for one inode: a link entry with no bytes of its
    own; ``size`` is 0 and ``data`` empty, the bytes are the target's.
    """

    path: str
    size: int
    mode: int
    data: bytes = field(repr=False)
    linkpath: str | None = None

    @property
    def executable(self) -> bool:
        return bool(self.mode & 0o111)

    @property
    def kind(self) -> str:
        return "file" if self.linkpath is None else "link"


@dataclass(frozen=True)
class PackedPackage:
    """A packed package: the manifest as published, its files and the tarball bytes.

    Policies receive this through the ``package`` fixture. ``source_dir`` is the
    project directory it was packed from, or ``None`` for a downloaded tarball.
    """

    manifest: Mapping[str, Any]
    files: tuple[PackedFile, ...]
    # The gzipped tarball; or a Future of it while it is compressed in the background, or
    # a function that compresses it when first asked (policies read ``files``; only
    # what needs the bytes waits or pays): see ``tarball``.
    pending_tarball: bytes | Future[bytes] | Callable[[], bytes] = field(repr=False)
    source_dir: Path | None = None

    @cached_property
    def tarball(self) -> bytes:
        """The gzipped tarball bytes (waits for, or runs, a deferred compression)."""
        pending = self.pending_tarball
        if isinstance(pending, Future):
            return pending.result()
        if callable(pending):
            return pending()
        return pending

    @property
    def name(self) -> str:
        return str(self.manifest.get("name", ""))

    @property
    def version(self) -> str:
        return str(self.manifest.get("version", ""))

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"

    @cached_property
    def integrity(self) -> str:
        """Subresource-integrity string, as npm's ``dist.integrity``."""
        digest = hashlib.sha512(self.tarball).digest()
        return "sha512-" + base64.b64encode(digest).decode("ascii")

    @cached_property
    def shasum(self) -> str:
        """Hex sha1 of the tarball, as npm's ``dist.shasum``."""
        return hashlib.sha1(self.tarball).hexdigest()

    @cached_property
    def sha512_hex(self) -> str:
        return hashlib.sha512(self.tarball).hexdigest()

    @property
    def filename(self) -> str:
        """npm's tarball file name: ``@scope/name`` becomes ``scope-name``."""
        return f"{self.name.lstrip('@').replace('/', '-')}-{self.version}.tgz"

    @property
    def unpacked_size(self) -> int:
        return sum(f.size for f in self.files)

    @cached_property
    def _by_path(self) -> dict[str, PackedFile]:
        return {f.path: f for f in self.files}

    def __contains__(self, path: object) -> bool:
        return path in self._by_path

    def __iter__(self) -> Iterator[PackedFile]:
        return iter(self.files)

    def get(self, path: str) -> PackedFile | None:
        return self._by_path.get(path.removeprefix("./"))

    def read(self, path: str) -> bytes:
        found = self.get(path)
        if found is None:
            raise KeyError(path)
        return found.data

    def text(self, path: str) -> str | None:
        """Decoded text of ``path``, or ``None`` if absent or binary."""
        found = self.get(path)
        if found is None or b"\0" in found.data[:8192]:
            return None
        return found.data.decode("utf-8", errors="replace")

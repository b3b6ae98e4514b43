"""What ``npm install`` puts on disk from a tarball, read in memory and never extracted.

npm extracts with node-tar through pacote: the first path component is
stripped, only file entries are written (links, devices and folders are
filtered out), a ``.gitignore`` becomes ``.npmignore`` unless one was seen, a
root is stripped, a ``..`` entry is skipped, and the last entry for a path
wins. :func:`read_archive` computes exactly that view from
:func:`releasekit.review.tarstream.iter_entries`, which refuses whatever
node-tar reads in a way we do not reproduce.

Entries a reviewer must not wave through become findings (the classes of
node-tar's advisories, plus names that fool a terminal): links, devices,
absolute or ``..`` paths, backslashes, control characters, duplicates, paths
outside the one top folder, case or Unicode collisions, deep folders. A
finding blocks approval and makes ``lpm check``/``lpm quality`` refuse the
tarball; the entries stay what npm would install.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass, field
from typing import BinaryIO

from releasekit.package.model import PackedFile
from releasekit.policy.findings import Finding, Severity
from releasekit.review.tarstream import (
    FILE_TYPES,
    LINK_TYPES,
    MAX_DECOMPRESSED,
    MAX_ENTRIES,
    iter_entries,
    refuse,
)

REFUSED_RULE = "tar-refused"  # the finding for a whole tarball read_archive refuses (see review.staged)
MAX_COMPONENT_BYTES = 255  # NAME_MAX: longer names fail to extract, and we would list them
MAX_PATH_BYTES = 3072  # below PATH_MAX with room for the install folder
MAX_DEPTH = 64  # node-tar CVE-2024-28863: deep folders exhaust the extractor
NODE_TAR_MAX_DEPTH = 1024  # unpack.js skips entries deeper than this

_FILE_NAMES = set(FILE_TYPES.values())
_LINK_NAMES = set(LINK_TYPES.values())
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_DRIVE = re.compile(r"[A-Za-z]:")


@dataclass(frozen=True)
class ArchiveEntry:
    path: str  # as npm installs it: top folder stripped, normalized
    mode: int  # the header's mode & 0o7777 (pacote widens it to at least 0o644 on disk)
    data: bytes = field(repr=False)


@dataclass
class Archive:
    entries: dict[str, ArchiveEntry]  # in installation order
    findings: list[Finding]

    @property
    def hostile(self) -> bool:
        return bool(self.findings)

    @property
    def refused(self) -> str | None:
        """Why the whole tarball was refused (then there are no entries), or ``None``."""
        return next((f.message for f in self.findings if f.rule_id == REFUSED_RULE), None)

    def packed_files(self) -> tuple[PackedFile, ...]:
        """The entries as the ``package`` fixture's files."""
        return tuple(PackedFile(e.path, len(e.data), e.mode, e.data) for e in self.entries.values())


def shown(path: str) -> str:
    """``path`` safe to print: control and bidi characters escaped."""
    return _CONTROL.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", path
    )


class _View:
    def __init__(self) -> None:
        self.entries: dict[str, ArchiveEntry] = {}
        self.findings: list[Finding] = []
        self.npmignores: set[str] = set()
        self.tops: dict[str, str] = {}
        self.folded: dict[str, str] = {}

    def flag(self, rule: str, path: str, message: str) -> None:
        self.findings.append(
            Finding(f"tar-{rule}", message, file=shown(path) or None, severity=Severity.ERROR)
        )

    def add(self, raw: str, type_name: str, mode: int, data: bytes, linkpath: str) -> None:
        if _CONTROL.search(raw):
            self.flag("control-character", raw, f"control or bidi character in a file name: {shown(raw)!r}")
        if type_name in _LINK_NAMES:  # pacote's filter drops links
            kind = "hardlink" if type_name == "Link" else "symlink"
            self.flag(kind, raw, f"{kind} entry -> {shown(linkpath)!r}; npm skips it, not followed")
            return
        if type_name not in _FILE_NAMES:  # folders, devices, FIFOs: pacote's filter drops them
            if type_name != "Directory":
                self.flag("special-file", raw, f"{type_name} entry; npm skips it")
            return
        base = posixpath.basename(raw)
        if base == ".npmignore":
            self.npmignores.add(raw)
        elif base == ".gitignore":  # pacote installs it as .npmignore, or drops it after one
            renamed = raw[: -len(".gitignore")] + ".npmignore"
            if renamed in self.npmignores:
                return
            raw = renamed
        self._install(raw, mode, data)

    def _install(self, raw: str, mode: int, data: bytes) -> None:
        top, slash, rest = raw.partition("/")
        if not slash:
            self.flag("outside-package", raw, f"{shown(raw)!r} is outside any folder; npm skips it")
            return
        self.tops.setdefault(top, raw)
        if len(self.tops) == 2:
            first = next(iter(self.tops.values()))
            self.flag(
                "outside-package",
                raw,
                f"entries under two top folders ({shown(first)!r}, {shown(raw)!r}); npm merges them",
            )
        parts = rest.split("/")
        if (
            not top
            or len(parts) > MAX_DEPTH
            or "" in parts
            or "." in parts
            or ".." in parts
            or "\\" in rest
            or ":" in rest
        ):
            path = self._unusual(raw, rest)
            if path is None:
                return
        else:
            path = rest  # already what path.resolve() makes of it
        if len(path) > MAX_COMPONENT_BYTES // 4 and (
            len(path.encode()) > MAX_PATH_BYTES
            or any(len(p.encode()) > MAX_COMPONENT_BYTES for p in path.split("/"))
        ):
            raise refuse(
                f"path of {len(path.encode())} bytes or a name past {MAX_COMPONENT_BYTES} bytes: "
                f"{shown(path[:80])!r}..."
            )
        if path.count("/") + 1 > MAX_DEPTH:
            self.flag(
                "deep-path", path[:80] + "...", f"path {path.count('/') + 1} folders deep (limit {MAX_DEPTH})"
            )
        if path in self.entries:
            self.flag("duplicate", path, "duplicate entry; npm installs the last one, other tools the first")
            del self.entries[path]
        else:
            self._collisions(path)
        self.entries[path] = ArchiveEntry(path, mode, data)

    def _unusual(self, raw: str, rest: str) -> str | None:
        """Roots, '..', '.', empty parts, backslashes and drives: what npm installs, or None if it skips it."""
        if rest.startswith("//?/"):
            raise refuse(f"Windows device path {shown(raw)!r}")
        stripped = rest.lstrip("/")
        if stripped.startswith("\\") or _DRIVE.match(stripped):
            raise refuse(f"Windows-absolute path {shown(raw)!r}")
        if stripped != rest or raw.startswith("/"):
            self.flag("unsafe-path", raw, f"absolute path: {shown(raw)!r}; npm strips the root")
        parts = re.split(r"[\\/]", stripped)
        if ".." in parts:
            self.flag("unsafe-path", raw, f"path traversal ('..'): {shown(raw)!r}; npm skips it")
            return None
        if "\\" in stripped:
            self.flag("unsafe-path", raw, f"backslash in path (a separator on Windows): {shown(raw)!r}")
        if (
            len(rest.split("/")) > NODE_TAR_MAX_DEPTH
        ):  # unpack.js counts parts after the strip, before the root
            self.flag("deep-path", raw[:80] + "...", f"path deeper than {NODE_TAR_MAX_DEPTH}; npm skips it")
            return None
        path = posixpath.normpath(stripped) if stripped else "."
        if path == ".":
            self.flag("unsafe-path", raw, f"entry without a file name: {shown(raw)!r}; npm skips it")
            return None
        return path

    def _collisions(self, path: str) -> None:
        nfc = unicodedata.normalize("NFC", path)
        folded = nfc.casefold()
        other = self.folded.setdefault(folded, path)
        if other != path:
            kind = "Unicode normalization" if nfc == unicodedata.normalize("NFC", other) else "case"
            self.flag(
                "name-collision",
                path,
                f"differs from {shown(other)!r} only by {kind}; they collide on case-insensitive "
                "or normalizing file systems",
            )

    def check_folders(self) -> None:
        """A file that is also a folder of another: node-tar keeps whichever came first; not reproduced."""
        files = set(self.entries)
        for path in files:
            parent = path
            while "/" in parent:
                parent = parent.rsplit("/", 1)[0]
                if parent in files:
                    raise refuse(f"{shown(parent)!r} is both a file and the folder of {shown(path)!r}")


def read_archive(
    source: bytes | BinaryIO, *, max_size: int = MAX_DECOMPRESSED, max_entries: int = MAX_ENTRIES
) -> Archive:
    """The files npm would install from ``source`` (a .tgz or .tar), with findings for hostile entries.

    Raises :class:`~releasekit.errors.PackError` (one line) for a tarball npm's
    reader would read differently from us, or one past the size and entry caps.
    """
    view = _View()
    for entry in iter_entries(source, max_size=max_size, max_entries=max_entries):
        view.add(entry.path, entry.type, entry.mode, entry.data, entry.linkpath)
    view.check_folders()
    return Archive(view.entries, view.findings)

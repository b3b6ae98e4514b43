"""Two tarballs compared entry by entry after the tar layer: path, type, mode, link target, bytes.

Both sides are read with the one tar reader (:func:`releasekit.review.tarstream.iter_entries`),
so the comparison sees what node-tar sees; the gzip layer is never compared (Node's zlib
and ours choose different matches for the same tar stream). Folder entries and the order
of entries are not compared: npm writes neither differently for the same files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from releasekit.review.archive import Archive, ArchiveEntry
from releasekit.review.diff import unified_patch
from releasekit.review.signals import is_binary
from releasekit.review.tarstream import iter_entries

Status = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class Entry:
    """One tar entry as compared: ``path`` without the top folder."""

    path: str
    type: str  # node-tar's type name: File, Link, SymbolicLink...
    mode: int
    linkpath: str
    data: bytes = field(repr=False)

    @property
    def sha512(self) -> str:
        return hashlib.sha512(self.data).hexdigest()

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "mode": f"{self.mode:04o}", "size": len(self.data)}
        if self.type in ("Link", "SymbolicLink"):
            out["linkpath"] = self.linkpath
        else:
            out["sha512"] = self.sha512
        return out


@dataclass(frozen=True)
class EntryDifference:
    """``added``: only in the staged tarball; ``removed``: only in the source; ``changed``: in both."""

    path: str
    status: Status
    aspects: tuple[str, ...]  # for "changed": which of type, mode, linkpath, content differ
    source: Entry | None
    staged: Entry | None
    patch: str | None = None  # unified diff of a text file, secret lines withheld
    build_output: bool = False  # the file was written by the build step

    def summary(self) -> str:
        if self.status == "added":
            return f"{self.path}: only in the staged tarball"
        if self.status == "removed":
            return f"{self.path}: missing from the staged tarball"
        parts = []
        for aspect in self.aspects:
            if aspect == "mode" and self.source and self.staged:
                parts.append(f"mode {self.source.mode:04o} -> {self.staged.mode:04o}")
            elif aspect == "type" and self.source and self.staged:
                parts.append(f"type {self.source.type} -> {self.staged.type}")
            else:
                parts.append(aspect)
        return f"{self.path}: {', '.join(parts)} differ{'s' if len(parts) == 1 else ''}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "status": self.status,
            "aspects": list(self.aspects),
            "summary": self.summary(),
            "source": self.source.describe() if self.source else None,
            "staged": self.staged.describe() if self.staged else None,
            "diff": self.patch,
            "buildOutput": self.build_output,
        }


def read_entries(tarball: bytes) -> tuple[dict[str, Entry], list[str]]:
    """Entries by path (top folder stripped), and the paths that occur more than once."""
    entries: dict[str, Entry] = {}
    repeated: list[str] = []
    for raw in iter_entries(tarball):
        if raw.type == "Directory":
            continue
        path = raw.path.split("/", 1)[1] if "/" in raw.path else raw.path
        linkpath = (
            raw.linkpath.split("/", 1)[1] if raw.type == "Link" and "/" in raw.linkpath else raw.linkpath
        )
        if path in entries:
            repeated.append(path)
        entries[path] = Entry(path, raw.type, raw.mode, linkpath, raw.data)
    return entries, repeated


def _aspects(source: Entry, staged: Entry) -> tuple[str, ...]:
    found = []
    if source.type != staged.type:
        found.append("type")
    if source.mode != staged.mode:
        found.append("mode")
    if source.linkpath != staged.linkpath:
        found.append("linkpath")
    if source.data != staged.data:
        found.append("content")
    return tuple(found)


def compare_tarballs(
    source_tarball: bytes, staged_tarball: bytes, *, build_outputs: frozenset[str] = frozenset()
) -> list[EntryDifference]:
    """Every difference between the two tarballs, by path, without patches (see :func:`with_patches`).

    ``build_outputs`` names the package paths a build step wrote.
    """
    source, _ = read_entries(source_tarball)
    staged, repeated = read_entries(staged_tarball)
    differences: list[EntryDifference] = []
    for path in sorted(set(source) | set(staged)):
        before, after = source.get(path), staged.get(path)
        built = path in build_outputs
        if before is None and after is not None:
            differences.append(EntryDifference(path, "added", (), None, after, None, built))
        elif after is None and before is not None:
            differences.append(EntryDifference(path, "removed", (), before, None, None, built))
        elif before is not None and after is not None:
            aspects = _aspects(before, after)
            if path in repeated:
                aspects = (*aspects, "duplicate entry")
            if aspects:
                differences.append(EntryDifference(path, "changed", aspects, before, after, None, built))
    return differences


def needs_patch(difference: EntryDifference) -> bool:
    return difference.status == "added" or "content" in difference.aspects


def with_patches(
    differences: list[EntryDifference],
    hide_source: Mapping[str, Mapping[int, str]] | None = None,
    hide_staged: Mapping[str, Mapping[int, str]] | None = None,
) -> list[EntryDifference]:
    """The differences with a unified diff for each text file whose bytes differ.

    ``hide_source``/``hide_staged`` give, per file, the line numbers to withhold
    (lines a secret scan flagged) and why.
    """
    out = []
    for d in differences:
        patch = None
        if needs_patch(d):
            patch = _patch(
                d.source, d.staged, d.path, (hide_source or {}).get(d.path), (hide_staged or {}).get(d.path)
            )
        out.append(replace(d, patch=patch))
    return out


def _as_archive(entry: Entry | None, path: str) -> Archive:
    entries = {path: ArchiveEntry(path, entry.mode, entry.data)} if entry is not None else {}
    return Archive(entries, [])


def _patch(
    before: Entry | None,
    after: Entry | None,
    path: str,
    hide_old: Mapping[int, str] | None,
    hide_new: Mapping[int, str] | None,
) -> str | None:
    data = (before.data if before else b"") + (after.data if after else b"")
    if is_binary(path, data) or any(e is not None and e.type != "File" for e in (before, after)):
        return None  # binaries and links are reported by their hashes and targets
    return unified_patch(
        _as_archive(before, path),
        _as_archive(after, path),
        path,
        hide_old=hide_old,
        hide_new=hide_new,
    )

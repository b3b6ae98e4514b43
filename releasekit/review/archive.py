"""Read an npm tarball in memory, never extracting it, and report hostile entries.

A small tar reader of our own rather than :mod:`tarfile`: it never follows a
link, never touches the disk, bounds every header and the total decompressed
size, and turns each suspicious entry into a finding (the classes of node-tar's
advisories: traversal, absolute paths, links, duplicates, case or Unicode
collisions, oversized headers and folder depth) instead of trusting it.
"""

from __future__ import annotations

import posixpath
import unicodedata
import zlib
from dataclasses import dataclass, field

from releasekit.errors import PackError
from releasekit.package.model import PackedFile
from releasekit.policy.findings import Finding, Severity

BLOCK = 512
MAX_DECOMPRESSED = 1 << 30  # 1 GiB: refuse gzip bombs
MAX_LONG_HEADER = 64 * 1024  # pax / GNU long-name records
MAX_PATH_BYTES = 4096
MAX_DEPTH = 64  # node-tar CVE-2024-28863: deep folders exhaust the extractor

REGULAR_TYPES = {b"0", b"\0", b"7", b""}
LINK_TYPES = {b"1": "hardlink", b"2": "symlink"}
SPECIAL_TYPES = {b"3": "character device", b"4": "block device", b"6": "fifo"}


@dataclass(frozen=True)
class ArchiveEntry:
    path: str  # with the top folder ("package/") stripped, as npm installs it
    mode: int
    data: bytes = field(repr=False)


@dataclass
class Archive:
    entries: dict[str, ArchiveEntry]
    findings: list[Finding]

    @property
    def hostile(self) -> bool:
        return bool(self.findings)

    def packed_files(self) -> tuple[PackedFile, ...]:
        """The entries as the ``package`` fixture's files."""
        return tuple(PackedFile(e.path, len(e.data), e.mode, e.data) for e in self.entries.values())


def _decompress(blob: bytes) -> bytes:
    if blob[:2] != b"\x1f\x8b":
        return blob  # plain tar
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(blob, MAX_DECOMPRESSED + 1)
    except zlib.error as exc:
        raise PackError(f"tarball is not valid gzip: {exc}") from exc
    if len(out) > MAX_DECOMPRESSED or inflater.unconsumed_tail:
        raise PackError(f"tarball expands past {MAX_DECOMPRESSED >> 20} MiB; refusing to read it")
    return out


def _field(header: bytes, start: int, length: int) -> bytes:
    return header[start : start + length].split(b"\0", 1)[0]


def _octal(raw: bytes) -> int:
    raw = raw.strip(b" \0")
    if not raw:
        return 0
    if raw[0] & 0x80:  # GNU base-256
        value = raw[0] & 0x7F
        for byte in raw[1:]:
            value = (value << 8) | byte
        return value
    try:
        return int(raw, 8)
    except ValueError as exc:
        raise PackError(f"tar header has a bad number field {raw!r}") from exc


def _checksum_ok(header: bytes) -> bool:
    stored = _octal(header[148:156])
    computed = sum(header[:148]) + 8 * 32 + sum(header[156:])
    return stored == computed


def _pax_records(data: bytes) -> dict[str, str]:
    records: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        space = data.find(b" ", pos)
        if space < 0:
            break
        try:
            length = int(data[pos:space])
        except ValueError:
            break
        if length <= 0:
            break
        record = data[space + 1 : pos + length - 1]
        key, _, value = record.partition(b"=")
        records[key.decode("utf-8", "replace")] = value.decode("utf-8", "replace")
        pos += length
    return records


def _strip_top(path: str) -> str:
    """npm installs ``package/x`` as ``x``: drop the first folder, whatever its name."""
    parts = path.split("/", 1)
    return parts[1] if len(parts) == 2 else ""


def _hostile_path(raw: str) -> str | None:
    """Why ``raw`` would escape or confuse an extractor, or ``None``."""
    unified = raw.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        return "absolute path"
    if ".." in unified.split("/"):
        return "path traversal ('..')"
    if "\\" in raw:
        return "backslash in path (a separator on Windows)"
    if "\0" in raw:
        return "NUL byte in path"
    return None


def read_archive(blob: bytes) -> Archive:
    """Read every entry of ``blob`` (a .tgz or .tar) into memory with findings for hostile ones."""
    tar = _decompress(blob)
    entries: dict[str, ArchiveEntry] = {}
    findings: list[Finding] = []
    seen_exact: set[str] = set()
    seen_folded: dict[str, str] = {}
    pending_long: dict[str, str] = {}
    global_pax: dict[str, str] = {}

    def flag(rule: str, path: str, message: str) -> None:
        findings.append(Finding(f"tar-{rule}", message, file=path or None, severity=Severity.ERROR))

    pos = 0
    while pos + BLOCK <= len(tar):
        header = tar[pos : pos + BLOCK]
        if header == b"\0" * BLOCK:
            break
        if not _checksum_ok(header):
            flag("corrupt-header", "", f"tar header at byte {pos} has a bad checksum; reading stopped")
            break
        size = _octal(header[124:136])
        typeflag = header[156:157]
        data_start = pos + BLOCK
        data_end = data_start + size
        pos = data_start + ((size + BLOCK - 1) // BLOCK) * BLOCK
        if data_end > len(tar):
            flag("truncated", "", "tar entry runs past the end of the archive")
            break
        if typeflag in (b"x", b"g", b"L", b"K"):
            if size > MAX_LONG_HEADER:
                flag("oversized-header", "", f"{typeflag.decode()} header of {size} bytes (limit {MAX_LONG_HEADER})")
                continue
            body = tar[data_start:data_end]
            if typeflag == b"x":
                pending_long.update(_pax_records(body))
            elif typeflag == b"g":
                global_pax.update(_pax_records(body))
            elif typeflag == b"L":
                pending_long["path"] = body.rstrip(b"\0").decode("utf-8", "replace")
            else:
                pending_long["linkpath"] = body.rstrip(b"\0").decode("utf-8", "replace")
            continue

        name = _field(header, 0, 100)
        prefix = _field(header, 345, 155) if header[257:263] in (b"ustar\0", b"ustar ") else b""
        raw_path = (prefix + b"/" + name if prefix else name).decode("utf-8", "replace")
        attrs = {**global_pax, **pending_long}
        pending_long = {}
        raw_path = attrs.get("path", raw_path)
        link_target = attrs.get("linkpath", _field(header, 157, 100).decode("utf-8", "replace"))
        mode = _octal(header[100:108]) & 0o7777

        if len(raw_path.encode()) > MAX_PATH_BYTES:
            flag("oversized-header", raw_path[:80] + "...", f"path of {len(raw_path.encode())} bytes")
            continue
        reason = _hostile_path(raw_path)
        if reason:
            flag("unsafe-path", raw_path, f"{reason}: {raw_path!r}")
            continue
        path = _strip_top(posixpath.normpath(raw_path) if raw_path not in ("", ".") else "")
        if raw_path.endswith("/") or typeflag == b"5":
            continue  # folders carry nothing to review
        if path.count("/") + 1 > MAX_DEPTH:
            flag("deep-path", path[:80] + "...", f"path {path.count('/') + 1} folders deep (limit {MAX_DEPTH})")
            continue
        if typeflag in LINK_TYPES:
            flag(LINK_TYPES[typeflag], path, f"{LINK_TYPES[typeflag]} entry -> {link_target!r}; not followed")
            continue
        if typeflag in SPECIAL_TYPES:
            flag("special-file", path, f"{SPECIAL_TYPES[typeflag]} entry")
            continue
        if typeflag not in REGULAR_TYPES:
            flag("unknown-entry", path, f"entry of unknown type {typeflag!r}")
            continue
        if not path:
            flag("unsafe-path", raw_path, f"entry without a file name: {raw_path!r}")
            continue
        if path in seen_exact:
            flag("duplicate", path, "duplicate entry; an extractor keeps only one of them")
            continue
        folded = unicodedata.normalize("NFC", path).casefold()
        if folded in seen_folded:
            other = seen_folded[folded]
            kind = "Unicode normalization" if unicodedata.normalize("NFC", path) == unicodedata.normalize("NFC", other) else "case"
            flag(
                "name-collision",
                path,
                f"differs from {other!r} only by {kind}; they collide on case-insensitive or normalizing file systems",
            )
            continue
        seen_exact.add(path)
        seen_folded[folded] = path
        entries[path] = ArchiveEntry(path, mode, tar[data_start:data_end])
    return Archive(entries, findings)

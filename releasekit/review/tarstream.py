"""Stream a tarball's entries exactly as node-tar's parser (npm's extractor) sees them.

Decompression and block parsing only; :mod:`releasekit.review.archive` turns the
entries into what ``npm install`` puts on disk. The rule is "node-tar's reading,
or a refusal": every input is either read with node-tar's semantics (facts taken
from node-tar 7.5's ``header.js``, ``pax.js``, ``parse.js`` and
``read-entry.js``) or refused with one :class:`~releasekit.errors.PackError`
line. Where node-tar's result depends on things we cannot see (how its input was
chunked) or on lenient parsing we do not copy (garbage after a NUL, ``+0x10``
in a number), we refuse instead of guessing.

What is reproduced: gzip or plain tar; one zero block skipped, two end the
archive; ustar names with the POSIX prefix (only under the ``ustar\\x0000``
magic, as node-tar); octal and base-256 numbers; pax extended headers (``x``
and ``X``: ``path``, ``linkpath``, ``size`` honoured, other keys read and
ignored, records accumulate until the next entry); global headers (``g``: a
``path`` is ignored as node-tar ignores it); GNU long names and links (``L``,
``N``, ``K``); a ``0`` entry whose name ends in ``/`` is a folder.

What is refused: concatenated gzip members, bytes after the gzip stream, zstd,
truncated input or a partial last block, a bad checksum, malformed numbers or
pax records, bytes after a field's NUL, names that are not UTF-8, data after the
end-of-archive marker, a folder with a body, a header node-tar would skip (no
path, a link without a target, a non-link with one), a global ``size`` or
``linkpath``, a file given a link target by a pax or GNU header (npm vets it),
a pax or GNU header after a pending pax size (node-tar applies the size to that
header), non-ASCII GNU long names and non-ASCII pax paths unlike the header's
(node-tar decodes those bodies chunk by chunk), vendor and unknown entry types,
and the resource caps below, checked while streaming so a bomb costs only what
was read before the cap.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from releasekit.errors import PackError

BLOCK = 512
READ_CHUNK = 64 * 1024
MAX_DECOMPRESSED = 512 * 1024 * 1024  # the tar stream, headers included
MAX_RATIO = 1000  # node-tar aborts past 1000x (parse.js MAX_DECOMPRESSION_RATIO)
MAX_ENTRIES = 100_000  # like the packer's DEFAULT_MAX_ENTRIES
MAX_META_SIZE = 64 * 1024  # one pax / GNU long-name body (node-tar ignores bodies past 1 MiB)
NODE_MAX_META_SIZE = 1024 * 1024  # parse.js maxMetaEntrySize
MAX_META_RUN = 16  # meta headers in a row before an entry; real tools write at most three
MAX_SAFE_INTEGER = (1 << 53) - 1  # node-tar throws past JavaScript's safe integers

FILE_TYPES = {"0": "File", "7": "ContiguousFile"}  # "\0" reads as "0"
LINK_TYPES = {"1": "Link", "2": "SymbolicLink"}
OTHER_FS_TYPES = {"3": "CharacterDevice", "4": "BlockDevice", "5": "Directory", "6": "FIFO"}
META_TYPES = {
    "x": "ExtendedHeader",
    "X": "OldExtendedHeader",
    "g": "GlobalExtendedHeader",
    "L": "NextFileHasLongPath",
    "N": "OldGnuLongPath",
    "K": "NextFileHasLongLinkpath",
}
TYPE_NAMES = {**FILE_TYPES, **LINK_TYPES, **OTHER_FS_TYPES, **META_TYPES}

_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_OCTAL_FIELD = re.compile(rb" *([0-7]+)[ \0][ \0]*|\0*")  # digits and a terminator, or empty
_CHECKSUM_FIELD = re.compile(rb" *([0-7]+)[ \0][ \0]*")
_FIELDS = struct.Struct("100s8s8s8s12s12s8s1s100s8s")  # name .. magic
_LENIENT = ((108, 8, "uid"), (116, 8, "gid"), (136, 12, "mtime"))
_LENIENT_USTAR = ((329, 8, "devmajor"), (337, 8, "devminor"))
_LENIENT_TIMES = ((476, 12, "atime"), (488, 12, "ctime"))
_DECIMAL = re.compile(r"(0|[1-9][0-9]*)\Z")
_ZERO_BLOCK = bytes(BLOCK)


@dataclass(frozen=True)
class TarEntry:
    """One entry as node-tar's ``ReadEntry`` reports it (path with its top folder, not yet stripped)."""

    path: str
    type: str  # node-tar's type name: File, Directory, SymbolicLink...
    mode: int  # header mode & 0o7777; 0 when the field is empty
    size: int
    linkpath: str
    data: bytes = field(repr=False)  # the body for files; empty for everything else


def _amount(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 else f"{n} bytes"


def refuse(message: str) -> PackError:
    return PackError(f"tarball refused: {message}")


class _Inflow:
    """Decompressed bytes of a .tgz or .tar, capped while streaming."""

    def __init__(self, source: bytes | BinaryIO, max_size: int) -> None:
        self._source = source
        self._offset = 0
        self.max_size = max_size
        self.compressed = 0
        self.produced = 0
        self._gzip: zlib._Decompress | None = None
        self._pending = b""  # compressed input not yet fed (an output limit was hit)
        self._started = False
        self._plain = False

    def _read_raw(self, n: int) -> bytes:
        if isinstance(self._source, bytes):
            chunk = self._source[self._offset : self._offset + n]
            self._offset += len(chunk)
            return chunk
        return self._source.read(n)

    def _start(self) -> bytes:
        head = self._read_raw(READ_CHUNK)
        while len(head) < len(_ZSTD_MAGIC):
            more = self._read_raw(READ_CHUNK)
            if not more:
                break
            head += more
        if len(head) < len(_ZSTD_MAGIC):
            raise PackError(f"not an npm tarball (only {len(head)} bytes)")
        if head.startswith(_ZSTD_MAGIC):
            raise refuse("zstd-compressed; only gzip and plain tar are read")
        if head.startswith(_GZIP_MAGIC):
            self._gzip = zlib.decompressobj(16 + zlib.MAX_WBITS)
            return head
        self._plain = True
        return head

    def read(self) -> bytes:
        """The next piece of the tar stream; ``b""`` at its end."""
        if not self._started:
            self._started = True
            self._pending = self._start()
            self.compressed = len(self._pending)
        if self._plain:
            out = self._pending or self._read_raw(READ_CHUNK)
            self._pending = b""
        else:
            out = self._inflate()
        self.produced += len(out)
        if self.produced > self.max_size:
            raise refuse(f"expands past {_amount(self.max_size)}")
        if self._gzip is not None and self.produced > MAX_RATIO * max(self.compressed, 1):
            raise refuse(f"expands more than {MAX_RATIO}x (node-tar aborts such a stream too)")
        return out

    def _inflate(self) -> bytes:
        gz = self._gzip
        assert gz is not None
        while True:
            if gz.eof:
                if gz.unused_data or self._pending or self._read_raw(1):
                    raise refuse(
                        "bytes after the end of the gzip stream (a second gzip member or trailing data)"
                    )
                return b""
            if not self._pending:
                self._pending = self._read_raw(READ_CHUNK)
                self.compressed += len(self._pending)
                if not self._pending:
                    raise refuse("the gzip stream is truncated")
            try:
                out = gz.decompress(self._pending, READ_CHUNK)
            except zlib.error as exc:
                raise refuse(f"not valid gzip ({exc})") from None
            self._pending = gz.unconsumed_tail
            if out:
                return out


def _number(block: bytes, start: int, width: int, here: int, what: str) -> int | None:
    """node-tar's decNumber for a field that matters (mode, size): canonical octal, base-256, or a refusal."""
    match = _OCTAL_FIELD.fullmatch(block, start, start + width)
    if match is not None:
        digits = match.group(1)
        return int(digits, 8) if digits else None  # an empty field: node-tar's undefined
    value = _base256(block[start : start + width], here, what)
    if value < 0:
        raise refuse(f"header at byte {here}: {what}: negative number")
    return value


def _base256(raw: bytes, here: int, what: str) -> int:
    """A GNU base-256 number; node-tar throws (and skips the header) on any other high-bit field."""
    if raw[0] not in (0x80, 0xFF):
        if raw[0] & 0x80:
            raise refuse(
                f"header at byte {here}: {what}: invalid base-256 number (node-tar skips the header)"
            )
        raise refuse(f"header at byte {here}: {what}: malformed octal number {raw!r}")
    value = int.from_bytes(raw[1:], "big") if raw[0] == 0x80 else int.from_bytes(raw, "big", signed=True)
    if abs(value) > MAX_SAFE_INTEGER - 4096:
        raise refuse(f"header at byte {here}: {what}: base-256 number past 2**53")
    return value


def _check_lenient(block: bytes, fields: tuple[tuple[int, int, str], ...], here: int) -> None:
    """Fields npm installs nothing from (owner, times, devices): node-tar parses them, and throws only on base-256."""
    for start, width, what in fields:
        if block[start] & 0x80:
            _base256(block[start : start + width], here, what)


def _string(block: bytes, start: int, width: int, here: int, what: str) -> str:
    return _decoded(block[start : start + width].rstrip(b"\0"), here, what)


def _checksum(block: bytes, here: int) -> None:
    """node-tar reads the field as octal text and compares it with the unsigned byte sum."""
    match = _CHECKSUM_FIELD.fullmatch(block, 148, 156)
    if match is None:
        raise refuse(f"header at byte {here}: malformed checksum field {block[148:156]!r}")
    if int(match.group(1), 8) != 8 * 0x20 + sum(block[:148]) + sum(block[156:]):
        raise refuse(f"header at byte {here} has a bad checksum (node-tar skips it and reads on)")


def _decoded(text: bytes, here: int, what: str) -> str:
    """node-tar's decString for a canonical field stripped of its trailing NULs: no NUL left; strict UTF-8."""
    if b"\0" in text:
        raise refuse(f"header at byte {here}: {what}: bytes after the terminating NUL")
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        raise refuse(f"header at byte {here}: {what}: not valid UTF-8") from None


def _parse_header(block: bytes, here: int) -> tuple[str, str, int, int, str, str, str]:
    """type code, type name, mode, size, name, link target and prefix of a non-zero header block.

    One ``struct`` split and one regex per number: this runs once per entry, a
    million times in an entry bomb.
    """
    name_f, mode_f, uid_f, gid_f, size_f, mtime_f, sum_f, type_f, link_f, magic = _FIELDS.unpack_from(block)
    code = "0" if type_f == b"\0" else type_f.decode("latin-1")
    name = TYPE_NAMES.get(code)
    if name is None:
        raise refuse(f"entry at byte {here}: unsupported type {type_f!r} (node-tar skips it)")
    match = _CHECKSUM_FIELD.fullmatch(sum_f)
    if match is None or int(match.group(1), 8) != sum(block) - sum(sum_f) + 8 * 0x20:
        if not here:
            raise PackError("not an npm tarball (no tar header at its start)")
        _checksum(block, here)  # raises with the reason
    match = _OCTAL_FIELD.fullmatch(mode_f)
    mode = (int(match.group(1) or b"0", 8) if match else _number(block, 100, 8, here, "mode")) or 0
    match = _OCTAL_FIELD.fullmatch(size_f)
    size = (int(match.group(1) or b"0", 8) if match else _number(block, 124, 12, here, "size")) or 0
    if (uid_f[0] | gid_f[0] | mtime_f[0]) & 0x80:
        _check_lenient(block, _LENIENT, here)
    name_field = _decoded(name_f.rstrip(b"\0"), here, "name")
    linkpath = _decoded(link_f.rstrip(b"\0"), here, "linkname") if link_f[0] or link_f[99] else ""
    if not linkpath and link_f.strip(b"\0"):
        raise refuse(f"header at byte {here}: linkname: bytes after the terminating NUL")
    prefix = ""
    if magic == b"ustar\x0000":  # node-tar reads the prefix only under the POSIX magic
        if (block[329] | block[337]) & 0x80:
            _check_lenient(block, _LENIENT_USTAR, here)
        if block[475] != 0:
            prefix = _string(block, 345, 155, here, "prefix")
            if not prefix:
                raise refuse(f"header at byte {here}: empty prefix with a non-empty tail")
        elif block[345]:
            prefix = _string(block, 345, 130, here, "prefix")
        elif block[346:475].strip(b"\0"):
            raise refuse(f"header at byte {here}: prefix: bytes after the terminating NUL")
        if block[475] == 0 and (block[476] | block[488]) & 0x80:
            _check_lenient(block, _LENIENT_TIMES, here)
    return code, name, mode, size, name_field, linkpath, prefix


def _is_ascii(text: str) -> bool:
    return text.isascii()


class _Pax:
    """The pending extended attributes (node-tar's EX) or the global ones (GEX)."""

    def __init__(self) -> None:
        self.path: str | None = None
        self.linkpath: str | None = None
        self.size: int | None = None
        self.fragile_path = (
            False  # a non-ASCII pax path: node-tar may drop it if its body was chunked mid-character
        )

    def merge_records(self, body: bytes, *, global_: bool) -> None:
        kind = "global pax header" if global_ else "pax header"
        pos = 0
        while pos < len(body):
            space = body.find(b" ", pos, pos + 21)
            if space < 0:
                raise refuse(f"{kind}: malformed record")
            digits = body[pos:space].decode("ascii", "replace")
            if not _DECIMAL.match(digits):
                raise refuse(f"{kind}: malformed record length {digits!r}")
            end = pos + int(digits)
            if end > len(body) or end <= space + 1 or body[end - 1 : end] != b"\n":
                raise refuse(f"{kind}: record length does not match its record")
            record = body[space + 1 : end - 1]
            pos = end
            key_raw, eq, value_raw = record.partition(b"=")
            if not eq or not key_raw or b"\n" in record or b"\0" in record:
                raise refuse(f"{kind}: malformed record")
            try:
                key, value = key_raw.decode("utf-8"), value_raw.decode("utf-8")
            except UnicodeDecodeError:
                raise refuse(f"{kind}: record is not valid UTF-8") from None
            if key == "path":
                if not value:
                    raise refuse(f"{kind}: empty path")
                if not global_:  # node-tar ignores a global path
                    fragile = not _is_ascii(record.decode("utf-8"))
                    if fragile and self.path is not None:
                        raise refuse(f"{kind}: non-ASCII path overriding an earlier one")
                    self.path, self.fragile_path = value, fragile
            elif key == "linkpath":
                if global_:  # unlike a global path, node-tar gives it to every entry, files included
                    raise refuse("global pax header sets linkpath (node-tar applies it to every later entry)")
                if not value:
                    raise refuse(f"{kind}: empty linkpath")
                if not _is_ascii(record.decode("utf-8")):
                    raise refuse(f"{kind}: non-ASCII linkpath")
                self.linkpath = value
            elif key == "size":
                if global_:
                    raise refuse("global pax header sets size (node-tar applies it to every later entry)")
                if not _DECIMAL.match(value) or int(value) > MAX_SAFE_INTEGER:
                    raise refuse(f"{kind}: malformed size {value!r}")
                if not _is_ascii(record.decode("utf-8")):
                    raise refuse(f"{kind}: non-ASCII size")
                self.size = int(value)
            # every other key (mtime, uid, uname, comment, SCHILY.*, mode, type...) changes
            # nothing npm installs: node-tar ignores mode and type, pacote ignores owners and times


def iter_entries(
    source: bytes | BinaryIO, *, max_size: int = MAX_DECOMPRESSED, max_entries: int = MAX_ENTRIES
) -> Iterator[TarEntry]:
    """Every entry node-tar's parser emits, in order; :class:`PackError` for anything we do not read exactly."""
    inflow = _Inflow(source, max_size)
    buf = bytearray()

    def fill(n: int) -> bool:
        while len(buf) < n:
            piece = inflow.read()
            if not piece:
                return False
            buf.extend(piece)
        return len(buf) >= n

    def take(n: int, keep: int | None = None) -> bytes:
        """The next ``n`` bytes, of which the first ``keep`` are returned (one copy, however large)."""
        if not fill(n):
            raise refuse(f"truncated: an entry needs {n} bytes, only {len(buf)} remain")
        out = bytes(buf[: n if keep is None else keep])
        del buf[:n]
        return out

    ex = _Pax()  # node-tar's EX: pending extended attributes for the next entry
    ex_used = False
    saw_null = False
    entries = 0
    headers = 0
    meta_run = 0
    offset = 0
    while True:
        if not fill(BLOCK):
            if buf and not offset:
                raise PackError(f"not an npm tarball ({len(buf)} bytes, less than one tar block)")
            if buf:
                raise refuse(f"{len(buf)} stray bytes at the end (not a whole 512-byte block)")
            break  # input ended on a block boundary: node-tar ends there too
        block = take(BLOCK)
        here = offset
        offset += BLOCK
        if block == _ZERO_BLOCK:
            if saw_null:
                _drain_after_end(inflow, buf)
                break
            saw_null = True
            continue
        saw_null = False
        code, name, mode, ustar_size, name_field, linkpath, prefix = _parse_header(block, here)
        headers += 1
        fs_type = code not in META_TYPES
        header_path = f"{prefix}/{name_field}" if prefix else name_field

        if not fs_type:
            if not header_path:
                raise refuse(f"header at byte {here}: no path (node-tar skips it)")
            if linkpath and code not in ("x", "g"):
                raise refuse(f"header at byte {here}: {name} with a link target (node-tar skips it)")
            if (
                ex.size is not None
                and (  # node-tar's ReadEntry takes the pending pax size for this header too
                    (ex.size == 0 and ustar_size)  # its body is then parsed as headers
                    or ex.size > NODE_MAX_META_SIZE  # ignored
                    or (not ustar_size and code in ("L", "N", "K"))  # read as an empty name
                )
            ):
                raise refuse(
                    f"{name} header at byte {here} after a pax size of {ex.size} (node-tar applies it here)"
                )
            meta_run += 1
            if meta_run > MAX_META_RUN:
                raise refuse(f"more than {MAX_META_RUN} pax / GNU headers in a row")
            if ustar_size > MAX_META_SIZE:
                raise refuse(f"{name} header of {ustar_size} bytes (limit {MAX_META_SIZE})")
            body = take(-(-ustar_size // BLOCK) * BLOCK, ustar_size)
            offset += -(-ustar_size // BLOCK) * BLOCK
            if not body:
                continue  # node-tar does nothing with an empty meta body
            ex_used = True
            if code in ("x", "X"):
                ex.merge_records(body, global_=False)
            elif code == "g":
                _Pax().merge_records(body, global_=True)
            else:
                value, nul, rest = body.partition(b"\0")
                if nul and rest.strip(b"\0"):
                    raise refuse(f"{name} body: bytes after the terminating NUL")
                if not value or not value.isascii():
                    raise refuse(f"{name} body: empty or non-ASCII (node-tar decodes it chunk by chunk)")
                if code == "K":
                    ex.linkpath = value.decode("ascii")
                else:
                    ex.path, ex.fragile_path = value.decode("ascii"), False
            continue

        meta_run = 0
        entries += 1
        if entries > max_entries:
            raise refuse(f"more than {max_entries} entries")
        path = ex.path if ex.path is not None else name_field
        if ex.fragile_path and ex.path != header_path:
            raise refuse(f"entry at byte {here}: non-ASCII pax path differs from its header's path")
        size = ex.size if ex.size is not None else ustar_size
        if code == "0" and path.endswith("/"):
            code, name = "5", "Directory"
        if code == "7" and path.endswith("/"):
            raise refuse(f"contiguous-file entry at byte {here} named like a folder")
        if code == "5" and size:
            raise refuse(
                f"folder entry at byte {here} declares {size} bytes (node-tar reads them as headers)"
            )
        if not header_path and ex.path is None:
            raise refuse(f"entry at byte {here} has no path (node-tar skips it)")
        if code in LINK_TYPES and not linkpath:
            raise refuse(f"link at byte {here} without a target in its header (node-tar skips it)")
        if code not in LINK_TYPES and linkpath:
            raise refuse(f"{name} at byte {here} with a link target (node-tar skips its header only)")
        if (
            ex.linkpath is not None and code in FILE_TYPES
        ):  # npm's unpack vets it: a '..' target skips the file
            raise refuse(f"file entry at byte {here} with a link target from a pax or GNU header")
        path = ex.path if ex.path is not None else header_path
        link_target = ex.linkpath if ex.linkpath is not None else linkpath
        if ex_used:
            ex, ex_used = _Pax(), False
        padded = -(-size // BLOCK) * BLOCK
        if size > inflow.max_size:
            raise refuse(f"an entry of {size} bytes expands past {_amount(inflow.max_size)}")
        if not padded:
            data = b""
        elif code in FILE_TYPES:
            data = take(padded, size)
        else:
            for step in range(0, padded, READ_CHUNK):  # skipped in pieces: a huge body costs no memory
                take(min(READ_CHUNK, padded - step))
            data = b""
        offset += padded
        yield TarEntry(path, name, mode & 0o7777, size, link_target, data)

    if not offset or not headers:  # parse.js warns "Unrecognized archive format", and pacote fails
        raise PackError("not an npm tarball (no tar entries in it)")


def _drain_after_end(inflow: _Inflow, buf: bytearray) -> None:
    """After the end-of-archive marker node-tar reads nothing: refuse anything there but zero padding."""
    while True:
        if buf.strip(b"\0"):
            raise refuse("data after the end-of-archive marker")
        buf.clear()
        piece = inflow.read()
        if not piece:
            return
        buf.extend(piece)

"""Write the package tarball the way npm (node-tar in "portable" mode) does.

Every entry sits under ``package/``; a hard link to an earlier entry is a
link entry (type 1, no data) naming it, as node-tar writes one; headers are ustar with node-tar's number
formatting, uid/gid/uname/gname left empty, and npm's fixed mtime
(1985-10-26T08:15:00Z). Paths that do not fit ustar get a pax header first,
as node-tar writes it. The stream ends with two zero blocks and is gzipped at
level 9 with mtime 0 and the OS byte 0xff, like minizlib's portable gzip.

The tar stream is byte-identical to npm's. The gzip bytes are not: Node's
(Chromium) zlib chooses different matches, so only the compressed layer
differs; the unpacked contents are the same.
"""

from __future__ import annotations

import posixpath
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future

from releasekit.errors import PackError
from releasekit.package.model import PackedFile

NPM_MTIME = 499162500  # 1985-10-26T08:15:00Z, npm's date for every entry
PREFIX = "package/"
BLOCK = 512
_PATH_SIZE = 100
_PREFIX_SIZE = 155
_ZEROS = bytes(BLOCK)


def _octal(value: int, size: int) -> bytes:
    """node-tar's number field: zero-padded octal, a space, then NUL (no space if it is full)."""
    digits = format(value, "o")
    if len(digits) == size - 1:
        return (digits + "\0").encode("ascii")
    if len(digits) > size - 1:
        raise PackError(f"value {value} does not fit a {size}-byte tar field")
    return ("0" * (size - len(digits) - 2) + digits + " \0").encode("ascii")


def _put_string(buf: bytearray, offset: int, size: int, text: str) -> bool:
    """Write UTF-8 ``text`` NUL-padded; True if it needed a pax record (too long or non-ASCII)."""
    data = text.encode("utf-8")
    if len(data) > size:
        cut = data[:size]
        while cut:
            try:
                cut.decode("utf-8")
                break
            except UnicodeDecodeError:
                cut = cut[:-1]
        data = cut
    buf[offset : offset + len(data)] = data
    return len(text) != len(text.encode("utf-8")) or len(text) > size


def _dirname(path: str) -> str:
    return posixpath.dirname(path) or "."


def _split_prefix(path: str) -> tuple[str, str, bool]:
    """node-tar's split of a long path into ustar ``name`` and ``prefix``."""
    size = len(path.encode("utf-8"))
    if size < _PATH_SIZE:
        return path, "", False
    prefix, name = _dirname(path), posixpath.basename(path)
    while True:
        name_len, prefix_len = len(name.encode("utf-8")), len(prefix.encode("utf-8"))
        if name_len <= _PATH_SIZE and prefix_len <= _PREFIX_SIZE:
            return name, prefix, False
        if name_len > _PATH_SIZE and prefix_len <= _PREFIX_SIZE:
            return name[: _PATH_SIZE - 1], prefix, True
        name = posixpath.join(posixpath.basename(prefix), name)
        prefix = _dirname(prefix)
        if prefix == ".":
            return path[: _PATH_SIZE - 1], "", True


def _header(path: str, mode: int, size: int, typeflag: bytes, linkpath: str = "") -> tuple[bytearray, bool]:
    buf = bytearray(BLOCK)
    name, prefix, need_pax = _split_prefix(path)
    need_pax = _put_string(buf, 0, _PATH_SIZE, name) or need_pax
    buf[100:108] = _octal(mode, 8)
    buf[124:136] = _octal(size, 12)
    buf[136:148] = _octal(NPM_MTIME, 12)
    buf[156:157] = typeflag
    need_pax = _put_string(buf, 157, _PATH_SIZE, linkpath) or need_pax
    buf[257:265] = b"ustar\x0000"
    buf[329:337] = _octal(0, 8)  # devmajor/devminor: node-tar writes zeros
    buf[337:345] = _octal(0, 8)
    need_pax = _put_string(buf, 345, _PREFIX_SIZE, prefix) or need_pax
    checksum = sum(buf[:148]) + 8 * 0x20 + sum(buf[156:])
    buf[148:156] = _octal(checksum, 8)
    return buf, need_pax


def _pax_record(key: str, value: str) -> str:
    line = f" {key}={value}\n"
    length = len(line.encode("utf-8"))
    digits = len(str(length))
    if length + digits >= 10**digits:
        digits += 1
    return f"{length + digits}{line}"


def _pax(path: str, size: int, linkpath: str = "") -> bytes:
    # node-tar's record order: path, linkpath, mtime, size
    records = _pax_record("path", path) + (_pax_record("linkpath", linkpath) if linkpath else "")
    body = (records + _pax_record("mtime", str(NPM_MTIME)) + _pax_record("size", str(size))).encode()
    name = ("PaxHeader/" + posixpath.basename(path))[:99]
    header, _ = _header(name, 0o644, len(body), b"x")
    return bytes(header) + _pad(body)


def _pad(data: bytes) -> bytes:
    rest = len(data) % BLOCK
    return data + b"\0" * (BLOCK - rest) if rest else data


def tar_stream(files: Iterable[PackedFile]) -> Iterator[bytes]:
    """The uncompressed tar, in chunks, for ``files`` in the given order."""
    for f in files:
        path = PREFIX + f.path
        if f.linkpath is not None:  # a hard link: no bytes of its own
            linkpath = PREFIX + f.linkpath
            header, need_pax = _header(path, f.mode, 0, b"1", linkpath)
            if need_pax:
                yield _pax(path, 0, linkpath)
            yield bytes(header)
            continue
        header, need_pax = _header(path, f.mode, f.size, b"0")
        if need_pax:
            yield _pax(path, f.size)
        yield bytes(header)
        yield f.data
        if f.size % BLOCK:
            yield _ZEROS[: BLOCK - f.size % BLOCK]
    yield b"\0" * (2 * BLOCK)


def build_tarball(files: Iterable[PackedFile], max_size: int | None = None) -> bytes:
    """The gzipped tarball npm would write; PackError past ``max_size`` compressed bytes."""
    # zlib-ng, bundled in its wheel: the same deflate on every machine (system
    # zlibs differ), and about twice as fast as zlib at npm's level 9
    from zlib_ng import zlib_ng

    compressor = zlib_ng.compressobj(9, zlib_ng.DEFLATED, 31, 8, zlib_ng.Z_DEFAULT_STRATEGY)
    out: list[bytes] = []
    written = 0
    for chunk in tar_stream(files):
        piece = compressor.compress(chunk)
        if piece:
            out.append(piece)
            written += len(piece)
            if max_size is not None and written > max_size:
                raise PackError(f"the tarball is larger than the {max_size}-byte limit (pack.max_size)")
    out.append(compressor.flush())
    # "unknown OS" in the gzip header, as minizlib's portable mode writes
    joined = b"".join(out)
    data = joined[:9] + b"\xff" + joined[10:]
    if max_size is not None and len(data) > max_size:
        raise PackError(f"the tarball is {len(data)} bytes, over the {max_size}-byte limit (pack.max_size)")
    return data


def build_tarball_in_background(files: Sequence[PackedFile], max_size: int | None = None) -> Future[bytes]:
    """:func:`build_tarball` on a thread: deflate releases the GIL, so the secret scan
    and the policies, which read the files and not the gzip bytes, run meanwhile.

    A :class:`PackError` (the size limit) is raised by ``result()``.
    """
    future: Future[bytes] = Future()
    future.set_running_or_notify_cancel()

    def run() -> None:
        try:
            future.set_result(build_tarball(files, max_size))
        except BaseException as exc:  # handed to whoever waits for the bytes
            future.set_exception(exc)

    threading.Thread(target=run, name="releasekit-gzip", daemon=True).start()
    return future

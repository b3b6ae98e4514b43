"""Tar streams from their parts, byte by byte: headers, bodies, pax records, GNU long names, gzip members.

Written by hand rather than with :mod:`tarfile` so a test can put any byte anywhere:
a bad checksum, a base-256 size, a prefix under a GNU magic, a second gzip member.
"""

from __future__ import annotations

import gzip

BLOCK = 512
USTAR = b"ustar\x0000"
GNU = b"ustar  \x00"


def octal(value: int, width: int) -> bytes:
    return f"{value:0{width - 1}o}".encode() + b"\0"


def base256(value: int, width: int) -> bytes:
    return (b"\x80" if value >= 0 else b"\xff") + (value % (1 << (8 * (width - 1)))).to_bytes(
        width - 1, "big"
    )


def header(
    name: str | bytes,
    *,
    type: bytes = b"0",
    size: int | bytes = 0,
    mode: int | bytes = 0o644,
    linkname: str | bytes = b"",
    prefix: str | bytes = b"",
    magic: bytes = USTAR,
    checksum: int | bytes | None = None,
    mtime: int | bytes = 0,
) -> bytes:
    def text(value: str | bytes, width: int) -> bytes:
        raw = value.encode() if isinstance(value, str) else value
        return raw[:width].ljust(width, b"\0")

    def number(value: int | bytes, width: int) -> bytes:
        return value[:width].ljust(width, b"\0") if isinstance(value, bytes) else octal(value, width)

    block = bytearray(BLOCK)
    block[0:100] = text(name, 100)
    block[100:108] = number(mode, 8)
    block[108:116] = octal(0, 8)
    block[116:124] = octal(0, 8)
    block[124:136] = number(size, 12)
    block[136:148] = number(mtime, 12)
    block[148:156] = b" " * 8
    block[156:157] = type[:1].ljust(1, b"\0")
    block[157:257] = text(linkname, 100)
    block[257:265] = magic
    block[345:500] = text(prefix, 155)  # under another magic node-tar must ignore these bytes
    if checksum is None:
        block[148:156] = octal(sum(block), 7) + b" "
    elif isinstance(checksum, int):
        block[148:156] = octal(checksum, 7) + b" "
    else:
        block[148:156] = checksum[:8].ljust(8, b"\0")
    return bytes(block)


def pad(data: bytes) -> bytes:
    return data + bytes(-len(data) % BLOCK)


def entry(name: str | bytes, data: bytes = b"", **fields: object) -> bytes:
    fields.setdefault("size", len(data))
    return header(name, **fields) + pad(data)  # type: ignore[arg-type]


def record(key: str, value: str | bytes) -> bytes:
    body = key.encode() + b"=" + (value.encode() if isinstance(value, str) else value) + b"\n"
    length = len(body) + 2
    while len(str(length).encode()) + 1 + len(body) != length:
        length += 1
    return str(length).encode() + b" " + body


def pax(
    records: list[tuple[str, str | bytes]] | bytes, *, global_: bool = False, name: str = "PaxHeader/x"
) -> bytes:
    body = records if isinstance(records, bytes) else b"".join(record(k, v) for k, v in records)
    return entry(name, body, type=b"g" if global_ else b"x")


def gnu_long(kind: bytes, value: str | bytes) -> bytes:
    raw = (value.encode() if isinstance(value, str) else value) + b"\0"
    return entry("././@LongLink", raw, type=kind, magic=GNU)


def end(blocks: int = 2) -> bytes:
    return bytes(BLOCK * blocks)


def gz(tar: bytes) -> bytes:
    return gzip.compress(tar, compresslevel=6, mtime=0)


def package(files: dict[str, bytes] | None = None, *, top: str = "package") -> bytes:
    """A well-formed npm tarball stream (uncompressed) holding ``files``."""
    files = {"package.json": b'{"name":"x","version":"1.0.0"}', **(files or {})}
    return b"".join(entry(f"{top}/{p}", d) for p, d in files.items()) + end()

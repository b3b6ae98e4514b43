"""Read a file only if it is a regular file: never block on a FIFO, never read a device.

A project folder is input like any other: a FIFO named ``.npmignore``,
``.npmrc`` or ``package.json`` would make a plain ``open()`` wait forever for a
writer, and a device could be endless. :func:`read_regular` checks the kind of
file first (``stat``, links followed as npm follows them), opens with
``O_NONBLOCK`` so that a file swapped for a FIFO in between cannot block either,
and checks again on the open descriptor. Anything but a regular file raises
:class:`NotRegularFile`, an ``OSError`` so that callers' existing "cannot read"
handling names it; a folder raises ``IsADirectoryError`` as ``open()`` would.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

__all__ = ["NotRegularFile", "kind_of", "read_regular", "read_regular_text"]

_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
)


class NotRegularFile(OSError):
    """The path is a FIFO, socket or device: it is not read."""

    def __str__(self) -> str:  # callers name the path themselves: say only what is wrong
        return str(self.strerror)


def kind_of(mode: int) -> str:
    """``"a FIFO"``, ``"a socket"``... for a ``st_mode`` that is not a regular file."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _refuse(path: Path, mode: int) -> OSError:
    if stat.S_ISDIR(mode):
        return IsADirectoryError(errno.EISDIR, "is a folder", str(path))
    return NotRegularFile(errno.EINVAL, f"not a regular file ({kind_of(mode)}); not opened", str(path))


def read_regular(path: Path | str) -> bytes:
    """The bytes of the regular file at ``path``; :class:`NotRegularFile` for anything else."""
    path = Path(path)
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise _refuse(path, mode)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):  # replaced between the stat and the open
            raise _refuse(path, mode)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(fd)


def read_regular_text(path: Path | str, encoding: str = "utf-8", errors: str = "strict") -> str:
    """:func:`read_regular`, decoded with universal newlines (``Path.read_text`` semantics, but never blocking)."""
    text = read_regular(path).decode(encoding, errors)
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text

"""Report formats: the console summary, and files for CI (JSON, JUnit XML, SARIF).

A file format is a :class:`ReportFormat` offered by a plugin through the
``releasekit_report_formats`` hook; the built-in ones are offered by
:mod:`releasekit.policy.reports.formats` the same way. Files are written
atomically and every text passes through secret redaction.
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from releasekit.atomicfile import write_atomic
from releasekit.errors import StorageError
from releasekit.redaction import redact

if TYPE_CHECKING:
    from releasekit.policy.result import SessionResult


@dataclass(frozen=True)
class ReportFormat:
    """A named file format: ``render`` turns a run's result into the file's text."""

    name: str
    render: Callable[[SessionResult], str]
    description: str = ""


def write_report(path: Path, text: str) -> None:
    """Write ``text`` (redacted) to ``path`` atomically; devices and pipes are written into."""
    data = redact(text).encode("utf-8")
    path = Path(path)
    if _is_special(path):
        _write_through(path, data)
        return
    write_atomic(path, data, what="the report")


def _is_special(path: Path) -> bool:
    """Whether ``path`` is an existing device, pipe or socket (``/dev/stdout``, ``/dev/null``, a FIFO).

    Those are written into, never replaced: renaming a temp file over
    ``/dev/null`` would turn the device into a plain file.
    """
    try:
        mode = path.stat().st_mode  # follows symlinks: /dev/stdout -> /proc/self/fd/1
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _write_through(path: Path, data: bytes) -> None:
    try:
        with open(path, "wb") as handle:
            handle.write(data)
            handle.flush()
    except OSError as exc:
        raise StorageError(f"cannot write {path}: {exc.strerror or exc}") from None

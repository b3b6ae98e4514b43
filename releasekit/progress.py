"""Progress of long work (packing, scanning, running policies), told to a callback.

The library never draws anything: a command takes a ``progress`` callback and the
work inside it calls :func:`report`, which hands a :class:`ProgressEvent` to the
callback of the innermost :func:`reporting` block (a context variable, so that the
secret scan deep inside a fixture reports to whoever started the command). The CLI
turns the events into a progress display on a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

PACK = "pack"
SCAN = "scan"
POLICIES = "policies"


@dataclass(frozen=True)
class ProgressEvent:
    """``done`` of ``total`` ``unit`` (files, bytes, policies) of one task."""

    task: str
    done: int
    total: int
    unit: str


ProgressCallback = Callable[[ProgressEvent], None]

_current: ContextVar[ProgressCallback | None] = ContextVar("releasekit_progress", default=None)


@contextmanager
def reporting(callback: ProgressCallback | None) -> Iterator[None]:
    """Send the events reported inside the block to ``callback`` (``None``: keep the outer one)."""
    if callback is None:
        yield
        return
    token = _current.set(callback)
    try:
        yield
    finally:
        _current.reset(token)


def report(task: str, done: int, total: int, unit: str) -> None:
    callback = _current.get()
    if callback is not None:
        callback(ProgressEvent(task, done, total, unit))

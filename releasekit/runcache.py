"""Answers that stay the same for one batch run, computed once per batch.

A recursive stage checks dozens of packages in one process; each would
otherwise walk the whole workspace, scan the installed plugins' metadata and
compile the same policy files again. Outside :func:`batch` nothing is kept,
so a long-lived process (a test session) always sees the files as they are.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_memo: dict[Hashable, Any] | None = None
_depth = 0


@contextmanager
def batch() -> Iterator[None]:
    """Keep memoized answers until the outermost ``batch()`` ends."""
    global _memo, _depth
    with _lock:
        _depth += 1
        if _memo is None:
            _memo = {}
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _memo = None


def memo(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or inside a batch the answer it gave for ``key`` before."""
    store = _memo
    if store is None:
        return compute()
    try:
        return store[key]  # type: ignore[no-any-return]
    except KeyError:
        value = compute()
        store[key] = value
        return value

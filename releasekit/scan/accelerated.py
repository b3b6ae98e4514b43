"""Every prefilter core of a scan plan matched in one pass over a file, by Hyperscan.

:func:`releasekit.scan.prefilter.candidate_lines` runs each core as its own Python
regex over the whole text: about forty passes, most of the scan's time on a large
bundle. Hyperscan (Intel's multi-pattern regex engine, an optional dependency with
wheels for the common platforms) runs all of them in one pass over the UTF-8 bytes and
reports where each matched; the lines found are the same, so the scan's findings are.

It is used only where its matching is provably the regex engine's:

- the patterns are ASCII and scanned as bytes without Hyperscan's UTF-8 or Unicode
  modes, so ``\\d`` is ``[0-9]`` and ``CASELESS`` folds ASCII letters only. A text with
  a digit other than 0-9 (Python's ``\\d`` matches it) or one of the four non-ASCII
  characters :func:`~releasekit.scan.prefilter.fold` maps onto an ASCII letter takes
  the regex path instead;
- a core's ``check`` is written into its pattern (:attr:`Core.accelerated`); a core
  with a check but no such pattern keeps the plan on the regex path;
- a match never holds a newline and ends on an ASCII byte, so the offset of its last
  byte names its line in the text.

Building the database costs about 50 ms of CPU, on a thread (:func:`prepare`); the
scanner asks for it only when there is enough text to win it back. Until it is ready
:func:`core_hits` answers ``None`` and the regex path runs.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from releasekit.scan.prefilter import Core

# The cores of a plan's plugins, in plugin order (engine's ``_Loaded.cores``).
Plan = Sequence[tuple["Core", ...] | None]

# What keeps a non-ASCII text on the regex path: a digit Python's \d matches besides
# 0-9, or a letter fold() maps onto an ASCII one (İ ı ſ K).
_OTHER_DIGIT = re.compile(r"[^\D0-9]")


@functools.cache
def _folded_onto_ascii() -> re.Pattern[str]:
    from releasekit.scan.prefilter import _FOLDS  # (prefilter imports this module)

    return re.compile("[" + "".join(_FOLDS) + "]")


# (expressions, their ids, their flags): what hs_compile_multi takes.
Spec = tuple[list[bytes], list[int], list[int]]


class _Build:
    """One database (a plan's cores, or the token formats), compiled on a thread:
    Hyperscan's compiler releases the GIL, so the scan goes on meanwhile (on its regex
    path) and switches once it is ready."""

    def __init__(self, key: object, spec: Spec | None) -> None:
        self.key = key  # held so that its id is never reused
        self.database: Any = None
        self.ready = threading.Event()
        if spec is None:
            self.ready.set()
        else:
            threading.Thread(
                target=self._compile, args=spec, name="releasekit-hyperscan", daemon=True
            ).start()

    def _compile(self, expressions: list[bytes], ids: list[int], flags: list[int]) -> None:
        import hyperscan

        try:
            database = hyperscan.Database()
            database.compile(expressions=expressions, ids=ids, elements=len(expressions), flags=flags)
            self.database = database
        except hyperscan.error:
            pass  # a pattern Hyperscan does not support: the regex path
        finally:
            self.ready.set()


# id(plan or patterns) -> its build. Keyed by identity: the engine keeps one cores list per plan for
# the life of the process, and hashing forty cores for each of a thousand small files
# would cost more than it saves.
_builds: dict[int, _Build] = {}


def available() -> bool:
    """Whether Hyperscan can be imported here and is not switched off.

    ``RELEASEKIT_HYPERSCAN=0`` switches it off (the regex path, for comparison).
    """
    if os.environ.get("RELEASEKIT_HYPERSCAN") == "0":
        return False
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return False
    return True


def _expressions(plan: Plan) -> Spec | None:
    import hyperscan

    expressions: list[bytes] = []
    ids: list[int] = []
    flags: list[int] = []
    for index, cores in enumerate(plan):
        if cores is None:
            return None  # a plugin scanned on every line: candidate_lines' slow path
        for core in cores:
            source = core.accelerated or (core.pattern.pattern if core.check is None else None)
            if source is None or not source.isascii():
                return None
            expressions.append(source.encode("ascii"))
            ids.append(index)
            flags.append(hyperscan.HS_FLAG_CASELESS if core.folded else 0)
    return expressions, ids, flags


def prepare(plan: Plan, *, wait: bool = True) -> bool:
    """Start building (once per process) the database of ``plan``'s cores.

    ``wait``: until it is built (a process about to fork waits, so that its children
    inherit it). Returns whether it is ready; ``False`` too if it cannot be built.
    """
    return _prepare(plan, _expressions, wait)


def _prepare(key: Any, spec: Callable[[Any], Spec | None], wait: bool) -> bool:
    build = _builds.get(id(key))
    if build is None:
        if not available():
            return False
        build = _builds[id(key)] = _Build(key, spec(key))
    if wait:
        build.ready.wait()
    return build.ready.is_set() and build.database is not None


def _database(key: Any) -> Any:
    """The built database for ``key``, or ``None`` (not asked for, not ready, not buildable)."""
    build = _builds.get(id(key))
    if build is None or not build.ready.is_set():
        return None
    return build.database


def core_hits(text: str, plan: Plan) -> list[tuple[int, int]] | None:
    """(offset in ``text``, plugin index) of a character of each core match, or ``None``.

    ``None``: no database was prepared for ``plan``, or ``text`` must take the regex path.
    """
    database = _database(plan)
    if database is None:
        return None
    ascii_text = text.isascii()
    if not ascii_text and (_OTHER_DIGIT.search(text) or _folded_onto_ascii().search(text)):
        return None
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, from a parsed config file
        return None
    found: list[tuple[int, int]] = []

    def on_match(index: int, start: int, end: int, flags: int, context: Any) -> None:
        found.append((end - 1, index))

    database.scan(data, match_event_handler=on_match)
    if ascii_text or not found:
        return found
    return _to_text_offsets(data, found)


def _to_text_offsets(data: bytes, found: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Byte offsets of ASCII bytes turned into offsets of characters, in one walk."""
    out = []
    at_byte = at_char = 0
    for offset, index in sorted(found):
        at_char += len(data[at_byte:offset].decode("utf-8"))
        at_byte = offset
        out.append((at_char, index))
    return out


# A pattern Hyperscan's prefilter mode widens soundly on UTF-8 bytes: ASCII, without
# classes that mean more than ASCII in a str pattern (\d \w \s) or "." (any character).
_UNICODE_AWARE = re.compile(r"\\[dwsDWS]|(?<!\\)\.")


def _format_spec(patterns: Sequence[re.Pattern[str]]) -> Spec | None:
    import hyperscan

    expressions = []
    for pattern in patterns:
        if (
            pattern.flags & re.IGNORECASE
            or not pattern.pattern.isascii()
            or _UNICODE_AWARE.search(pattern.pattern)
        ):
            return None
        expressions.append(pattern.pattern.encode("ascii"))
    # PREFILTER: may match more than the pattern (its lookaheads dropped), never less
    flag = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_SINGLEMATCH
    return expressions, list(range(len(expressions))), [flag] * len(expressions)


def prepare_formats(patterns: Sequence[re.Pattern[str]], *, wait: bool = True) -> bool:
    """Start building the database that tells which of ``patterns`` can match a text
    (releasekit's token formats: a module constant, kept for the life of the process)."""
    return _prepare(patterns, _format_spec, wait)


def formats_present(text: str, patterns: Sequence[re.Pattern[str]]) -> set[int] | None:
    """Indexes of the ``patterns`` that may match in ``text`` (a superset), in one pass;
    ``None`` when no database is ready (try them all)."""
    database = _database(patterns)
    if database is None:
        return None
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    found: set[int] = set()

    def on_match(index: int, start: int, end: int, flags: int, context: Any) -> None:
        found.add(index)

    database.scan(data, match_event_handler=on_match)
    return found

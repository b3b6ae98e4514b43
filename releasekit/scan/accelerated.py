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

Building the database costs about 50 ms, so the scanner asks for it (:func:`prepare`)
only when there is enough text to win it back; until then :func:`core_hits` answers
``None`` and the regex path runs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from releasekit.scan.prefilter import Core

# The cores of a plan's plugins, in plugin order (engine's ``_Loaded.cores``).
Plan = Sequence[tuple["Core", ...] | None]

# What keeps a non-ASCII text on the regex path: a digit Python's \d matches besides
# 0-9, or a letter fold() maps onto an ASCII one (İ ı ſ K).
_OTHER_DIGIT = re.compile(r"[^\D0-9]")
_FOLDED_ONTO_ASCII = re.compile("[\u0130\u0131\u017f\u212a]")

# id(plan) -> (plan, its database or None). Keyed by identity: the engine keeps one
# cores list per plan for the life of the process, and hashing forty cores for each
# of a thousand small files would cost more than it saves. The plan is held so that
# its id is never reused.
_databases: dict[int, tuple[Plan, Any]] = {}


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


def _expressions(plan: Plan) -> tuple[list[bytes], list[int], list[int]] | None:
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


def prepare(plan: Plan) -> bool:
    """Build (once per process) the database of ``plan``'s cores; ``False`` if it cannot be."""
    if id(plan) in _databases:
        return _databases[id(plan)][1] is not None
    if not available():
        return False
    import hyperscan

    database = None
    spec = _expressions(plan)
    if spec is not None:
        expressions, ids, flags = spec
        database = hyperscan.Database()
        try:
            database.compile(expressions=expressions, ids=ids, elements=len(expressions), flags=flags)
        except hyperscan.error:
            database = None  # a pattern Hyperscan does not support: the regex path
    _databases[id(plan)] = (plan, database)
    return database is not None


def core_hits(text: str, plan: Plan) -> list[tuple[int, int]] | None:
    """(offset in ``text``, plugin index) of a character of each core match, or ``None``.

    ``None``: no database was prepared for ``plan``, or ``text`` must take the regex path.
    """
    entry = _databases.get(id(plan))
    if entry is None or entry[1] is None:
        return None
    database = entry[1]
    ascii_text = text.isascii()
    if not ascii_text and (_OTHER_DIGIT.search(text) or _FOLDED_ONTO_ASCII.search(text)):
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

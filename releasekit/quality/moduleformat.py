"""Which module system a JavaScript file is written in, read from its text as publint reads it.

publint (the reference package linter) does not parse JavaScript: it strips
comments and looks for ESM syntax (``import``/``export``/``import.meta``) and
CommonJS syntax (``module.exports``, ``exports.x``, ``require(``...). A file
with both is "mixed", with neither "unknown"; both verdicts are never reported.
The patterns follow JavaScript regular-expression semantics (ASCII ``\\w`` and
``\\b``, Unicode ``\\s``, ``^`` after any line terminator) so the verdicts match.

How Node *interprets* a file is a separate question: ``.mjs`` is ESM, ``.cjs``
is CommonJS, anything else follows ``"type"`` of the nearest ``package.json``.
"""

from __future__ import annotations

import functools
import re
from typing import Literal

CodeFormat = Literal["ESM", "CJS", "mixed", "unknown"]
PathFormat = Literal["ESM", "CJS"]

_WS_CHARS = "\\t\\n\\v\\f\\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_WS = f"[{_WS_CHARS}]"  # JavaScript's \\s
_LINE_START = "(?:(?<=[\\n\\r\u2028\u2029])|\\A)"  # JavaScript's ^ with the m flag
_NOT_NEWLINE = "[^\\n\\r\u2028\u2029]"  # JavaScript's . without the s flag

_ESM = re.compile(
    rf"(?:{_WS}|;|{_LINE_START})(?:import[\w,{{}}*{_WS_CHARS}]*from|import{_WS}*['\"*{{]"
    rf"|export\b{_WS}*(?:[*{{]|default|type|function|const|var|let|async function)|import\.meta\b)",
    re.ASCII,
)
_CJS = re.compile(
    rf"(?:{_WS}|;|{_LINE_START})(?:module{_NOT_NEWLINE}exports\b|exports\.\w|require{_WS}*\(|global\.\w"
    rf"|Object\.(?:defineProperty|defineProperties|assign){_WS}*\({_WS}*exports\b)",
    re.ASCII,
)
_BLOCK_COMMENT = re.compile("/\\*[^\u2028\u2029]*?\\*/")
_LINE_COMMENT = re.compile(f"//{_NOT_NEWLINE}*")
_ES_MODULE_FLAG = re.compile(
    rf"exports\.__esModule{_WS}*={_WS}*true|Object\.defineProperty{_WS}*\({_WS}*exports{_WS}*,{_WS}*[\"']__esModule[\"']"
    rf"{_WS}*,{_WS}*\{{{_WS}*value{_WS}*:{_WS}*true{_WS}*\}}",
    re.ASCII,
)
_EXPORTS_DEFAULT = re.compile(
    rf"exports(?:\.default|\[\"default\"\]|\['default'\]){_WS}*={_WS}*([^{_WS_CHARS}]{{7}}{_NOT_NEWLINE})"
)
_FLOW = re.compile(f"{_LINE_START}{_WS}*(?://|/\\*\\*?|\\*){_WS}*@flow")

LINTABLE_SUFFIXES = (".js", ".mjs", ".cjs")


def decode(data: bytes) -> str:
    """Bytes as a JavaScript tool reads them: UTF-8 with replacement characters, the BOM dropped."""
    return data.decode("utf-8", errors="replace").removeprefix("\ufeff")


@functools.lru_cache(maxsize=4)
def strip_comments(code: str) -> str:
    return _LINE_COMMENT.sub("", _BLOCK_COMMENT.sub("", code))


_FLAG_KEY = "__esModule"
_DEFINE_PROPERTY = "Object.defineProperty"


def _has_esmodule_flag(code: str) -> bool:
    """``_ES_MODULE_FLAG.search(code)``, tried only where a match can start.

    Every match holds ``__esModule``: eight characters after its start
    (``exports.__esModule``), or after the last ``Object.defineProperty`` before it,
    with no other ``__esModule`` between. The regex tries every ``e`` and ``O`` of a
    bundle; this tries two places per ``__esModule``.
    """
    searched_to = 0
    at = code.find(_FLAG_KEY)
    while at >= 0:
        if at >= 8 and _ES_MODULE_FLAG.match(code, at - 8):
            return True
        start = code.rfind(_DEFINE_PROPERTY, searched_to, at)
        if start >= 0 and _ES_MODULE_FLAG.match(code, start):
            return True
        searched_to = at
        at = code.find(_FLAG_KEY, at + 1)
    return False


# The shape rules ask about the same few entry files several times (main, module,
# each export condition); on a 9 MB bundle each answer costs a tenth of a second.
@functools.lru_cache(maxsize=8)
def code_format(code: str) -> CodeFormat:
    """The module syntax ``code`` is written in."""
    code = strip_comments(code)
    esm, cjs = bool(_ESM.search(code)), bool(_CJS.search(code))
    if esm and cjs:
        return "mixed"  # both cannot be valid at once: a regex verdict would be a guess
    return "ESM" if esm else "CJS" if cjs else "unknown"


@functools.lru_cache(maxsize=8)
def has_esmodule_and_exports_default(code: str) -> bool:
    """CommonJS built from ESM that sets ``exports.default``: ``import x from`` gets the whole object in Node."""
    code = strip_comments(code)
    if not _has_esmodule_flag(code):
        return False
    for match in _EXPORTS_DEFAULT.finditer(code):
        value = match.group(1).rstrip()
        if value in ("exports", "exports;") or value.startswith("{"):
            continue
        return True
    return False


def is_lintable_path(path: str) -> bool:
    return path.endswith(LINTABLE_SUFFIXES)


def is_flow(code: str) -> bool:
    """Flow sources (an ``@flow`` comment) are not JavaScript a linter can judge."""
    # The regex tries its line-start alternation at every offset: on a 9 MB bundle the
    # substring test, which any match needs, is a hundred times cheaper.
    return "@flow" in code and bool(_FLOW.search(code))

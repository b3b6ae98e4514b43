"""Shipped JavaScript: which files are code, whether they carry source maps, and dynamic code.

``eval`` and the ``Function`` constructor turn strings into code at run time:
they defeat Content-Security-Policy, bundlers' analysis and code review. The
scan skips comments and string literals so documentation that *mentions*
``eval(`` is not a finding; it does not parse regular-expression literals,
which rarely contain the words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from releasekit.package.model import PackedFile, PackedPackage

JS_SUFFIXES = (".js", ".mjs", ".cjs")
_SOURCE_MAP_COMMENT = re.compile(rb"^\s*//[#@] sourceMappingURL=\S+", re.MULTILINE)

_SCAN = re.compile(
    r"""
      //[^\n]*
    | /\*.*?(?:\*/|\Z)
    | "(?:\\.|[^"\\\n])*"
    | '(?:\\.|[^'\\\n])*'
    | `(?:\\.|[^`\\])*`
    | (?P<eval>(?<![\w$.])eval\s*\(|\(\s*0\s*,\s*eval\s*\))
    | (?P<function>(?<![\w$.])(?:new\s+)?Function\s*\()
    """,
    re.DOTALL | re.VERBOSE,
)


@dataclass(frozen=True)
class DynamicCode:
    path: str
    line: int
    kind: str  # "eval" or "new Function"

    def __str__(self) -> str:
        return f"{self.path}:{self.line} ({self.kind})"


def js_files(package: PackedPackage) -> list[PackedFile]:
    return [f for f in package.files if f.path.endswith(JS_SUFFIXES)]


def has_source_maps(package: PackedPackage) -> bool:
    """A ``.map`` file, or a ``sourceMappingURL`` comment (inline maps included)."""
    if any(f.path.endswith((".js.map", ".mjs.map", ".cjs.map")) for f in package.files):
        return True
    return any(_SOURCE_MAP_COMMENT.search(f.data) for f in js_files(package))


_CALL_AFTER = re.compile(r"\s*[()]")
_IDENTIFIER_CHAR = re.compile(r"[\w$.]")


def _maybe_dynamic(text: str) -> bool:
    """Whether ``eval``/``Function`` ever stands alone before a parenthesis (comments and strings included).

    A plain substring search runs at C speed; the full scan below tokenizes
    every string and comment, so it only runs on the rare files that need it.
    """
    for word in ("eval", "Function"):
        at = text.find(word)
        while at != -1:
            end = at + len(word)
            before = text[at - 1] if at else ""
            if not (before and _IDENTIFIER_CHAR.match(before)) and _CALL_AFTER.match(text, end):
                return True
            at = text.find(word, end)
    return False


def find_dynamic_code(text: str, path: str = "") -> Iterator[DynamicCode]:
    """``eval(...)`` and ``new Function(...)``/``Function(...)`` outside comments and strings."""
    if not _maybe_dynamic(text):
        return
    for match in _SCAN.finditer(text):
        kind = "eval" if match.group("eval") else "new Function" if match.group("function") else None
        if kind is not None:
            yield DynamicCode(path, text.count("\n", 0, match.start()) + 1, kind)


def dynamic_code(package: PackedPackage) -> list[DynamicCode]:
    found: list[DynamicCode] = []
    for file in js_files(package):
        found.extend(find_dynamic_code(file.data.decode("utf-8", errors="replace"), file.path))
    return found

"""Shipped JavaScript: which files are code, whether they carry source maps, and dynamic code.

``eval`` and the ``Function`` constructor turn strings into code at run time:
they defeat Content-Security-Policy, bundlers' analysis and code review. The
scan skips comments and string literals so documentation that *mentions*
``eval(`` is not a finding; it does not parse regular-expression literals,
which rarely contain the words.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from releasekit.package.model import PackedFile, PackedPackage

JS_SUFFIXES = (".js", ".mjs", ".cjs")
_SOURCE_MAP_COMMENT = re.compile(rb"^\s*//[#@] sourceMappingURL=(\S+)", re.MULTILINE)

_SCAN = re.compile(
    r"""
      //[^\n]*
    | /\*.*?(?:\*/|\Z)
    | "(?:\\.|[^"\\\n])*"
    | '(?:\\.|[^'\\\n])*'
    | `(?:\\.|[^`\\])*`
    | (?P<eval>(?<![\w$.])eval\s*\(|\(\s*0\s*,\s*eval\s*\))
    | (?P<new_function>(?<![\w$.])new\s+Function\s*\()
    | (?P<function>(?<![\w$.])Function\s*\()
    """,
    re.DOTALL | re.VERBOSE,
)


@dataclass(frozen=True)
class DynamicCode:
    path: str
    line: int
    kind: str  # "eval", "new Function" or "Function" (the constructor called without new)

    def __str__(self) -> str:
        return f"{self.path}:{self.line} ({self.kind})"


def js_files(package: PackedPackage) -> list[PackedFile]:
    return [f for f in package.files if f.path.endswith(JS_SUFFIXES)]


@dataclass(frozen=True)
class SourceMaps:
    """Which shipped JavaScript files have a source map, and which point at one that is not shipped."""

    mapped: list[str]
    missing: list[str]  # "file -> map" for each sourceMappingURL naming an absent file


def source_maps(package: PackedPackage) -> SourceMaps:
    """A file is mapped by an inline ``data:`` map, a ``sourceMappingURL`` naming a shipped file, or ``<file>.map``.

    Only the last ``sourceMappingURL`` comment counts, as in browsers and Node;
    a URL with a scheme (``https:``) cannot be checked from the tarball and is
    neither mapped nor missing.
    """
    mapped: list[str] = []
    missing: list[str] = []
    for file in js_files(package):
        found = last_source_map_url(file.data)
        url = found.decode("utf-8", errors="replace") if found is not None else None
        if url is None:
            if file.path + ".map" in package:
                mapped.append(file.path)
            continue
        if url.startswith("data:"):
            mapped.append(file.path)
            continue
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            continue
        target = posixpath.normpath(posixpath.join(posixpath.dirname(file.path), unquote(parts.path)))
        (mapped if target in package else missing).append(
            file.path if target in package else f"{file.path} -> {target}"
        )
    return SourceMaps(mapped, missing)


_URL_KEY = b"sourceMappingURL="
_BYTES_SPACE = frozenset(b" \t\n\r\x0b\x0c")  # what \s matches in a bytes pattern
_URL = re.compile(rb"\S+")


def last_source_map_url(data: bytes) -> bytes | None:
    r"""What the last match of ``_SOURCE_MAP_COMMENT`` captures, or ``None``.

    Found from the end with substring searches: the regex tries its line-start anchor
    at every line of a bundle. A match is ``//# `` or ``//@ `` before the key, with only
    whitespace between it and a line start (``\s*`` may cross blank lines), and a URL.
    """
    end = len(data)
    while (at := data.rfind(_URL_KEY, 0, end)) >= 0:
        end = at
        slashes = at - 4
        if slashes < 0 or data[slashes : slashes + 2] != b"//" or data[at - 2 : at] not in (b"# ", b"@ "):
            continue
        before = slashes  # walk back over the whitespace before the comment
        while before > 0 and data[before - 1] in _BYTES_SPACE:
            before -= 1
        if before > 0 and data.find(b"\n", before, slashes) < 0:
            continue
        url = _URL.match(data, at + len(_URL_KEY))
        if url is not None:
            return url.group()
    return None


_KINDS = {"eval": "eval", "new_function": "new Function", "function": "Function"}
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
    """``eval(...)``, ``new Function(...)`` and ``Function(...)`` outside comments and strings, each named as written."""
    if not _maybe_dynamic(text):
        return
    for match in _SCAN.finditer(text):
        kind = next((_KINDS[g] for g in _KINDS if match.group(g)), None)
        if kind is not None:
            yield DynamicCode(path, text.count("\n", 0, match.start()) + 1, kind)


def dynamic_code(package: PackedPackage) -> list[DynamicCode]:
    found: list[DynamicCode] = []
    for file in js_files(package):
        found.extend(find_dynamic_code(file.data.decode("utf-8", errors="replace"), file.path))
    return found

"""Keep tokens, OTPs, passwords and found secrets out of every output.

Code that learns a sensitive value registers it here (:func:`register_secret`):
tokens from every source, OTPs, passwords, and every secret the scan finds. The
output boundary passes everything through :func:`redact` (text),
:func:`redact_data` (a JSON document, before it is serialised) or
:mod:`releasekit.terminal` (rich renderables, before layout). Redaction runs
before any truncation: :func:`shorten` is the one way to cut a text short, so a
secret is never printed minus its last characters. Log records are redacted by
:class:`RedactingFilter`, which :func:`guard_logging` puts on every handler
that prints (``lpm`` calls it first thing).

Besides registered values, some shapes are masked unconditionally: npm and
GitHub tokens, ``_authToken=...``/``_auth=...``/``_password=...``, ``Bearer ...``
and URL userinfo (``https://user:pass@host`` shows as ``https://***@host``).
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

__all__ = [
    "MASK",
    "RedactingFilter",
    "forget_all",
    "guard_logger",
    "guard_logging",
    "matches",
    "redact",
    "redact_data",
    "register_secret",
    "shorten",
]

MASK = "***"
MIN_LENGTH = 4  # shorter values would mask ordinary words and numbers
_lock = threading.Lock()
_values: set[str] = set()
_pattern: re.Pattern[str] | None = None
_stale = False  # values were added since _pattern was compiled

# Shapes that must never be printed even if nobody registered them. ``keep`` is a
# prefix shown as is (the key, the scheme); the rest of the match is masked.
_TOKEN_SHAPES = re.compile(
    r"(?P<keep>_(?:authToken|auth|password)\s*=\s*)\S+"
    r"|(?P<keep2>\b[Bb]earer\s+)[A-Za-z0-9._~+/=-]{8,}"
    r"|\bnpm_[A-Za-z0-9]{36}\b"
    r"|\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b"
    # userinfo of a URL: scheme://user:pass@ or scheme://token@
    r"|(?P<keep3>\b[A-Za-z][A-Za-z0-9+.-]{0,30}://)[^\s/?#@\[\]]+@"
)


def register_secret(value: str | None) -> None:
    """Remember ``value`` so that every later output masks it."""
    global _stale
    if not value or len(value) < MIN_LENGTH:
        return
    with _lock:
        if value not in _values:
            _values.add(value)
            _stale = True  # compiled on the next redact: a scan registers thousands at once


def _trie_regex(values: set[str]) -> str:
    """One regex matching any of ``values``, longest first, factored by common prefix.

    A flat alternation is tried value by value at every position; a trie lets
    the engine follow one branch per character, so thousands of found secrets
    cost little more than a few.
    """
    trie: dict[str, Any] = {}
    for value in values:
        node = trie
        for char in value:
            node = node.setdefault(char, {})
        node[""] = {}  # the end of a value

    def run(char: str, child: dict[str, Any]) -> str:
        # Follow a chain of single children as one literal: a long secret is no deep recursion.
        literal = [char]
        while len(child) == 1 and "" not in child:
            ((char, child),) = child.items()
            literal.append(char)
        return re.escape("".join(literal)) + pattern(child)

    def pattern(node: dict[str, Any]) -> str:
        branches = [run(char, child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # A value ending here may also continue into a longer one: try the longer first.
        return f"(?:{body})?" if "" in node else body

    return pattern(trie)


def _compiled() -> re.Pattern[str] | None:
    global _pattern, _stale
    with _lock:
        if _stale:
            # A lookahead matches at every position, so secrets that overlap are all found.
            _pattern = re.compile("(?=(" + _trie_regex(_values) + "))") if _values else None
            _stale = False
        return _pattern


def matches(text: str) -> list[tuple[int, int, str]]:
    """Every span of ``text`` to mask, as ``(start, end, replacement)``, in order, never overlapping."""
    spans: list[tuple[int, int, str]] = []
    pattern = _compiled()
    if pattern is not None:
        spans += [(m.start(1), m.end(1), MASK) for m in pattern.finditer(text) if m.end(1) > m.start(1)]
    for m in _TOKEN_SHAPES.finditer(text):
        keep = m.group("keep") or m.group("keep2") or m.group("keep3") or ""
        suffix = "@" if m.group("keep3") else ""
        spans.append((m.start(), m.end(), keep + MASK + suffix))
    if not spans:
        return spans
    spans.sort(key=lambda s: (s[0], -s[1]))
    merged: list[tuple[int, int, str]] = []
    for start, end, repl in spans:
        if merged and start < merged[-1][1]:  # overlaps the previous span: mask both as one
            prev_start, prev_end, prev_repl = merged[-1]
            merged[-1] = (prev_start, max(end, prev_end), prev_repl if prev_end >= end else MASK)
        else:
            merged.append((start, end, repl))
    return merged


def redact(text: str) -> str:
    """``text`` with every registered value and every known token shape masked."""
    spans = matches(text)
    if not spans:
        return text
    out: list[str] = []
    last = 0
    for start, end, repl in spans:
        out += [text[last:start], repl]
        last = end
    out.append(text[last:])
    return "".join(out)


def redact_data(document: Any) -> Any:
    """A copy of a JSON-shaped document (dicts, lists, strings...) with every string redacted, keys too.

    Redact before serialising: once JSON-escaped (quotes, backslashes, non-ASCII),
    a secret no longer matches its registered value.
    """
    if isinstance(document, str):
        return redact(document)
    if isinstance(document, dict):
        return {redact_data(k): redact_data(v) for k, v in document.items()}
    if isinstance(document, list | tuple):
        return [redact_data(v) for v in document]
    return document


def shorten(text: str, limit: int, ellipsis: str = "...") -> str:
    """``text`` redacted, then cut to at most ``limit`` characters (never the other way round)."""
    text = redact(text)
    if len(text) <= limit:
        return text
    return text[: max(limit - len(ellipsis), 0)] + ellipsis


class RedactingFilter(logging.Filter):
    """A logging filter that redacts the formatted message of every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def guard_logger(name: str) -> logging.Logger:
    """``logging.getLogger(name)`` with :class:`RedactingFilter` on it (once)."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
    return logger


def guard_logging() -> None:
    """Redact every record that reaches the root logger's handlers or Python's last-resort stderr handler.

    Handler filters see records of every logger (third-party ones too), where a
    logger's own filter sees only records logged on it.
    """
    handlers = [*logging.getLogger().handlers, logging.lastResort]
    for handler in handlers:
        if handler is not None and not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def forget_all() -> None:
    """Drop registered values (tests only)."""
    global _pattern, _stale
    with _lock:
        _values.clear()
        _pattern, _stale = None, False

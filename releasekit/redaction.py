"""Keep tokens, OTPs and found secrets out of every output.

Code that learns a sensitive value registers it here; the CLI passes every
line it prints (text and JSON) through :func:`redact`. Exceptions are
redacted too, since their messages reach the console.
"""

from __future__ import annotations

import re
import threading

MASK = "***"
_lock = threading.Lock()
_values: set[str] = set()
_pattern: re.Pattern[str] | None = None

# Shapes that must never be printed even if nobody registered them.
_TOKEN_SHAPES = re.compile(
    r"(?P<key>_authToken\s*=\s*)\S+"
    r"|(?P<bearer>[Bb]earer\s+)[A-Za-z0-9._~+/=-]{8,}"
    r"|\bnpm_[A-Za-z0-9]{36}\b"
)


def register_secret(value: str | None) -> None:
    """Remember ``value`` so that :func:`redact` masks it from now on."""
    global _pattern
    if not value or len(value) < 4:
        return
    with _lock:
        if value in _values:
            return
        _values.add(value)
        ordered = sorted(_values, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(v) for v in ordered))


def redact(text: str) -> str:
    """Mask every registered value and every known token shape in ``text``."""
    if _pattern is not None:
        text = _pattern.sub(MASK, text)

    def _mask(match: re.Match[str]) -> str:
        prefix = match.group("key") or match.group("bearer") or ""
        return prefix + MASK

    return _TOKEN_SHAPES.sub(_mask, text)


def forget_all() -> None:
    """Drop registered values (tests only)."""
    global _pattern
    with _lock:
        _values.clear()
        _pattern = None

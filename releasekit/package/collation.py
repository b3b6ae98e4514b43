"""The string order npm uses when it sorts file names: ICU's ``localeCompare(..., "en")``.

npm-packlist sorts the file list (and so the tarball entries) with the ICU root
collation. Python has no ICU, so this models the parts that matter for file
names: punctuation before digits before letters, letters compared without case
first, accents at the secondary level, lowercase before uppercase last.
Characters outside Latin are ordered by code point after the Latin letters.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Printable ASCII in ICU root order (measured with Node 20's full ICU).
_ASCII_ORDER = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789"
_PRIMARY: dict[str, int] = {ch: i for i, ch in enumerate(_ASCII_ORDER)}
_LETTER_BASE = len(_ASCII_ORDER)
_OTHER_BASE = 0x1000


def _primary(ch: str) -> int | None:
    weight = _PRIMARY.get(ch)
    if weight is not None:
        return weight
    low = ch.lower()
    if "a" <= low <= "z" and len(low) == 1:
        return _LETTER_BASE + ord(low) - ord("a")
    if unicodedata.category(ch).startswith("C"):
        return None  # control characters are ignorable
    return _OTHER_BASE + ord(low[0])


# ASCII text in one translate() per level: printable characters to their weights,
# controls (ignorable, category Cc) deleted.
_ASCII_PRIMARY = {c: (chr(w) if (w := _primary(chr(c))) is not None else None) for c in range(128)}
_ASCII_TERTIARY = {
    c: (None if _ASCII_PRIMARY[c] is None else "\x01" if chr(c).isupper() else "\x00") for c in range(128)
}


@lru_cache(maxsize=65536)
def collation_key(
    text: str, *, numeric: bool = False, accents: bool = True
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """A sort key ordering strings as ICU's tertiary-strength ``en`` collation does.

    ``numeric`` orders digit runs by value (ICU's ``numeric: true``);
    ``accents=False`` ignores them (``sensitivity: "case"``).
    """
    if text.isascii() and not (numeric and any(d in text for d in "0123456789")):
        weights = tuple(map(ord, text.translate(_ASCII_PRIMARY)))
        return weights, (0,) * len(weights), tuple(map(ord, text.translate(_ASCII_TERTIARY)))
    return _general_key(text, numeric, accents)


def _general_key(
    text: str, numeric: bool, accents: bool
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    primary: list[int] = []
    secondary: list[int] = []
    tertiary: list[int] = []
    chars = unicodedata.normalize("NFD", text)
    i = 0
    while i < len(chars):
        ch = chars[i]
        i += 1
        if numeric and "0" <= ch <= "9":
            j = i
            while j < len(chars) and "0" <= chars[j] <= "9":
                j += 1
            digits = (ch + chars[i:j]).lstrip("0") or "0"
            i = j
            primary.extend([_PRIMARY["0"], len(digits), *(int(d) for d in digits)])
            secondary.append(0)
            tertiary.append(0)
            continue
        if unicodedata.combining(ch):
            if accents:
                secondary.append(ord(ch))
            continue
        weight = _primary(ch)
        if weight is None:
            continue
        primary.append(weight)
        secondary.append(0)
        tertiary.append(1 if ch != ch.lower() else 0)
    return tuple(primary), tuple(secondary), tuple(tertiary)

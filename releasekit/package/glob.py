"""Glob rules as npm's ignore files read them (minimatch with ``dot``, ``nocase``,
``matchBase`` and ``flipNegate``), including the ``partial`` mode used to decide
whether a directory may contain something that matches.

Written from minimatch's documented and observed behaviour: brace expansion,
``**`` segments, ``*``/``?``/``[...]``, extglobs, ``!`` negation, ``#`` comments.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any


class _Globstar:
    def __repr__(self) -> str:
        return "**"


GLOBSTAR = _Globstar()
Part = str | re.Pattern[str] | _Globstar
_MAX_GLOBSTAR_DEPTH = 200

# POSIX classes as minimatch reads them (Unicode-aware): the part that fits in
# a Python character class, and an alternative for what only \p{...} can say.
_POSIX_CLASSES: dict[str, tuple[str, str]] = {
    "alnum": ("", r"[^\W_]"),
    "alpha": ("", r"[^\W\d_]"),
    "ascii": ("\\x00-\\x7f", ""),
    "blank": (" \\t", ""),
    "cntrl": ("\\x00-\\x1f\\x7f", ""),
    "digit": ("", r"\d"),
    "graph": ("\\x21-\\x7e", ""),
    "lower": ("a-z", ""),
    "print": ("\\x20-\\x7e", ""),
    "punct": ("!-/:-@\\[-`{-~", ""),
    "space": ("", r"\s"),
    "upper": ("A-Z", ""),
    "word": ("", r"\w"),
    "xdigit": ("A-Fa-f0-9", ""),
}


# ---------------------------------------------------------------- braces
def _find_brace(text: str, start: int = 0) -> tuple[int, int] | None:
    """First balanced ``{...}`` at or after ``start``, ignoring escaped braces."""
    i = start
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth, j = 0, i
            while j < len(text):
                c = text[j]
                if c == "\\":
                    j += 2
                    continue
                if c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                    if depth == 0:
                        return i, j
                j += 1
            return None
        i += 1
    return None


def _split_top_commas(body: str) -> list[str]:
    parts, depth, cur, i = [], 0, [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            cur.append(body[i : i + 2])
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
            i += 1
            continue
        cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return parts


_SEQ = re.compile(r"^(-?\d+|[a-zA-Z])\.\.(-?\d+|[a-zA-Z])(?:\.\.(-?\d+))?$")


def _padded(text: str) -> bool:
    digits = text.lstrip("-")
    return len(digits) > 1 and digits.startswith("0")


def _sequence(body: str) -> list[str] | None:
    """``1..3``, ``01..10``, ``a..e`` and ``1..9..2`` ranges, or ``None``."""
    m = _SEQ.match(body)
    if not m:
        return None
    a, b, step_text = m.groups()
    step = abs(int(step_text)) if step_text else 1
    step = step or 1
    if a.isalpha() != b.isalpha():
        return None
    x, y = (ord(a), ord(b)) if a.isalpha() else (int(a), int(b))
    values = range(x, y + 1, step) if x <= y else range(x, y - 1, -step)
    if a.isalpha():
        return [chr(n) for n in values]
    width = max(len(a), len(b)) if _padded(a) or _padded(b) else 0
    return [str(n).zfill(width) for n in values]


def brace_expand(pattern: str, start: int = 0) -> list[str]:
    """Expand ``{a,b}`` and ``{1..3}`` as bash (and minimatch) do."""
    found = _find_brace(pattern, start)
    if found is None:
        return [pattern]
    i, j = found
    pre, body, post = pattern[:i], pattern[i + 1 : j], pattern[j + 1 :]
    seq = _sequence(body)
    options = _split_top_commas(body) if seq is None else seq
    if seq is None and len(options) < 2:
        # a lone {x} is literal; look for a later brace to expand
        return brace_expand(pattern, j + 1)
    out: list[str] = []
    tails = brace_expand(post)
    for opt in options:
        for expanded in brace_expand(opt) if seq is None else [opt]:
            for tail in tails:
                out.append(pre + expanded + tail)
    return out


# ---------------------------------------------------------------- one path segment
def _class(segment: str, i: int) -> tuple[str, int] | None:
    """Translate the bracket expression starting at ``segment[i] == '['``."""
    j = i + 1
    negate = False
    if j < len(segment) and segment[j] in "!^":
        negate, j = True, j + 1
    items: list[str] = []
    alternatives: list[str] = []
    first = True
    while j < len(segment):
        ch = segment[j]
        if ch == "]" and not first:
            body = "".join(items)
            if not body and not alternatives:
                return None
            if negate:
                guard = "(?!" + "|".join(alternatives) + ")" if alternatives else ""
                return "(?:" + guard + ("[^" + body + "]" if body else ".") + ")", j + 1
            options = (["[" + body + "]"] if body else []) + alternatives
            return "(?:" + "|".join(options) + ")", j + 1
        first = False
        if ch == "[" and segment.startswith("[:", j):
            end = segment.find(":]", j + 2)
            if end != -1 and segment[j + 2 : end] in _POSIX_CLASSES:
                inside, alternative = _POSIX_CLASSES[segment[j + 2 : end]]
                if inside:
                    items.append(inside)
                if alternative:
                    alternatives.append(alternative)
                j = end + 2
                continue
        if ch == "\\" and j + 1 < len(segment):
            items.append(re.escape(segment[j + 1]))
            j += 2
            continue
        if ch == "-" and items and j + 1 < len(segment) and segment[j + 1] != "]":
            items.append("-")
            j += 1
            continue
        items.append(re.escape(ch) if ch != "-" else "\\-")
        j += 1
    return None


def _translate(segment: str, i: int = 0, stop: str = "") -> tuple[str, int, bool]:
    """Regex source for ``segment[i:]`` up to an unnested char in ``stop``."""
    out: list[str] = []
    magic = False
    while i < len(segment):
        ch = segment[i]
        if ch in stop:
            break
        if ch == "\\":
            if i + 1 < len(segment):
                out.append(re.escape(segment[i + 1]))
                i += 2
            else:
                out.append(re.escape("\\"))
                i += 1
            continue
        if ch in "@!?+*" and i + 1 < len(segment) and segment[i + 1] == "(":
            alts: list[str] = []
            k = i + 2
            closed = False
            while k <= len(segment):
                src, k, _ = _translate(segment, k, "|)")
                alts.append(src)
                if k < len(segment) and segment[k] == "|":
                    k += 1
                    continue
                closed = k < len(segment) and segment[k] == ")"
                k += 1
                break
            if closed:
                group = "(?:" + "|".join(alts) + ")"
                out.append(
                    {"@": group, "?": group + "?", "+": group + "+", "*": group + "*"}.get(
                        ch, "(?:(?!" + group + ")[^/]*?)"
                    )
                )
                magic = True
                i = k
                continue
        if ch == "*":
            while i + 1 < len(segment) and segment[i + 1] == "*":
                i += 1
            out.append("[^/]*?")
            magic = True
        elif ch == "?":
            out.append("[^/]")
            magic = True
        elif ch == "[":
            cls = _class(segment, i)
            if cls is None:
                out.append(re.escape(ch))
            else:
                out.append(cls[0])
                magic = True
                i = cls[1]
                continue
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out), i, magic


def _unescape(segment: str) -> str:
    return re.sub(r"\\(.)", r"\1", segment)


@lru_cache(maxsize=4096)
def _parse_segment(segment: str) -> Part:
    if segment == "**":
        return GLOBSTAR
    if segment == "":
        return ""
    source, _, magic = _translate(segment)
    if not magic:
        return _unescape(segment).lower()
    # with ``dot`` a wildcard still never matches "." or ".."; a part made only
    # of stars must match something (but "!(x)" may match nothing)
    non_empty = "(?=.)" if set(segment) == {"*"} else ""
    return re.compile(r"(?s)(?!\.{1,2}\Z)" + non_empty + "(?:" + source + r")\Z", re.IGNORECASE)


def _optimize(parts: list[str]) -> list[str]:
    """Drop repeated ``**`` and fold ``x/..`` as minimatch's level-one optimisation does."""
    out: list[str] = []
    for part in parts:
        prev = out[-1] if out else None
        if part == "**" and prev == "**":
            continue
        if part == ".." and prev and prev not in ("..", ".", "**"):
            out.pop()
            continue
        out.append(part)
    return out or [""]


# ---------------------------------------------------------------- matching
def _hit(part: Part, segment: str) -> bool:
    if isinstance(part, str):
        return part == segment.lower()
    assert isinstance(part, re.Pattern)
    return part.match(segment) is not None


def _match_plain(file: Sequence[str], pattern: Sequence[Part], partial: bool, fi: int, pi: int) -> bool:
    fl, pl = len(file), len(pattern)
    while fi < fl and pi < pl:
        part = pattern[pi]
        if part is GLOBSTAR or not _hit(part, file[fi]):
            return False
        fi += 1
        pi += 1
    if fi == fl and pi == pl:
        return True
    if fi == fl:
        return partial
    # pattern exhausted: only a trailing "" (path ending in "/") may remain
    return fi == fl - 1 and file[fi] == ""


def _bad_dot(segment: str | None) -> bool:
    return segment in (".", "..")


def _match_sections(
    file: Sequence[str],
    sections: list[tuple[list[Part], int]],
    fi: int,
    si: int,
    partial: bool,
    depth: int,
    saw_tail: bool,
) -> bool | None:
    if si >= len(sections):
        for i in range(fi, len(file)):
            saw_tail = True
            if _bad_dot(file[i]):
                return False
        return saw_tail
    body, last = sections[si]
    while fi <= last:
        if _match_plain(file[: fi + len(body)], body, partial, fi, 0) and depth < _MAX_GLOBSTAR_DEPTH:
            sub = _match_sections(file, sections, fi + len(body), si + 1, partial, depth + 1, saw_tail)
            if sub is not False:
                return sub
        if _bad_dot(file[fi] if fi < len(file) else None):
            return False
        fi += 1
    return True if partial else None


def _match_globstar(file: Sequence[str], pattern: Sequence[Part], partial: bool) -> bool:
    first = pattern.index(GLOBSTAR)
    last = len(pattern) - 1 - list(reversed(pattern)).index(GLOBSTAR)
    head = list(pattern[:first])
    if partial:
        body, tail = list(pattern[first + 1 :]), []
    else:
        body, tail = list(pattern[first + 1 : last]), list(pattern[last + 1 :])
    fi = 0
    if head:
        if not _match_plain(file[: len(head)], head, partial, 0, 0):
            return False
        fi = len(head)
    tail_match = 0
    if tail:
        if len(tail) + fi > len(file):
            return False
        start = len(file) - len(tail)
        if _match_plain(file, tail, partial, start, 0):
            tail_match = len(tail)
        else:
            # "a/**/*" still matches "a/b/": retry without the trailing ""
            if file[-1] != "" or fi + len(tail) == len(file):
                return False
            if not _match_plain(file, tail, partial, start - 1, 0):
                return False
            tail_match = len(tail) + 1
    if not body:
        saw = bool(tail_match)
        for i in range(fi, len(file) - tail_match):
            saw = True
            if _bad_dot(file[i]):
                return False
        return partial or saw
    sections: list[list[Any]] = [[[], 0]]
    sums = [0]
    count = 0
    for part in body:
        if part is GLOBSTAR:
            sums.append(count)
            sections.append([[], 0])
        else:
            sections[-1][0].append(part)
            count += 1
    length = len(file) - tail_match
    k = len(sections) - 1
    for section in sections:
        section[1] = length - (sums[k] + len(section[0]))
        k -= 1
    frozen = [(s[0], s[1]) for s in sections]
    return bool(_match_sections(file, frozen, fi, 0, partial, 0, bool(tail_match)))


_MATCHES: dict[tuple[str, str, bool], bool] = {}
_MAX_MATCHES = 200_000


@dataclass(frozen=True)
class Rule:
    """One line of an ignore file, compiled."""

    source: str
    negate: bool
    patterns: tuple[tuple[Part, ...], ...]
    comment: bool = False
    empty: bool = False

    @cached_property
    def relative(self) -> bool:
        """A pattern with one segment (or one plus a trailing slash): matches at any depth."""
        return any(len(p) <= (2 if p and p[-1] == "" else 1) for p in self.patterns)

    def match(self, path: str, partial: bool = False) -> bool:
        """Whether the pattern (ignoring its negation) matches ``path``."""
        # a rule is a pure function of its source line, and packing a workspace asks the
        # same questions (lib/index.js against the defaults...) for every package
        key = (self.source, path, partial)
        found = _MATCHES.get(key)
        if found is None:
            if len(_MATCHES) >= _MAX_MATCHES:
                _MATCHES.clear()
            found = _MATCHES[key] = self._match(path, partial)
        return found

    def _match(self, path: str, partial: bool) -> bool:
        if self.comment:
            return False
        if self.empty:
            return path == ""
        if path == "/" and partial:
            return True
        segments, basename, lowered = _split(path)
        for pattern, literals in zip(self.patterns, self.literals, strict=True):
            if len(pattern) == 1:
                file: Sequence[str] = (basename,)
            else:
                # cheap necessary condition before the full match
                if not partial and literals and not literals <= lowered:
                    continue
                file = segments
            if GLOBSTAR in pattern:
                if _match_globstar(file, pattern, partial):
                    return True
            elif _match_plain(file, pattern, partial, 0, 0):
                return True
        return False

    @cached_property
    def basename_only(self) -> tuple[frozenset[str], tuple[re.Pattern[str], ...]] | None:
        """(literal names, name patterns) when every pattern is one plain segment, else ``None``.

        Such a rule looks at a path's base name only, so every form of a path that
        :meth:`match` is asked about (rooted, with a trailing slash, partial) gets the
        answer :meth:`matches_name` gives for that name.
        """
        if self.comment or self.empty or not all(len(p) == 1 and p[0] is not GLOBSTAR for p in self.patterns):
            return None
        names = frozenset(p[0] for p in self.patterns if isinstance(p[0], str))
        return names, tuple(p[0] for p in self.patterns if isinstance(p[0], re.Pattern))

    def matches_name(self, name: str, lowered: str) -> bool:
        """:meth:`match` for a rule with :attr:`basename_only`, given the base name and
        its ``lower()``."""
        names, patterns = self.basename_only  # type: ignore[misc]  # callers check it is set
        return lowered in names or any(pattern.match(name) for pattern in patterns)

    @cached_property
    def required_names(self) -> frozenset[str] | None:
        """Lower-cased segments of which a path must hold one for a non-partial match.

        One literal segment of each pattern (its longest). ``None`` when no such gate
        applies: a pattern looks at the base name only, or has no literal segment.
        """
        if self.comment or self.empty or any(len(p) <= 1 for p in self.patterns):
            return None
        if not all(self.literals):
            return None
        return frozenset(max(sorted(names), key=len) for names in self.literals)

    @cached_property
    def required_parts(self) -> tuple[tuple[str | re.Pattern[str], ...], ...] | None:
        """Per pattern, its parts other than ``**`` and ``""``: a non-partial match pairs
        each with a segment of the path. ``None`` when a pattern has none or looks at the
        base name only."""
        if self.comment or self.empty or any(len(p) <= 1 for p in self.patterns):
            return None
        parts = tuple(
            tuple(x for x in p if isinstance(x, str | re.Pattern) and x != "") for p in self.patterns
        )
        return None if not all(parts) else parts

    def may_match(self, segments: Sequence[str]) -> bool:
        """Whether some pattern has every part matching one of ``segments`` (needed for a
        non-partial match of a path made of them)."""
        assert self.required_parts is not None
        return any(
            all(any(_hit(part, s) for s in segments) for part in parts) for parts in self.required_parts
        )

    @cached_property
    def literals(self) -> tuple[frozenset[str], ...]:
        return tuple(frozenset(p for p in pattern if isinstance(p, str) and p) for pattern in self.patterns)


@lru_cache(maxsize=65536)
def _split(path: str) -> tuple[tuple[str, ...], str, frozenset[str]]:
    segments = tuple(re.split("/+", path))
    basename = segments[-1]
    if not basename:
        for seg in reversed(segments[:-1]):
            if seg:
                basename = seg
                break
    return segments, basename, frozenset(s.lower() for s in segments)


@lru_cache(maxsize=8192)
def compile_rule(line: str) -> Rule:
    if line.startswith("#"):
        return Rule(line, False, (), comment=True)
    if not line:
        return Rule(line, False, (), empty=True)
    negate = False
    body = line
    while body.startswith("!"):
        negate = not negate
        body = body[1:]
    if not body:
        return Rule(line, negate, (), empty=True)
    seen: dict[str, None] = {}
    for expanded in brace_expand(body):
        seen.setdefault(expanded, None)
    patterns = []
    for expanded in seen:
        parts = _optimize(re.split("/+", expanded))
        patterns.append(tuple(_parse_segment(p) for p in parts))
    return Rule(line, negate, tuple(patterns))


def parse_ignore_text(text: str) -> list[Rule]:
    """Rules of an ignore file: one per line, blank lines and ``#`` comments skipped."""
    rules = []
    for raw in re.split(r"\r?\n", text):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        rules.append(compile_rule(line))
    return rules

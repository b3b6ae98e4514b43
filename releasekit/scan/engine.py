"""Scan one file exactly as ``detect-secrets scan`` would, without its per-line cost.

What detect-secrets does with a file, and what this module reproduces:

- file-name filters: extensions it treats as non-text, lock files, paths containing
  ``swagger``; a file that is not valid UTF-8 is skipped whole;
- lines as text-mode ``readlines`` gives them (universal newlines), each ``rstrip()``-ed;
  an INI-looking file is first parsed by its config transformer, and a file in which
  nothing was found is parsed again by its *eager* config transformer;
- per line, every plugin, then its default filters (allowlist comments, indirect
  references, sequential strings, UUIDs, id strings, templates, ``$`` prefixes,
  non-alphanumeric strings);
- one result per (type, secret hash) in a file, at the first line it occurs on.

The speed comes from :mod:`releasekit.scan.prefilter`: a plugin runs only on lines where
its cores matched, and the allowlist and line filters run only on lines that produced a
secret. Configparser, which detect-secrets runs on every file, runs only when the text
has no line that makes it fail for sure.

One deliberate difference: ``.map`` files are scanned (detect-secrets skips them),
because a source map's ``sourcesContent`` is the original source, secrets included.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import io
import math
import os.path
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from releasekit.scan.detectors import check_filename
from releasekit.scan.plausibility import implausible_reason
from releasekit.scan.prefilter import Core, candidate_lines, cores_for, entropy_min_length, fold
from releasekit.scan.rules import HEURISTIC_TYPES
from releasekit.scan.tokens import CONTEXT, scan_tokens

# Extensions scanned although detect-secrets skips them (see the module docstring).
SCANNED_ANYWAY = frozenset({".map"})

# A line on which configparser fails for sure: not indented (so not a continuation), not
# a comment, not starting a section header, and without "=" or ":".
_INI_FAILING_LINE = re.compile(r"^[^\s#;\[=:][^\n=:]*$", re.MULTILINE)


def _opens_with_section(text: str) -> bool:
    """Whether configparser, reading ``text`` without an added header, meets a section
    header before anything else (it raises ``MissingSectionHeaderError`` otherwise, and
    finds no section in a text of only blank and comment lines).

    Its rules: a line is skipped when ``strip()`` leaves it empty or starting with one
    of its comment prefixes; the first other line must match its ``SECTCRE``.
    """
    import configparser

    start = 0
    while start < len(text):
        end = _line_end(text, start)
        value = text[start:end].strip()
        if value and not value.startswith(("#", ";")):
            return configparser.ConfigParser.SECTCRE.match(value) is not None
        start = end + 1
    return False


@dataclass(frozen=True)
class PluginSpec:
    """A detect-secrets plugin by class name, with its init options (e.g. ``limit``)."""

    name: str
    options: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class ScanPlan:
    """Everything a worker needs to scan a file; picklable and hashable."""

    plugins: tuple[PluginSpec, ...]
    extra_patterns: bool = True
    filenames: bool = True


@dataclass(frozen=True)
class Hit:
    """One finding in one file: rule type, 1-based line (``None``: whole file), sha1.

    ``secret`` is the found text itself, kept for redaction and never shown; ``note``
    says why the finding is not plausibly a live credential (``None``: it may be).
    """

    type: str
    line: int | None
    hashed_secret: str
    secret: str = field(default="", repr=False, compare=False)
    note: str | None = None


class _Context:
    """The part of detect-secrets' CodeSnippet its allowlist filter reads."""

    __slots__ = ("previous_line",)

    def __init__(self, previous_line: str) -> None:
        self.previous_line = previous_line


@dataclass
class _Loaded:
    plugins: list[Any]
    cores: list[tuple[Core, ...] | None]
    # types of detect-secrets plugins left out of the plan: releasekit's detectors of
    # the same type (GitHub Token, AWS Access Key) stay quiet too
    disabled_types: frozenset[str]


def plugin_classes() -> dict[str, type[Any]]:
    """detect-secrets' plugin classes by class name, in its default order."""
    from releasekit.scan.deferred_requests import import_plugins

    return {cls.__name__: cls for cls in import_plugins().values()}


@functools.cache
def load(plan: ScanPlan) -> _Loaded:
    """Initialise the plan's plugins (once per process)."""
    classes = plugin_classes()
    plugins = [classes[spec.name](**dict(spec.options)) for spec in plan.plugins]
    chosen = {spec.name for spec in plan.plugins}
    disabled = frozenset(cls.secret_type for name, cls in classes.items() if name not in chosen)
    return _Loaded(plugins, [cores_for(p) for p in plugins], disabled)


@functools.cache
def _skipped_extensions() -> frozenset[str]:
    from detect_secrets.filters.heuristic import IGNORED_FILE_EXTENSIONS

    return frozenset(IGNORED_FILE_EXTENSIONS) - SCANNED_ANYWAY


def skipped_by_name(path: str) -> bool:
    """detect-secrets' file-name filters (non-text extension, lock file, swagger)."""
    from detect_secrets.filters.heuristic import is_lock_file, is_swagger_file

    ext = os.path.splitext(path)[1]
    return ext in _skipped_extensions() or is_lock_file(path) or is_swagger_file(path)


_last_loaded: tuple[ScanPlan, _Loaded] | None = None


def scan_file(path: str, data: bytes, plan: ScanPlan) -> list[Hit]:
    """All findings in one packed file, ``path`` relative to the package root."""
    global _last_loaded
    if _last_loaded is not None and _last_loaded[0] is plan:
        loaded = _last_loaded[1]  # hashing the plan for each of a thousand files adds up
    else:
        loaded = load(plan)
        _last_loaded = (plan, loaded)
    hits: list[Hit] = []
    if plan.filenames:
        hits += [Hit(h.type, h.line, h.hashed_secret, h.secret, h.note) for h in check_filename(path, data)]
    if skipped_by_name(path):
        return hits
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return hits  # detect-secrets skips files it cannot read as text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")

    found = _detect_secrets_pass(path, text, loaded)
    reported = _first_per_secret([(line_no, rule, secret, None) for line_no, rule, secret in found], text)
    if plan.extra_patterns:
        reported, extra = _merge_tokens(path, text, found, reported, loaded)
        reported += extra
    return hits + reported


def _merge_tokens(
    path: str, text: str, found: list[tuple[int, str, str]], reported: list[Hit], loaded: _Loaded
) -> tuple[list[Hit], list[Hit]]:
    """releasekit's token hits next to detect-secrets' findings in the same file.

    A token that a detect-secrets credential finding on the same line already covers is
    not reported twice. Where the token is the longer text (detect-secrets' Stripe
    pattern stops at 24 characters; its GitHub pattern's secret is the ``ghp`` group),
    that finding keeps its type and hash, so baselines still match, but carries the
    whole token as its secret, for redaction, and is judged on it.
    """
    credential: dict[int, list[tuple[str, str]]] = {}
    for line_no, rule, secret in found:
        if rule not in HEURISTIC_TYPES:
            credential.setdefault(line_no, []).append((rule, secret))
    allowlisted = _allowlisted_lines(path, text) if "pragma" in text else frozenset()
    longer: dict[tuple[str, str], tuple[str, str]] = {}
    extra = []
    for hit in scan_tokens(text):
        if hit.line in allowlisted or hit.type in loaded.disabled_types:
            continue
        covering = [
            (rule, other)
            for rule, other in credential.get(hit.line, ())
            if other in hit.secret or hit.secret in other
        ]
        for rule, other in covering:
            if len(hit.secret) > len(other):
                longer.setdefault((rule, other), (hit.secret, hit.context))
        if not covering:
            extra.append((hit.line, hit.type, hit.secret, hit.context))
    for (rule, other), (secret, context) in longer.items():
        digest = hashlib.sha1(other.encode("utf-8")).hexdigest()
        reported = [
            replace(h, secret=secret, note=implausible_reason(rule, secret, context))
            if (h.type, h.hashed_secret) == (rule, digest)
            else h
            for h in reported
        ]
    return reported, _first_per_secret(extra)


def _allowlisted_lines(path: str, text: str) -> frozenset[int]:
    """Lines an allowlist comment covers (``pragma: allowlist secret``, on it or before it).

    The one detect-secrets filter releasekit's own detectors honour: it is a person's
    decision about that line, not a guess about what the line looks like.
    """
    from detect_secrets.filters.allowlist import is_line_allowlisted

    # Found by substring search, not by splitting a bundle into its lines.
    covered = set()
    line_no, counted_to = 1, 0
    at = text.find("pragma")
    while at >= 0:
        line_no += text.count("\n", counted_to, at)
        counted_to = at
        start = text.rfind("\n", 0, at) + 1
        end = _line_end(text, at)
        line = text[start:end]
        previous = text[text.rfind("\n", 0, start - 1) + 1 : start - 1] if start else ""
        candidates = [(line_no, line, previous)]
        if end < len(text):  # the line after it (the comment may stand above the secret)
            candidates.append((line_no + 1, text[end + 1 : _line_end(text, end + 1)], line))
        for number, this, before in candidates:
            if number not in covered and is_line_allowlisted(path, this, _Context(before)):  # type: ignore[arg-type]
                covered.add(number)
        at = text.find("pragma", end)
    return frozenset(covered)


def _line_end(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end < 0 else end


def _first_per_secret(found: Sequence[tuple[int, str, str, str | None]], text: str = "") -> list[Hit]:
    """One hit per (type, secret), at its first line, judged for plausibility.

    A context of ``None`` is taken from ``text`` at the hit's line, for PEM findings
    only (their secret is the header; the body after it tells a key from an excerpt).
    """
    seen: set[tuple[str, str]] = set()
    line_starts: list[int] | None = None
    out = []
    for line_no, rule, secret, context in found:
        digest = hashlib.sha1(secret.encode("utf-8")).hexdigest()
        if (rule, digest) in seen:
            continue
        seen.add((rule, digest))
        if context is None:
            context = ""
            if "PRIVATE KEY" in secret or "PuTTY" in secret:
                if line_starts is None:
                    line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
                start = line_starts[min(line_no, len(line_starts)) - 1]
                at = text.find(secret, start)
                context = text[at : at + CONTEXT] if at >= 0 else text[start : start + CONTEXT]
        out.append(Hit(rule, line_no, digest, secret, implausible_reason(rule, secret, context)))
    return out


def _detect_secrets_pass(path: str, text: str, loaded: _Loaded) -> list[tuple[int, str, str]]:
    if not loaded.plugins:
        return []
    transformed = _transformed(path, text, eager=False)
    found = _scan_lines(path, text if transformed is None else transformed, loaded.plugins, loaded.cores)
    if not found:
        eager = _transformed(path, text, eager=True)
        if eager is not None:
            found = _scan_lines(path, eager, loaded.plugins, loaded.cores)
    return found


class _NamedStringIO(io.StringIO):
    def __init__(self, text: str, name: str) -> None:
        super().__init__(text, newline="\n")
        self.name = name


@functools.cache
def _transformers() -> tuple[Any, ...]:
    """detect-secrets' transformers (stateless), found once: it walks its package per call."""
    from detect_secrets.transformers import get_transformers

    return tuple(get_transformers())


@functools.lru_cache(maxsize=1024)
def _parses(transformer: Any, extension: str) -> bool:
    """``transformer.should_parse_file`` for any file with this extension.

    detect-secrets' transformers decide by ``determine_file_type``, which reads the
    extension only (or by nothing at all); it builds a table per call.
    """
    return bool(transformer.should_parse_file("file" + extension))


@functools.lru_cache(maxsize=1024)
def _file_type(extension: str) -> Any:
    """detect-secrets' ``determine_file_type`` of any file with this extension."""
    from detect_secrets.util.filetype import determine_file_type

    return determine_file_type("file" + extension)


def _transformed(path: str, text: str, *, eager: bool) -> str | list[str] | None:
    """The lines detect-secrets' transformers make of a file, or ``None`` if none applies.

    Returned as one ``\\n``-joined string when no line holds a newline, else as a list.
    """
    from detect_secrets.transformers.config import ConfigFileTransformer, EagerConfigFileTransformer
    from detect_secrets.transformers.exceptions import ParsingError

    for transformer in _transformers():
        if eager != transformer.is_eager or not _parses(transformer, os.path.splitext(path)[1]):
            continue
        if isinstance(
            transformer, ConfigFileTransformer | EagerConfigFileTransformer
        ) and _INI_FAILING_LINE.search(text):
            continue  # configparser would raise: detect-secrets catches it and moves on
        if isinstance(transformer, ConfigFileTransformer) and not _opens_with_section(text):
            continue  # no section header before the first entry: the same
        try:
            lines = transformer.parse_file(_NamedStringIO(text, path))
        except ParsingError:
            continue
        if not lines:
            return None
        if any("\n" in line for line in lines):
            return list(lines)
        return "\n".join(lines)
    return None


def _scan_lines(
    path: str,
    source: str | list[str],
    plugins: Sequence[Any],
    cores: Sequence[tuple[Core, ...] | None],
) -> list[tuple[int, str, str]]:
    """(line number, type, secret) for every secret in ``source``, in line order."""
    found: list[tuple[int, str, str]] = []
    if isinstance(source, list):
        everything = frozenset(range(len(plugins)))
        previous = ""
        for line_no, raw in enumerate(source, start=1):
            found += [(line_no, t, s) for t, s in _line_secrets(path, raw, previous, everything, plugins)]
            previous = raw
        return found
    text = source
    for line_no, start, end, indexes in candidate_lines(text, cores):
        # detect-secrets' previous line, newline included ("" for the first line).
        previous = text[text.rfind("\n", 0, start - 1) + 1 : start] if line_no > 1 else ""
        found += [
            (line_no, t, s) for t, s in _line_secrets(path, text[start:end], previous, indexes, plugins)
        ]
    return found


@functools.cache
def _detect_secrets() -> Any:
    """detect-secrets' modules and classes the per-line code needs, imported once.

    (Imported on first use, not with this module: ``lpm --help`` never loads them.)
    """
    from types import SimpleNamespace

    from detect_secrets.filters import heuristic
    from detect_secrets.plugins.base import RegexBasedDetector
    from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin
    from detect_secrets.plugins.keyword import KeywordDetector

    return SimpleNamespace(
        heuristic=heuristic,
        RegexBasedDetector=RegexBasedDetector,
        HighEntropyStringsPlugin=HighEntropyStringsPlugin,
        KeywordDetector=KeywordDetector,
    )


def _line_secrets(
    path: str, raw: str, previous: str, indexes: frozenset[int], plugins: Sequence[Any]
) -> list[tuple[str, str]]:
    ds = _detect_secrets()
    heuristic, RegexBasedDetector = ds.heuristic, ds.RegexBasedDetector  # noqa: N806 - a class

    line = raw.rstrip()
    out: list[tuple[str, str]] = []
    id_end: int | None = None
    for index in sorted(indexes):
        plugin = plugins[index]
        for secret in _analyze(plugin, path, line):
            if heuristic.is_sequential_string(secret) or heuristic.is_potential_uuid(secret):
                continue
            if not isinstance(plugin, RegexBasedDetector):
                if id_end is None:
                    id_end = _first_id_match_end(line)
                at = line.find(secret)
                if at >= 0 and id_end <= at:
                    continue  # is_likely_id_string
            if (
                heuristic.is_templated_secret(secret)
                or heuristic.is_prefixed_with_dollar_sign(secret)
                or heuristic.is_not_alphanumeric_string(secret)
            ):
                continue
            out.append((plugin.secret_type, secret))
    if out and _line_filtered(path, line, previous):
        return []
    return out


def _line_filtered(path: str, line: str, previous: str) -> bool:
    from detect_secrets.filters.allowlist import is_line_allowlisted
    from detect_secrets.filters.heuristic import is_indirect_reference

    # Every allowlist comment contains "pragma"; the substring test spares the regexes.
    if ("pragma" in line or "pragma" in previous) and is_line_allowlisted(path, line, _Context(previous)):  # type: ignore[arg-type]
        return True
    return bool(is_indirect_reference(line))


def _analyze(plugin: Any, path: str, line: str) -> set[str]:
    """The secrets a plugin's ``analyze_line`` would report, without network verification."""
    ds = _detect_secrets()
    if isinstance(plugin, ds.HighEntropyStringsPlugin):
        minimum = entropy_min_length(plugin.entropy_limit)
        # A pure function of the string, and the same strings recur: typescript's
        # diagnostic keys are in its bundles and in each of its 13 translations.
        memo = _ENTROPY_MEMO.setdefault(id(plugin), {})
        found = set()
        for match in plugin.regex.findall(line):
            secret = match[1] if isinstance(match, tuple) else match
            high = memo.get(secret)
            if high is None:
                # Entropy is at most log2(distinct characters): with too few of them the
                # string cannot reach the limit, and the exact sum (slow in Python) is skipped.
                high = (
                    len(secret) >= minimum
                    and len(set(secret)) >= minimum
                    and _entropy_exceeds(plugin, secret)
                )
                if len(memo) >= _ENTROPY_MEMO_SIZE:
                    memo.clear()
                memo[secret] = high
            if high:
                found.add(secret)
        return found
    if isinstance(plugin, ds.KeywordDetector):
        return _keyword_secrets(plugin, path, line)
    if type(plugin).__name__ == "JwtTokenDetector" and _jwt_pattern_known(plugin):
        return set(filter(plugin.is_formally_valid, jwt_findall(line)))
    return set(plugin.analyze_string(line))


# detect-secrets' JWT pattern, eyJ[A-Za-z0-9-_=]+\.[A-Za-z0-9-_=]+\.?[A-Za-z0-9-_.+/=]*?,
# whose character class is alphanumerics plus "-", "_" and "=".
_JWT_PATTERN = r"eyJ[A-Za-z0-9-_=]+\.[A-Za-z0-9-_=]+\.?[A-Za-z0-9-_.+/=]*?"
_JWT_RUN = re.compile(r"[A-Za-z0-9_=-]*")


def _jwt_pattern_known(plugin: Any) -> bool:
    return [p.pattern for p in plugin.denylist] == [_JWT_PATTERN]


def _run_end(line: str, pos: int) -> int:
    match = _JWT_RUN.match(line, pos)
    return match.end() if match else pos  # a match always (the run may be empty)


def jwt_findall(line: str) -> list[str]:
    """``re.findall`` of detect-secrets' JWT pattern, in linear time.

    The regex engine retries at every ``eyJ`` of a run of JWT characters and rescans
    the run each time: quadratic on ``eyJeyJeyJ…``. Every start inside one run shares
    the run's end, and the pattern's greedy parts can only end there (the lazy tail
    matches nothing), so one look at each run decides every start in it.
    """
    found = []
    pos = 0
    while (start := line.find("eyJ", pos)) >= 0:
        end = _run_end(line, start + 3)  # the first part runs to here
        if end == start + 3 or line[end : end + 1] != ".":
            pos = end  # no start in this run can match: they all share this end
            continue
        second = _run_end(line, end + 1)
        if second == end + 1:
            pos = end
            continue
        if line[second : second + 1] == ".":
            second += 1
        found.append(line[start:second])
        pos = second
    return found


# Every position where one of KeywordDetector's keywords could start, in folded text
# (a lookahead, so that overlapping keywords all count).
_KEYWORD_STARTS = re.compile(
    r"(?=api|auth|service|account|db|database|priv|client|key|pass|pwd|secret|contrase)"
)


_WORD_RUN = re.compile(r"\w*")


@functools.cache
def _keyword_at(flags: int) -> re.Pattern[str]:
    """KeywordDetector's keyword alternation alone, with a pattern's flags."""
    from detect_secrets.plugins import keyword

    return re.compile("|".join(keyword.DENYLIST), flags)


def _keyword_secrets(plugin: Any, path: str, line: str) -> set[str]:
    r"""``KeywordDetector.analyze_string`` with its file type's table, linear on long lines.

    Most of its patterns are ``(keyword)\w*`` and then a tail. The leftmost match of
    such a pattern starts at a keyword, so trying ``match`` at each keyword start (found
    in the folded line), leftmost first, returns what ``search`` returns. Each try runs
    ``\w*`` to the end of the run of word characters around the keyword and backtracks
    through it: quadratic on ``passwordpassword…``. No tail can start on a word
    character except through ``[^\s]{0,50}?`` (the semicolon pattern) or ``.assign``
    (the C++ one), and what those reach from inside the run they also reach from its
    end, which greedy ``\w*`` tries first. So a try fails exactly when the tail fails at
    the run's end, the same for every keyword in the run: one failed try rules out the
    run. Patterns that do not start with the keyword run as they are.
    """
    from detect_secrets.plugins import keyword

    if plugin.keyword_exclude and plugin.keyword_exclude.search(line):
        return set()
    table = keyword.REGEX_BY_FILETYPE.get(
        _file_type(os.path.splitext(path)[1]), keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP
    )
    starts: list[int] | None = None
    found = set()
    for regex, group in table.items():
        if regex.pattern.startswith(keyword.DENYLIST_REGEX):
            if starts is None:
                starts = [m.start() for m in _KEYWORD_STARTS.finditer(fold(line))]
            semicolon = regex is keyword.FOLLOWED_BY_QUOTES_AND_SEMICOLON_REGEX and _quoted_shapes_known()
            match = _first_keyword_match(
                regex, line, starts, _QuotedValues(line).semicolon_tail if semicolon else None
            )
        elif (
            regex is keyword.PRECEDED_BY_EQUAL_COMPARISON_SIGNS_QUOTES_REQUIRED_REGEX
            and _quoted_shapes_known()
        ):
            match = _first_quoted_match(regex, line)
        else:
            match = regex.search(line)
        if match:
            found.add(match.group(group))
    return found


def _first_keyword_match(
    regex: re.Pattern[str], line: str, starts: list[int], tail: Callable[[int], bool] | None = None
) -> re.Match[str] | None:
    """``regex.match`` at the first of ``starts`` where it matches, trying each run once.

    ``tail``, if given, says exactly whether the pattern's tail can match at a run's end,
    so that a run it rules out costs no regex at all.
    """
    keyword_at = _keyword_at(regex.flags)
    run_end = -1  # end of the run of word characters the last start was in
    failed = False  # whether that run is known to fail
    for start in starts:
        if start >= run_end:
            run_end = _WORD_RUN.match(line, start).end()  # type: ignore[union-attr]  # always matches
            failed = False
        if failed or not keyword_at.match(line, start):
            continue
        if tail is None or tail(run_end):
            match = regex.match(line, start)
            if match:
                return match
        failed = True
    return None


# detect-secrets' quoted value: a quote, a word character, a body without ', " or \v
# (``[^\v'"]``: only the vertical tab), a last character that is not ``,`'"`` and the same
# quote again. A backtick value's body may hold backticks, so the regex engine scans from
# every backtick to the next ', " or \v: quadratic on ``\`a\`a\`a…``.
_WORD = re.compile(r"\w")
_SPACES = re.compile(r"\s*")
_SPACE = re.compile(r"\s")
_QUOTE = re.compile("['\"`]")
_BODY_STOP = re.compile("['\"\x0b]")
_NOT_LAST = ",`'\"\x0b"


@functools.cache
def _quoted_shapes_known() -> bool:
    """Whether detect-secrets' quoted-value patterns are the ones the shortcuts below were
    derived from (another version's patterns run as they are)."""
    from detect_secrets.plugins import keyword

    value = r"""([\'"`])((?=[^\v\'\"]*)(?=\w+)[^\v\'\"]*[^\v,\'\"`])"""
    return (
        keyword.PRECEDED_BY_EQUAL_COMPARISON_SIGNS_QUOTES_REQUIRED_REGEX.pattern.startswith(value + r"(\1)")
        and keyword.FOLLOWED_BY_QUOTES_AND_SEMICOLON_REGEX.pattern
        == keyword.DENYLIST_REGEX + r"[^\s]{0,50}?\s*" + value + r"(\2);"
    )


def _first_quoted_match(regex: re.Pattern[str], line: str) -> re.Match[str] | None:
    """``regex.search`` for a pattern that starts with a quoted value, linear in the line.

    The match starts at a quote followed by a word character. A backtick value that
    fails rules out every later backtick up to the same stop: their closing backticks
    are a subset of its own, and what follows a closing backtick is the same for all.
    """
    stops = [m.start() for m in _BODY_STOP.finditer(line)]
    dead = -1  # the stop before which backtick values are known to fail
    for quote in _QUOTE.finditer(line):
        at = quote.start()
        if not _WORD.match(line, at + 1):
            continue
        stop = -2
        if line[at] == "`":
            index = bisect.bisect_right(stops, at)
            stop = stops[index] if index < len(stops) else len(line)
            if stop == dead:
                continue
        match = regex.match(line, at)
        if match:
            return match
        if line[at] == "`":
            dead = stop
    return None


class _QuotedValues:
    """Where quoted values can close in one line, for the semicolon pattern's tail."""

    def __init__(self, line: str) -> None:
        self.line = line
        self.stops = [m.start() for m in _BODY_STOP.finditer(line)]
        # the last backtick before each stop that can close a value followed by ";"
        self.closers: dict[int, int] = {}
        for m in re.finditer("`;", line):
            at = m.start()
            if at and line[at - 1] not in _NOT_LAST:
                self.closers[self._stop_after(at)] = at

    def _stop_after(self, at: int) -> int:
        index = bisect.bisect_right(self.stops, at)
        return self.stops[index] if index < len(self.stops) else len(self.line)

    def semicolon_tail(self, end: int) -> bool:
        r"""Whether ``[^\s]{0,50}?\s*(quote)(value)(\2);`` matches at ``end``."""
        line = self.line
        for lazy in range(51):
            at = end + lazy
            if at > len(line) or (lazy and _SPACE.match(line, at - 1)):
                break
            quote = _SPACES.match(line, at).end()  # type: ignore[union-attr]  # always matches
            if quote >= len(line) or line[quote] not in "'\"`" or not _WORD.match(line, quote + 1):
                continue
            stop = self._stop_after(quote)
            if line[quote] == "`":
                if self.closers.get(stop, -1) >= quote + 2:
                    return True
            elif line[stop : stop + 2] == line[quote] + ";" and line[stop - 1] not in _NOT_LAST:
                return True
        return False


# id(plugin) -> {string: whether its entropy exceeds the plugin's limit}; plugins are
# built once per process (``load``) and never freed, so their ids are never reused.
_ENTROPY_MEMO: dict[int, dict[str, bool]] = {}
_ENTROPY_MEMO_SIZE = 200_000


def _entropy_exceeds(plugin: Any, data: str) -> bool:
    """``_entropy(plugin, data) > plugin.entropy_limit``, mostly without the exact sum.

    Summing over the characters present (not the 66 of the charset) gives the same
    value up to float rounding in the last bits; only a value that close to the limit
    needs the exact, charset-ordered sum to decide.
    """
    from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin

    limit = float(plugin.entropy_limit)
    counts = Counter(data)
    length = len(data)
    own = type(plugin).calculate_shannon_entropy is not HighEntropyStringsPlugin.calculate_shannon_entropy
    if own or not counts.keys() <= _charset(plugin.charset):
        return bool(_entropy(plugin, data) > limit)
    # -sum(p log2 p) with p = c/L is log2(L) - sum(c log2 c)/L: one cached product per count.
    quick = math.log2(length) - sum(map(_c_log2_c, counts.values())) / length
    if abs(quick - limit) > 1e-9:
        return quick > limit
    return bool(_entropy(plugin, data) > limit)


@functools.cache
def _charset(charset: str) -> frozenset[str]:
    return frozenset(charset)


@functools.cache
def _c_log2_c(count: int) -> float:
    return count * math.log2(count)


def _entropy(plugin: Any, data: str) -> float:
    """``plugin.calculate_shannon_entropy(data)``, bit for bit, counting characters once.

    detect-secrets calls ``data.count`` for each of the 66 charset characters; a Counter
    gives the same counts, and the sum runs over the charset in the same order, so
    every float operation, and so the result, is the same.
    """
    from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin

    if type(plugin).calculate_shannon_entropy is not HighEntropyStringsPlugin.calculate_shannon_entropy:
        return float(plugin.calculate_shannon_entropy(data))  # e.g. the hex plugin's own adjustment
    counts = Counter(data)
    length = len(data)
    entropy = 0.0
    for char in plugin.charset:
        count = counts.get(char)
        if count:
            p_x = float(count) / length
            entropy += -p_x * math.log(p_x, 2)
    return entropy


@functools.cache
def _id_lookahead() -> re.Pattern[str]:
    from detect_secrets.filters.heuristic import _get_id_detector_regex

    regex = _get_id_detector_regex()
    return re.compile(f"(?=({regex.pattern}))", regex.flags)


def _first_id_match_end(line: str) -> int:
    """Where the earliest-ending match of detect-secrets' id regex ends (``len+1``: none).

    ``is_likely_id_string`` searches ``line[:line.index(secret)]`` for that regex, once per
    secret: quadratic on a long minified line with many candidates. The regex has at most
    one match per start position, and a match fits before ``index`` exactly when its end
    does, so one scan of every start gives all the answers.
    """
    ends = [m.start() + len(m.group(1)) for m in _id_lookahead().finditer(line)]
    return min(ends) if ends else len(line) + 1

"""Which lines a detect-secrets plugin could possibly report on, found in one pass per file.

detect-secrets runs every plugin and a dozen allowlist regexes on every line; most of
its time goes there. Each plugin here gets one or more *cores*: patterns that match
inside any line on which the plugin can report a secret (the literal part of its token
format, its keyword, its quoted-string shape). Cores run over the whole file text at C
speed; a plugin then runs only on the lines where one of its cores matched. A core is
sound if the plugin's own pattern cannot match a line without the core matching in it,
so the prefilter never changes a result, only skips work.

Cores never match a newline, so a match cannot run from one line into the next. Case-
insensitive plugin patterns get cores on a *folded* copy of the text (lower-cased, with
the four non-ASCII letters that ``re.IGNORECASE`` equates with ASCII ones mapped to
them), because ``re.IGNORECASE`` scanning is an order of magnitude slower.

A core is tied to the plugin patterns it was derived from: :func:`cores_for` checks a
fingerprint of the plugin's patterns and returns ``None`` (scan every line) for a plugin
whose patterns changed or that it does not know.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from releasekit.scan.accelerated import core_hits

# Characters other than A-Z/a-z that re.IGNORECASE matches against an ASCII letter, and
# the one character whose str.lower() is longer than one character (U+0130).
_FOLDS = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}


def fold(text: str) -> str:
    """Lower-case ``text`` keeping every offset, so folded matches map back to lines."""
    if not text.isascii():
        for char, ascii_letter in _FOLDS.items():
            if char in text:
                text = text.replace(char, ascii_letter)
    return text.lower()


@dataclass(frozen=True)
class Core:
    """A pattern searched in the raw text (``folded=False``) or the folded text.

    ``check``, if given, is called with (source text, match start) and can reject a
    match cheaply, e.g. the keyword prefix in front of a literal ``key``.
    ``accelerated`` is one pattern that matches exactly where ``pattern`` matches and
    ``check`` accepts, for :mod:`releasekit.scan.accelerated` (``None``: ``pattern``).
    """

    pattern: re.Pattern[str]
    folded: bool = False
    check: Callable[[str, int], bool] | None = None
    accelerated: str | None = None


def _core(
    pattern: str,
    folded: bool = False,
    check: Callable[[str, int], bool] | None = None,
    accelerated: str | None = None,
) -> Core:
    return Core(re.compile(pattern), folded, check, accelerated)


def _literal(text: str, folded: bool = False) -> Core:
    return _core(re.escape(text), folded)


_KEY_PREFIXES = r"(?:api|auth|service|account|db|database|priv|private|client)_?"
_KEY_PREFIX = re.compile(_KEY_PREFIXES + r"\Z")


def _keyword_key_check(source: str, start: int) -> bool:
    # the longest prefix, "database_", is 9 characters
    return _KEY_PREFIX.search(source, max(0, start - 9), start) is not None


_KEYWORD_CORES = (
    _core("key", True, _keyword_key_check, accelerated=_KEY_PREFIXES + "key"),
    _literal("pass", True),
    _literal("pwd", True),
    _literal("secret", True),
    _literal("contrase", True),
)
_ASSIGN = r"(?:\"|'|)(?:\]|) *(?:=|:|:=|=>| +|::) *(?:\"|'|)"

# Class name -> cores.
# Entropy plugins are handled by ``entropy_cores`` since their cores depend on the limit.
_CORES: dict[str, tuple[Core, ...]] = {
    "ArtifactoryDetector": (
        _core(r"AKC[a-zA-Z0-9]{10}"),
        _core(r"AP[\dABCDEF][a-zA-Z0-9]{8}"),
    ),
    "AWSKeyDetector": (
        _core(r"(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{16}"),
        _core(r"['\"][0-9a-z/+]{40}['\"]", folded=True),
    ),
    "AzureStorageKeyDetector": (_literal("AccountKey="),),
    "BasicAuthDetector": (_literal("://"),),
    "CloudantDetector": (
        _core(r"(?:cloudant|cl|clou)(?:_|-|)(?:api|)(?:key|pwd|pw|password|pass|token)", folded=True),
        _literal("cloudant.com", folded=True),
    ),
    "DiscordBotTokenDetector": (_core(r"\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}"),),
    "GitHubTokenDetector": (_core(r"gh[pousr]_"),),
    "GitLabTokenDetector": (
        _core(r"gl(?:pat|dt|ft|soat|rt|cbt|imt|ptt|agent|oas)-"),
        _literal("GR1348941"),
    ),
    "IbmCloudIamDetector": tuple(
        _core(keyword + _ASSIGN + r"[a-z0-9_\-]{44}", folded=True)
        for keyword in ("key", "pwd", "password", "pass", "token")
    ),
    "IbmCosHmacDetector": (_core(r"secret[-_]?(?:access)?[-_]?key", folded=True),),
    "IPPublicDetector": (_core(r"\.[0-9]{1,3}\.[0-9]{1,3}\."),),
    "JwtTokenDetector": (_literal("eyJ"),),
    "KeywordDetector": _KEYWORD_CORES,
    "MailchimpDetector": (_core(r"-us[0-9]"),),
    "NpmDetector": (_literal("/:_authToken="),),
    "OpenAIDetector": (_literal("T3BlbkFJ"),),
    "PrivateKeyDetector": (_literal("PRIVATE KEY"), _literal("PuTTY-User-Key-File-2")),
    "PypiTokenDetector": (_literal("pypi-AgE"),),
    "SendGridDetector": (_literal("SG."),),
    "SlackDetector": (_core(r"xox[abposr]-", folded=True), _literal("hooks.slack.com", folded=True)),
    "SoftlayerDetector": (
        _core(r"(?:softlayer|sl)(?:_|-|)(?:api|)(?:_|-|)(?:key|pwd|password|pass|token)", folded=True),
        _literal("softlayer", folded=True),
    ),
    "SquareOAuthDetector": (_literal("sq0csp-"),),
    "StripeDetector": (_literal("k_live_"),),
    "TelegramBotTokenDetector": (_core(r":[0-9A-Za-z_-]{35}"),),
    "TwilioKeyDetector": (_core(r"AC[a-z0-9]{32}"), _core(r"SK[a-z0-9]{32}")),
}


@functools.cache
def _fingerprint_of_class(cls: Any) -> str:
    return plugin_fingerprint(cls())


def plugin_fingerprint(plugin: Any) -> str:
    """A short hash of the patterns that decide what a plugin matches."""
    patterns = list(getattr(type(plugin), "denylist", ()))
    if type(plugin).__name__ == "KeywordDetector":
        from detect_secrets.plugins import keyword

        for table in (*keyword.REGEX_BY_FILETYPE.values(), keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP):
            patterns += [p for p in table]
    text = "\n".join(f"{p.pattern}\0{p.flags}" for p in patterns)
    return hashlib.sha1(f"{type(plugin).__name__}\n{text}".encode()).hexdigest()[:12]


# Fingerprints of detect-secrets 1.5.0's plugins, which the cores above were derived from.
KNOWN_FINGERPRINTS: dict[str, str] = {
    "ArtifactoryDetector": "200d462499ba",
    "AWSKeyDetector": "44e23610eadb",
    "AzureStorageKeyDetector": "791f470eca2e",
    "BasicAuthDetector": "8ae81315953f",
    "CloudantDetector": "b5de87a9356d",
    "DiscordBotTokenDetector": "0e1a60e46d14",
    "GitHubTokenDetector": "85182c7fcb46",
    "GitLabTokenDetector": "f8a976448d8f",
    "IbmCloudIamDetector": "1846c9200380",
    "IbmCosHmacDetector": "149db2617611",
    "IPPublicDetector": "08f23c93b512",
    "JwtTokenDetector": "b54bcb9059a2",
    "KeywordDetector": "d5fbb1b8ab11",
    "MailchimpDetector": "79ad06b5ce56",
    "NpmDetector": "b942f2d17014",
    "OpenAIDetector": "885576900026",
    "PrivateKeyDetector": "877a9bdb49b0",
    "PypiTokenDetector": "642e79f22bb3",
    "SendGridDetector": "39f0436ff214",
    "SlackDetector": "0ee2cb54e207",
    "SoftlayerDetector": "0da6aaaf0694",
    "SquareOAuthDetector": "1c7a13bc4338",
    "StripeDetector": "b947e2cedcaa",
    "TelegramBotTokenDetector": "8045d7158bcd",
    "TwilioKeyDetector": "a027c5eabda6",
}


def entropy_min_length(limit: float) -> int:
    """Shortest string whose Shannon entropy can exceed ``limit`` bits per character.

    Entropy is at most log2(distinct characters) <= log2(length); one character of
    margin keeps float rounding at the boundary on the safe side.
    """
    return max(1, math.floor(2**limit) - 1)


def entropy_cores(charset: str, limit: float) -> tuple[Core, ...]:
    body = re.escape(charset)
    return (_core(rf"['\"][{body}]{{{entropy_min_length(limit)},}}['\"]"),)


def cores_for(plugin: Any) -> tuple[Core, ...] | None:
    """The cores of an initialised plugin, or ``None`` to scan it on every line."""
    name = type(plugin).__name__
    if name in ("Base64HighEntropyString", "HexHighEntropyString"):
        return entropy_cores(plugin.charset, plugin.entropy_limit)
    entry = _CORES.get(name)
    plugin_class: Any = type(plugin)
    if entry is None or _fingerprint_of_class(plugin_class) != KNOWN_FINGERPRINTS.get(name):
        return None
    return entry


def candidate_lines(
    text: str, cores_by_plugin: Sequence[tuple[Core, ...] | None]
) -> list[tuple[int, int, int, frozenset[int]]]:
    """Lines where some plugin may report, as (line number, start, end, plugin indexes).

    ``start``/``end`` delimit the line in ``text`` without its newline. A plugin with
    cores ``None`` is a candidate on every line.
    """
    folded: str | None = None
    everywhere = [i for i, cores in enumerate(cores_by_plugin) if cores is None]
    accelerated = core_hits(text, cores_by_plugin)
    hits: list[tuple[int, int]] = [] if accelerated is None else accelerated
    for index, cores in enumerate(cores_by_plugin):
        if cores is None or accelerated is not None:
            continue
        for core in cores:
            if core.folded:
                if folded is None:
                    folded = fold(text)
                source = folded
            else:
                source = text
            check = core.check
            for match in core.pattern.finditer(source):
                start = match.start()
                if check is None or check(source, start):
                    hits.append((start, index))
    if everywhere:
        return _every_line(text, hits, everywhere)
    if not hits:
        return []
    hits.sort()
    out: list[tuple[int, int, int, frozenset[int]]] = []
    line_no, counted_to = 1, 0
    line_start, line_end = 0, -1
    plugins: set[int] = set()
    for position, index in hits:
        if position > line_end:
            if line_end >= 0:
                out.append((line_no, line_start, line_end, frozenset(plugins)))
                plugins = set()
            line_no += text.count("\n", counted_to, position)
            counted_to = position
            line_start = text.rfind("\n", 0, position) + 1
            line_end = text.find("\n", position)
            if line_end < 0:
                line_end = len(text)
        plugins.add(index)
    out.append((line_no, line_start, line_end, frozenset(plugins)))
    return out


def _every_line(
    text: str, hits: list[tuple[int, int]], everywhere: list[int]
) -> list[tuple[int, int, int, frozenset[int]]]:
    """Slow path for plugins without cores: every line, plus the cored plugins' hits."""
    by_line: dict[int, set[int]] = {}
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    if starts[-1] == len(text) and len(starts) > 1:
        starts.pop()
    import bisect

    for position, index in hits:
        by_line.setdefault(bisect.bisect_right(starts, position) - 1, set()).add(index)
    out = []
    for i, start in enumerate(starts):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        out.append((i + 1, start, end, frozenset(by_line.get(i, set()) | set(everywhere))))
    return out

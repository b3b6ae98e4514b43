"""releasekit's own token detectors: credential formats detect-secrets lacks or filters away.

detect-secrets runs its plugins line by line behind heuristic filters; its "indirect
reference" filter drops every line that looks like ``x = f(...)``, which is how packages
hand keys to clients (``require("stripe")("sk_live_…")``, ``createClient({apiKey: …})``)
and how every line of a minified bundle looks. These detectors run over the whole text
instead, with no filter: each format starts with a literal, so every pattern is one
C-speed pass, linear in the file whatever its line lengths.

Escaped string contents are scanned decoded too: a token right after ``\\n`` in a
source map's ``sourcesContent`` (or any JSON or JS string) is glued to the ``n`` in the
raw text, and ``\\u`` escapes can spell a token out. Each line holding a backslash is
decoded on its own, so a hit keeps the line number of the raw line it came from.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from releasekit.scan import accelerated


@dataclass(frozen=True)
class TokenFormat:
    """One credential format: its finding type and a pattern starting with a literal.

    ``before`` is the class of characters that must not precede a match (a longer word
    is not this token); the check runs in Python on hits only, because a lookbehind in
    front of the literal would cost the pattern its fast literal search.
    """

    type: str
    pattern: re.Pattern[str]
    before: str = ""
    # Text in front of the literal that belongs to the token: one of ``lead`` must be
    # there if ``lead_required``, else it is taken when present. Kept out of the pattern
    # so that it starts with its literal (``[rs]k_live_`` scans 25 times slower).
    lead: tuple[str, ...] = ()
    lead_required: bool = False


NPM = "npm Access Token"
GITHUB = "GitHub Token"
GITHUB_FINE_GRAINED = "GitHub Fine-Grained Token"
STRIPE = "Stripe Live Key"
SLACK = "Slack Bot or User Token"
SENDGRID = "SendGrid API Key"
GOOGLE = "Google API Key"
AWS_KEY_ID = "AWS Access Key"
PRIVATE_KEY_BLOCK = "Private Key Block"

_ALNUM = "A-Za-z0-9"
FORMATS: tuple[TokenFormat, ...] = (
    TokenFormat(NPM, re.compile(r"npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])"), _ALNUM + "_"),
    TokenFormat(GITHUB, re.compile(r"gh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9])"), _ALNUM + "_"),
    TokenFormat(
        GITHUB_FINE_GRAINED, re.compile(r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}(?![A-Za-z0-9])"), _ALNUM
    ),
    # live secret and restricted keys at their full length (detect-secrets stops at 24)
    TokenFormat(STRIPE, re.compile(r"k_live_[0-9A-Za-z]{24,247}(?![0-9A-Za-z])"), _ALNUM, ("r", "s"), True),
    # bot, user and app-level tokens, including the rotating xoxe. form; bounded runs
    TokenFormat(SLACK, re.compile(r"xox[bpe]-[0-9]{6,32}-[0-9A-Za-z-]{10,250}"), _ALNUM, ("xoxe.",)),
    TokenFormat(SLACK, re.compile(r"xapp-[0-9]-[A-Z0-9]{1,32}-[0-9]{1,32}-[a-f0-9]{32,128}"), _ALNUM),
    TokenFormat(SENDGRID, re.compile(r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])"), _ALNUM),
    TokenFormat(GOOGLE, re.compile(r"AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"), _ALNUM + "_-"),
    TokenFormat(AWS_KEY_ID, re.compile(r"(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?![0-9A-Z])"), "0-9A-Z"),
    # PEM private key headers, including PKCS#8 encrypted keys detect-secrets misses
    TokenFormat(
        PRIVATE_KEY_BLOCK, re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----")
    ),
)
TYPES = tuple(dict.fromkeys(f.type for f in FORMATS))
PATTERNS = tuple(f.pattern for f in FORMATS)

_BEFORE = {f.before: re.compile(f"[{f.before}]") for f in FORMATS if f.before}


@dataclass(frozen=True)
class TokenHit:
    """A token found in a file: type, 1-based line, the token, and the text from it on."""

    type: str
    line: int
    secret: str
    context: str


def _matches(text: str) -> Iterator[tuple[str, int, str]]:
    """(type, offset, token) for every token in ``text``.

    With Hyperscan, one pass first says which formats can match at all; only those
    run as regexes.
    """
    present = accelerated.formats_present(text, PATTERNS)
    for index, fmt in enumerate(FORMATS):
        if present is not None and index not in present:
            continue
        before = _BEFORE.get(fmt.before)
        for match in fmt.pattern.finditer(text):
            start = match.start()
            lead = next(
                (x for x in fmt.lead if text.startswith(x, max(start - len(x), 0)) and start >= len(x)), ""
            )
            if fmt.lead_required and not lead:
                continue
            start -= len(lead)
            if before is not None and start and before.match(text, start - 1):
                continue
            yield fmt.type, start, text[start : match.end()]


_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|(.))", re.DOTALL)
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _unescape(match: re.Match[str]) -> str:
    hex4, hex2, char = match.groups()
    if hex4 is not None or hex2 is not None:
        return chr(int(hex4 or hex2, 16))
    return _SIMPLE.get(char, char)


# How far past a line's start a hit's context reaches (a PEM body is judged from it).
CONTEXT = 16_384


def scan_tokens(text: str) -> list[TokenHit]:
    """Every token in ``text`` (normalised newlines), raw and in decoded escapes, in order."""
    line_starts: list[int] | None = None
    hits: list[TokenHit] = []
    for rule, offset, token in _matches(text):
        if line_starts is None:
            line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
        index = bisect.bisect_right(line_starts, offset) - 1
        hits.append(TokenHit(rule, index + 1, token, text[offset : offset + CONTEXT]))
    if "\\" in text:
        hits += _decoded_hits(text)
    hits.sort(key=lambda h: h.line)
    return hits


def _decoded_hits(text: str) -> list[TokenHit]:
    """Tokens in the decoded escapes of each line that holds a backslash."""
    pieces: list[str] = []
    lines: list[int] = []
    offsets: list[int] = []
    size = 0
    line_no, counted_to, position = 1, 0, text.find("\\")
    while position >= 0:
        line_no += text.count("\n", counted_to, position)
        start = text.rfind("\n", 0, position) + 1
        end = text.find("\n", position)
        end = len(text) if end < 0 else end
        decoded = _ESCAPE.sub(_unescape, text[start:end])
        offsets.append(size)
        lines.append(line_no)
        pieces.append(decoded)
        size += len(decoded) + 1
        counted_to = start
        position = text.find("\\", end)
    joined = "\n".join(pieces)
    hits = []
    for rule, offset, token in _matches(joined):
        index = bisect.bisect_right(offsets, offset) - 1
        hits.append(TokenHit(rule, lines[index], token, joined[offset : offset + CONTEXT]))
    return hits

"""Is a found secret plausibly real? The reason it is not, or ``None``.

A finding that is not plausibly real (a documentation example, a placeholder, a token
whose checksum is wrong) is still reported, as a warning that says why, so that the
gate fails only on what could be a live credential:

- checksums: GitHub's (``ghp_``, ``gho_``, ``ghu_``, ``ghs_``, ``ghr_``) and npm's
  (``npm_``) tokens end in six base62 digits holding the CRC32 of the 30 random
  characters before them; a token npm or GitHub issued always passes;
- documented example values: AWS's ``AKIAIOSFODNN7EXAMPLE`` family, jwt.io's sample
  token, and values containing words such as ``EXAMPLE``;
- templated placeholders (``YOUR_…_HERE``, ``REPLACE_ME``...);
- low entropy: a run of one character, an alphabet run, too few distinct characters;
- a PEM private key whose body is elided (``...``) or too short to hold a key.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import zlib
from collections import Counter

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# Values published in vendors' documentation as examples.
DOCUMENTED_EXAMPLES = {
    "AKIAIOSFODNN7EXAMPLE": "AWS's documented example access key id",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY": "AWS's documented example secret key",
    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY": "AWS's documented example secret key",
}
_EXAMPLE_WORDS = re.compile(
    r"example|sample|dummy|placeholder|redacted|changeme|notarealkey|fakekey", re.IGNORECASE
)
_TEMPLATE_WORDS = re.compile(r"YOUR|_HERE|HERE_|REPLACE|INSERT|CHANGE_?ME|TOKEN_?GOES|<[^>]*>|\{\{|\$\{|%s")

# Prefixes whose rest is the random part (what entropy is measured on).
_PREFIXES = re.compile(
    r"^(?:npm_|gh[pousr]_|github_pat_|[rs]k_live_|xox[abpe]-|xoxe\.xox[bpe]-|xapp-|SG\.|AIza|AKIA|ASIA|ABIA|ACCA)"
)
_CHECKSUMMED = re.compile(r"^(npm|gh[pousr])_([A-Za-z0-9]{30})([A-Za-z0-9]{6})$")
_PEM_HEADER = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_PEM_END = re.compile(r"-----END[ A-Z]*-----")
_PEM_BODY_NOISE = re.compile(r"(?:\\+[nr]?)|[\s\"'`+,;]|Proc-Type:[^\n]*|DEK-Info:[^\n]*")


def base62_crc32(data: str) -> str:
    """The six-digit base62 CRC32 GitHub and npm append to their tokens."""
    value = zlib.crc32(data.encode("ascii"))
    digits = ""
    while value:
        value, rest = divmod(value, 62)
        digits = BASE62[rest] + digits
    return digits.rjust(6, "0")


def checksum_reason(secret: str) -> str | None:
    """Why a GitHub/npm token's checksum rules it out, or ``None`` (passes, or no checksum)."""
    match = _CHECKSUMMED.match(secret)
    if match is None:
        return None
    prefix, random_part, checksum = match.groups()
    if base62_crc32(random_part) == checksum:
        return None
    issuer = "npm" if prefix == "npm" else "GitHub"
    return f"its CRC32 checksum does not match, so {issuer} did not issue it"


def shannon_entropy(data: str) -> float:
    counts = Counter(data)
    return -sum(c / len(data) * math.log2(c / len(data)) for c in counts.values())


def _alphabet_run(data: str, length: int) -> bool:
    """A run of ``length`` characters each one after the previous (abcdefgh, 12345678)."""
    run = 1
    for a, b in zip(data, data[1:], strict=False):
        run = run + 1 if ord(b) - ord(a) == 1 else 1
        if run >= length:
            return True
    return False


def low_entropy_reason(body: str) -> str | None:
    """Why a token's random part looks typed by hand, or ``None``."""
    if len(body) < 12:
        return None
    if re.search(r"(.)\1{5}", body):
        return "it holds a run of one repeated character, a placeholder's padding"
    if _alphabet_run(body, 8):
        return "it holds an alphabet or digit sequence, not random characters"
    if shannon_entropy(body) < 3.0:
        return f"its entropy is {shannon_entropy(body):.1f} bits per character, far below a random token's"
    return None


def _jwt_reason(secret: str) -> str | None:
    parts = secret.split(".")
    if len(parts) < 2:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if isinstance(payload, dict) and payload.get("sub") == "1234567890" and payload.get("name") == "John Doe":
        return "it is jwt.io's sample token"
    return None


def pem_reason(context: str) -> str | None:
    """Why the PEM block at the start of ``context`` holds no key, or ``None``."""
    header = _PEM_HEADER.search(context)
    if header is None:
        return None
    end = _PEM_END.search(context, header.end())
    body = context[header.end() : end.start() if end else len(context)]
    if end is None:
        body = body[:4096]
    if "..." in body or "\u2026" in body:
        return "its body is elided ('...'), a documentation excerpt"
    cleaned = _PEM_BODY_NOISE.sub("", body)
    if end is not None and len(cleaned) < 64:
        return "its body is too short to hold a key"
    return None


def implausible_reason(rule_type: str, secret: str, context: str = "") -> str | None:
    """The reason ``secret`` (found by ``rule_type``) is not plausibly a live credential.

    ``context`` is the text from the finding on (used for PEM blocks, whose finding is
    the header). ``None`` means it is treated as real.
    """
    if secret in DOCUMENTED_EXAMPLES:
        return f"it is {DOCUMENTED_EXAMPLES[secret]}"
    if "PRIVATE KEY" in secret or "PuTTY" in secret:
        return pem_reason(context) if context else None
    if secret.startswith("eyJ"):
        reason = _jwt_reason(secret)
        if reason:
            return reason
    word = _EXAMPLE_WORDS.search(secret)
    if word:
        return f"it contains the word {word.group().lower()!r}, an example value"
    template = _TEMPLATE_WORDS.search(secret)
    if template:
        return f"it reads as a template ({template.group()!r}), not a value"
    prefix = _PREFIXES.match(secret)
    return low_entropy_reason(secret[prefix.end() :] if prefix else secret) or checksum_reason(secret)

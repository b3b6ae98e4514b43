"""Content signals in shipped files: minified or obfuscated code, risky APIs, binaries."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from releasekit.redaction import shorten

JS_SUFFIXES = (".js", ".cjs", ".mjs", ".jsx")
BINARY_SUFFIXES = (".node", ".exe", ".dll", ".so", ".dylib", ".wasm", ".bin")
MINIFIED_LINE = 1000  # characters; hand-written code rarely has longer lines
OBFUSCATED_ENTROPY = 5.3  # bits per character over the whole file
ESCAPE_DENSITY = 0.05  # share of characters inside \xNN / \uNNNN escapes

RISKY_APIS: dict[str, re.Pattern[str]] = {
    "child_process": re.compile(r"""child_process|\b(?:execSync|spawnSync|execFileSync)\s*\("""),
    "eval": re.compile(r"(?<![\w.$])eval\s*\("),
    "new Function": re.compile(r"\bnew\s+Function\s*\("),
    "http(s) request": re.compile(r"\bhttps?\s*\.\s*(?:request|get)\s*\("),
    "fetch": re.compile(r"(?<![\w.$])fetch\s*\("),
    "net/dgram socket": re.compile(
        r"""\bnet\s*\.\s*(?:connect|createConnection|Socket)\b|require\(\s*['"](?:node:)?(?:net|dgram|tls)['"]\s*\)"""
    ),
    "dns lookup": re.compile(r"""\bdns\s*\.\s*(?:lookup|resolve\w*)\s*\("""),
    "vm": re.compile(r"""require\(\s*['"](?:node:)?vm['"]\s*\)|from\s+['"](?:node:)?vm['"]"""),
    "process.binding": re.compile(r"\bprocess\s*\.\s*(?:binding|dlopen)\s*\("),
    "WebSocket": re.compile(r"\bnew\s+WebSocket\s*\("),
}


@dataclass(frozen=True)
class ApiUse:
    api: str
    file: str
    line: int
    text: str


def is_binary(path: str, data: bytes) -> bool:
    return path.endswith(BINARY_SUFFIXES) or b"\0" in data[:8192]


def entropy(text: str) -> float:
    if not text:
        return 0.0
    counts = Counter(text)
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def minified_or_obfuscated(text: str) -> str | None:
    """``"obfuscated"``, ``"minified"`` or ``None`` for ordinary source."""
    escapes = sum(len(m) for m in re.findall(r"\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}", text))
    if text and (escapes / len(text) > ESCAPE_DENSITY or entropy(text) > OBFUSCATED_ENTROPY):
        return "obfuscated"
    if any(len(line) >= MINIFIED_LINE for line in text.splitlines()):
        return "minified"
    return None


def api_uses(path: str, text: str) -> list[ApiUse]:
    if not path.endswith(JS_SUFFIXES):
        return []
    uses = []
    for number, line in enumerate(text.splitlines(), 1):
        for api, pattern in RISKY_APIS.items():
            if pattern.search(line):
                snippet = line.strip()
                uses.append(ApiUse(api, path, number, shorten(snippet, 123)))
    return uses

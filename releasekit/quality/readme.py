"""The README a package ships, and which documentation sections it has.

npm always packs a ``README`` (any case, any extension) from the package root,
and the registry shows it on the package page. Sections are found from
headings: Markdown ATX (``## Usage``) and setext (underlined) headings, and
reStructuredText/AsciiDoc-style underlines, which cover what READMEs use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from releasekit.package.model import PackedFile, PackedPackage

_README = re.compile(r"^readme(?:\.[^/]*)?$", re.IGNORECASE)
_ATX = re.compile(r"^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+|~+|\^+)\s*$")
_HTML_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>", re.IGNORECASE | re.DOTALL)

# Heading words for each section; matched as whole words, case-insensitively.
SECTIONS: dict[str, re.Pattern[str]] = {
    "install": re.compile(r"\b(install(?:ation|ing)?|setup|set up|getting started)\b", re.IGNORECASE),
    "usage": re.compile(r"\b(usage|examples?|how to use|quick ?start|getting started)\b", re.IGNORECASE),
    "api": re.compile(r"\b(api|reference|methods|functions)\b", re.IGNORECASE),
}
# An install command in the text counts as install documentation even without a heading.
_INSTALL_COMMAND = re.compile(
    r"\b(?:npm (?:i|install|add)|yarn add|pnpm (?:add|i|install)|bun add)\s+\S", re.IGNORECASE
)


def find_readme(package: PackedPackage) -> PackedFile | None:
    """The root README, preferring ``README.md`` when several exist (as npm does)."""
    candidates = [f for f in package.files if "/" not in f.path and _README.match(f.path)]
    if not candidates:
        return None
    candidates.sort(key=lambda f: (f.path.lower() != "readme.md", f.path.lower() != "readme", f.path))
    return candidates[0]


def headings(text: str) -> list[str]:
    """Heading texts, in order."""
    found: list[str] = []
    lines = text.splitlines()
    in_fence = False
    for index, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        atx = _ATX.match(line)
        if atx:
            found.append(atx.group(1))
        elif (
            index + 1 < len(lines)
            and line.strip()
            and _UNDERLINE.match(lines[index + 1])
            and len(lines[index + 1].strip()) >= min(3, len(line.strip()))
        ):
            found.append(line.strip())
    found.extend(re.sub(r"<[^>]+>", "", m).strip() for m in _HTML_HEADING.findall(text))
    return found


def sections(text: str) -> set[str]:
    """Which of ``SECTIONS`` the README documents."""
    present = {name for name, pattern in SECTIONS.items() if _any_match(pattern, headings(text))}
    if _INSTALL_COMMAND.search(text):
        present.add("install")
    return present


def _any_match(pattern: re.Pattern[str], texts: Iterable[str]) -> bool:
    return any(pattern.search(t) for t in texts)

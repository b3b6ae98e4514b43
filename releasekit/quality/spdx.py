"""SPDX license expressions, as package.json's ``license`` field holds them.

Grammar (SPDX spec, annex D), with AND binding tighter than OR::

    expression := and-expr ("OR" and-expr)*
    and-expr   := term ("AND" term)*
    term       := "(" expression ")" | license ["WITH" exception]
    license    := license-id ["+"] | "LicenseRef-"idstring | "DocumentRef-"idstring":LicenseRef-"idstring

Identifiers match case-insensitively, as the spec allows; operators may be
upper or lower case. The identifier lists live in ``spdx.json``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

_TOKEN = re.compile(r"\s*(\(|\)|[A-Za-z0-9.+:-]+)")
_REF = re.compile(r"^(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$")
_OPERATORS = {"AND", "OR", "WITH", "and", "or", "with"}


@cache
def _lists() -> tuple[frozenset[str], frozenset[str]]:
    text = resources.files("releasekit.quality").joinpath("spdx.json").read_text("utf-8")
    data = json.loads(text)
    licenses = {s.lower() for s in data["licenses"]} | {s.lower() for s in data["deprecated_licenses"]}
    exceptions = {s.lower() for s in data["exceptions"]}
    return frozenset(licenses), frozenset(exceptions)


def is_license_id(text: str) -> bool:
    return text.lower() in _lists()[0]


def _tokenize(text: str) -> list[str] | None:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            return None
        tokens.append(match.group(1))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str | None:
        token = self.peek()
        self.pos += 1
        return token

    def operator(self, name: str) -> bool:
        token = self.peek()
        if token is not None and token in (name, name.lower()):
            self.pos += 1
            return True
        return False

    def expression(self) -> bool:
        if not self.and_expr():
            return False
        while self.operator("OR"):
            if not self.and_expr():
                return False
        return True

    def and_expr(self) -> bool:
        if not self.term():
            return False
        while self.operator("AND"):
            if not self.term():
                return False
        return True

    def term(self) -> bool:
        token = self.take()
        if token is None or token in _OPERATORS or token == ")":
            return False
        if token == "(":
            return self.expression() and self.take() == ")"
        if not _license(token):
            return False
        if self.operator("WITH"):
            exception = self.take()
            return exception is not None and exception.lower() in _lists()[1]
        return True


def _license(token: str) -> bool:
    if _REF.match(token):
        return True
    return is_license_id(token.removesuffix("+"))


def is_valid_expression(text: object) -> bool:
    """Whether ``text`` is a valid SPDX license expression (``MIT``, ``(MIT OR Apache-2.0)``...)."""
    if not isinstance(text, str) or not text.strip():
        return False
    tokens = _tokenize(text)
    if not tokens:
        return False
    parser = _Parser(tokens)
    return parser.expression() and parser.pos == len(tokens)

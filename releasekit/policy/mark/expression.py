"""``-k`` expressions: ``readme and not (secrets or slow)``.

Grammar (``and`` binds tighter than ``or``, as in Python)::

    expr     := and_expr ("or" and_expr)*
    and_expr := not_expr ("and" not_expr)*
    not_expr := "not" not_expr | "(" expr ")" | IDENT

An identifier is matched by a caller-supplied function, so the same parser
serves policy names, marker names and categories.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from releasekit.errors import UsageError

Matcher = Callable[[str], bool]
Node = Callable[[Matcher], bool]

_TOKEN = re.compile(r"\s*(?:(?P<paren>[()])|(?P<ident>[\w.:/\[\]+-]+)|(?P<bad>\S))")
_KEYWORDS = {"and", "or", "not"}


@dataclass(frozen=True)
class Token:
    kind: str  # "(", ")", "and", "or", "not", "ident", "end"
    value: str
    column: int  # 1-based, for error messages


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:  # only trailing whitespace is left
            break
        column = match.start(match.lastgroup or 0) + 1
        if match.group("paren"):
            tokens.append(Token(match.group("paren"), match.group("paren"), column))
        elif match.group("ident"):
            word = match.group("ident")
            tokens.append(Token(word if word in _KEYWORDS else "ident", word, column))
        else:
            raise ExpressionError(text, column, f"unexpected character {match.group('bad')!r}")
        pos = match.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


class ExpressionError(UsageError):
    def __init__(self, text: str, column: int, problem: str) -> None:
        super().__init__(f"bad -k expression {text!r}: column {column}: {problem}")
        self.column = column


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.pos]

    def accept(self, kind: str) -> Token | None:
        token = self.current
        if token.kind == kind:
            self.pos += 1
            return token
        return None

    def reject(self, expected: str) -> ExpressionError:
        token = self.current
        got = "end of input" if token.kind == "end" else repr(token.value)
        return ExpressionError(self.text, token.column, f"expected {expected}; got {got}")

    def parse(self) -> Node:
        node = self.expr()
        if self.current.kind != "end":
            raise self.reject("'and', 'or' or end of input")
        return node

    def expr(self) -> Node:
        parts = [self.and_expr()]
        while self.accept("or"):
            parts.append(self.and_expr())
        if len(parts) == 1:
            return parts[0]
        return lambda match: any(part(match) for part in parts)

    def and_expr(self) -> Node:
        parts = [self.not_expr()]
        while self.accept("and"):
            parts.append(self.not_expr())
        if len(parts) == 1:
            return parts[0]
        return lambda match: all(part(match) for part in parts)

    def not_expr(self) -> Node:
        if self.accept("not"):
            inner = self.not_expr()
            return lambda match: not inner(match)
        if self.accept("("):
            inner = self.expr()
            if not self.accept(")"):
                raise self.reject("')'")
            return inner
        token = self.accept("ident")
        if token is None:
            raise self.reject("a name, 'not' or '('")
        word = token.value
        return lambda match: match(word)


@dataclass(frozen=True)
class Expression:
    """A compiled ``-k`` expression; ``evaluate(matcher)`` tells whether it selects."""

    text: str
    _root: Node

    @classmethod
    def compile(cls, text: str) -> Expression:
        if not text.strip():
            return cls(text, lambda match: True)
        return cls(text, _Parser(text).parse())

    def evaluate(self, matcher: Matcher) -> bool:
        return self._root(matcher)

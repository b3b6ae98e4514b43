"""Explain a failing ``assert`` from its source, as pytest's old re-interpretation did.

The policy's failing frame is parsed with :mod:`ast` to recover the asserted
expression's text. Operands that are plain names or attribute chains are
re-read from the frame to add ``where`` lines. Only numbers, booleans, ``None``
and the *length* of strings and containers are shown, never their contents, so
an explanation cannot leak a secret the policy was looking at.
"""

from __future__ import annotations

import ast
import linecache
import traceback
from dataclasses import dataclass, field
from types import FrameType
from typing import Any


@dataclass
class AssertionExplanation:
    expression: str | None  # "assert <expr>" or None if the source was not found
    message: str
    file: str
    line: int
    where: list[str] = field(default_factory=list)

    def text(self) -> str:
        head = self.expression or "AssertionError"
        parts = [f"{head}: {self.message}" if self.message else head]
        parts.extend(f"  where {w}" for w in self.where)
        return "\n".join(parts)


def explain(exc: AssertionError) -> AssertionExplanation:
    frames = list(traceback.walk_tb(exc.__traceback__))
    message = str(exc) if exc.args else ""
    if not frames:
        return AssertionExplanation(None, message, "", 0)
    frame, line = frames[-1]
    filename = frame.f_code.co_filename
    node, source = _find_assert(filename, line)
    if node is None:
        return AssertionExplanation(None, message, filename, line)
    segment = ast.get_source_segment(source, node.test) or ast.unparse(node.test)
    expression = "assert " + " ".join(segment.split())
    # Report the statement's first line, not the line of the operand Python points at.
    return AssertionExplanation(expression, message, filename, node.lineno, _where(node.test, frame, source))


def _find_assert(filename: str, line: int) -> tuple[ast.Assert | None, str]:
    source = "".join(linecache.getlines(filename))
    if not source:
        return None, ""
    try:
        tree = ast.parse(source, filename)
    except (SyntaxError, ValueError):
        return None, source
    best: ast.Assert | None = None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assert) or not node.lineno <= line <= (node.end_lineno or node.lineno):
            continue
        if best is None or node.lineno >= best.lineno:
            best = node
    return best, source


def _operands(test: ast.expr) -> list[ast.expr]:
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _operands(test.operand)
    if isinstance(test, ast.Compare):
        return [test.left, *test.comparators]
    if isinstance(test, ast.BoolOp):
        return [op for value in test.values for op in _operands(value)]
    if isinstance(test, ast.Call):
        return [*test.args, *(k.value for k in test.keywords)]
    return [test]


def _is_plain(node: ast.expr) -> bool:
    """Names and attribute chains: re-reading them has no visible side effect."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _where(test: ast.expr, frame: FrameType, source: str) -> list[str]:
    lines = []
    seen = set()
    for operand in _operands(test):
        if not _is_plain(operand):
            continue
        text = ast.get_source_segment(source, operand) or ast.unparse(operand)
        if text in seen:
            continue
        seen.add(text)
        try:
            value = eval(
                compile(ast.Expression(operand), "<assert>", "eval"), frame.f_globals, frame.f_locals
            )
        except Exception:
            continue
        shown = _safe_repr(value)
        if shown is not None:
            lines.append(f"{text} = {shown}")
    return lines


def _safe_repr(value: Any) -> str | None:
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    if callable(value):
        return None
    try:
        size = len(value)
    except Exception:
        return None  # only the type would show: not worth a line
    return f"<{type(value).__name__} of length {size}>"

"""A collected policy: the function, where it lives, and what its markers say."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from releasekit.policy.findings import Severity
from releasekit.policy.mark import Mark, get_marks

SEVERITIES = (Severity.ERROR.value, Severity.WARNING.value)


class InvalidMarkError(ValueError):
    """A known marker was given an unusable value (bad severity, negative points)."""


@dataclass
class Policy:
    """One policy function, ready to run.

    ``id`` is ``"<file>::<name>"``: the file relative to the project, or
    ``builtin/<file>`` for policies shipped with releasekit.
    """

    name: str
    function: Callable[..., Any]
    path: Path
    lineno: int
    id: str
    builtin: bool = False
    marks: list[Mark] = field(default_factory=list)

    @classmethod
    def from_function(
        cls,
        function: Callable[..., Any],
        *,
        path: Path,
        id: str,
        builtin: bool = False,
        name: str | None = None,
    ) -> Policy:
        target = inspect.unwrap(function)
        code = getattr(target, "__code__", None)
        lineno = code.co_firstlineno if code is not None else 1
        policy = cls(name or function.__name__, function, path, lineno, id, builtin, get_marks(function))
        policy.validate_marks()
        return policy

    def _last(self, name: str) -> Mark | None:
        # Decorators apply bottom-up and append, so the top-most one is last.
        found = [m for m in self.marks if m.name == name]
        return found[-1] if found else None

    def validate_marks(self) -> None:
        severity = self._last("severity")
        if severity is not None and (len(severity.args) != 1 or str(severity.args[0]) not in SEVERITIES):
            raise InvalidMarkError(f"severity must be one of {', '.join(SEVERITIES)}, got {severity.args!r}")
        points = self._last("points")
        if points is not None:
            value = points.args[0] if len(points.args) == 1 else None
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise InvalidMarkError(f"points must be one positive number, got {points.args!r}")
        category = self._last("category")
        if category is not None and (len(category.args) != 1 or not isinstance(category.args[0], str)):
            raise InvalidMarkError(f"category must be one string, got {category.args!r}")

    @property
    def severity(self) -> Severity:
        found = self._last("severity")
        return Severity(str(found.args[0])) if found is not None else Severity.ERROR

    @property
    def category(self) -> str | None:
        found = self._last("category")
        return str(found.args[0]) if found is not None else None

    @property
    def points(self) -> float | None:
        """Maximum quality points, or ``None`` if this is not a quality check."""
        found = self._last("points")
        return float(found.args[0]) if found is not None else None

    @property
    def is_quality(self) -> bool:
        return self.points is not None

    @property
    def label(self) -> str:
        """The docstring's first line, else the name."""
        doc = inspect.getdoc(self.function)
        return doc.strip().splitlines()[0] if doc and doc.strip() else self.name

    @property
    def argnames(self) -> tuple[str, ...]:
        """Arguments to fill with fixtures (those without defaults, as in pytest)."""
        return fixture_argnames(self.function)

    @property
    def location(self) -> str:
        return f"{self.id.split('::')[0]}:{self.lineno}"

    @property
    def keywords(self) -> set[str]:
        """Names ``-k`` matches exactly: marker names and the category."""
        words = {m.name for m in self.marks}
        if self.category:
            words.add(self.category)
        return words

    def describe(self) -> dict[str, Any]:
        """JSON-ready description (used by ``--list`` and reports)."""
        return {
            "id": self.id,
            "name": self.name,
            "file": self.id.split("::")[0],
            "line": self.lineno,
            "label": self.label,
            "severity": str(self.severity),
            "category": self.category,
            "points": self.points,
            "marks": [m.name for m in self.marks],
            "builtin": self.builtin,
        }


def fixture_argnames(function: Callable[..., Any]) -> tuple[str, ...]:
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return ()
    return tuple(
        p.name
        for p in signature.parameters.values()
        if p.default is inspect.Parameter.empty
        and p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    )

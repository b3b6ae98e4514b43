"""Markers, as pytest's ``mark``: ``@releasekit.mark.severity("warning")``.

Known markers:
- ``severity(level)``: ``"error"`` (default) fails the gate, ``"warning"`` does not;
- ``category(name)``: groups policies (quality categories use it);
- ``points(n)``: makes the policy a quality check worth ``n`` points.
Any other ``mark.NAME(*args, **kwargs)`` is kept and selectable with ``-k``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
MARKS_ATTRIBUTE = "__releasekit_marks__"


@dataclass(frozen=True)
class Mark:
    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MarkDecorator:
    mark: Mark

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # Applied to a function, bare (@mark.name) or after its arguments (@mark.name(1)):
        # as in pytest, a lone callable argument is the decorated function.
        if len(args) == 1 and not kwargs and callable(args[0]):
            return store_mark(args[0], self.mark)
        return MarkDecorator(Mark(self.mark.name, self.mark.args + args, {**self.mark.kwargs, **kwargs}))


class MarkGenerator:
    def __getattr__(self, name: str) -> MarkDecorator:
        if name.startswith("_"):
            raise AttributeError(name)
        return MarkDecorator(Mark(name))


def store_mark(func: F, mark: Mark) -> F:
    marks = list(getattr(func, MARKS_ATTRIBUTE, []))
    marks.append(mark)
    setattr(func, MARKS_ATTRIBUTE, marks)
    return func


def get_marks(func: Callable[..., Any]) -> list[Mark]:
    return list(getattr(func, MARKS_ATTRIBUTE, []))


mark = MarkGenerator()

"""Progress display for long work on a terminal: rich progress bars on stderr.

Off with ``--json``, when stderr is not a terminal, and in CI (``CI`` set), so that
logs and machine output never carry redraw sequences. The library reports through
:mod:`releasekit.progress`; this only draws, and stops drawing before anything else
is printed or asked (:meth:`ProgressDisplay.before`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from releasekit.cli.output import json_mode
from releasekit.progress import PACK, POLICIES, SCAN, ProgressEvent

_LABELS = {PACK: "Packing", SCAN: "Scanning for secrets", POLICIES: "Running policies"}
F = TypeVar("F", bound=Callable[..., Any])


def progress_wanted() -> bool:
    return (
        not json_mode()
        and sys.stderr.isatty()
        and not os.environ.get("CI")
        and os.environ.get("TERM") != "dumb"
    )


class ProgressDisplay:
    """Draws :class:`ProgressEvent`\\ s as bars on stderr (nothing at all when off)."""

    def __init__(self, enabled: bool) -> None:
        self.bars: Any = None
        self.tasks: dict[str, Any] = {}
        if enabled:
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

            from releasekit.cli.output import console

            self.bars = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[unit]}"),
                console=console(stderr=True),
                transient=True,
            )
            self.bars.start()

    @property
    def callback(self) -> Callable[[ProgressEvent], None] | None:
        return self.draw if self.bars is not None else None

    def draw(self, event: ProgressEvent) -> None:
        if self.bars is None:
            return
        if event.task not in self.tasks:
            label = _LABELS.get(event.task, event.task)
            self.tasks[event.task] = self.bars.add_task(label, total=event.total, unit=event.unit)
        self.bars.update(self.tasks[event.task], completed=event.done, total=event.total)

    def stop(self) -> None:
        if self.bars is not None:
            self.bars.stop()
            self.bars = None

    def before(self, function: F | None) -> F | None:
        """``function`` (a prompt, a report printer) with the display stopped first."""
        if function is None or self.bars is None:
            return function
        inner = function

        def stopped_first(*args: Any, **kwargs: Any) -> Any:
            self.stop()
            return inner(*args, **kwargs)

        return stopped_first  # type: ignore[return-value]


@contextmanager
def progress_display() -> Iterator[ProgressDisplay]:
    display = ProgressDisplay(progress_wanted())
    try:
        yield display
    finally:
        display.stop()

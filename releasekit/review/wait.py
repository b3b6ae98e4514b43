"""``stage publish --wait``: poll until a human approves or rejects, or time runs out."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from releasekit.errors import ExitCode, NotFound, UsageError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_duration(text: str) -> float:
    """``"90"``, ``"90s"``, ``"15m"``, ``"1h"`` -> seconds; anything else is a usage error."""
    match = _DURATION.match(text)
    if not match or float(match.group(1)) <= 0:
        raise UsageError(f"invalid duration {text!r}: use a positive number with s, m or h (e.g. 30m)")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


class Decision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    TIMED_OUT = "timed_out"

    @property
    def exit_code(self) -> int:
        return {
            Decision.APPROVED: ExitCode.OK,
            Decision.REJECTED: ExitCode.REFUSED,
            Decision.TIMED_OUT: ExitCode.TIMED_OUT,
        }[self]


class _StageReader(Protocol):
    def packument(self, name: str) -> dict | None: ...  # type: ignore[type-arg]
    def stage_view(self, stage_id: str) -> object: ...


@dataclass(frozen=True)
class WaitResult:
    decision: Decision
    polls: int
    elapsed: float

    def to_dict(self) -> dict[str, object]:
        return {"state": str(self.decision), "polls": self.polls, "elapsedSeconds": round(self.elapsed, 1)}


def _published(client: _StageReader, name: str, version: str) -> bool:
    packument = client.packument(name) or {}
    return version in (packument.get("versions") or {})


def wait_for_decision(
    client: _StageReader,
    *,
    name: str,
    version: str,
    stage_id: str,
    timeout: float,
    first_interval: float = 2.0,
    max_interval: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_poll: Callable[[int, float], None] | None = None,
) -> WaitResult:
    """Poll with exponential backoff; approved = published, rejected = gone and not published."""
    start = clock()
    interval = first_interval
    polls = 0
    while True:
        polls += 1
        if _published(client, name, version):
            return WaitResult(Decision.APPROVED, polls, clock() - start)
        try:
            client.stage_view(stage_id)
        except NotFound:
            # approval removes the stage entry too: look again before calling it a rejection
            decision = Decision.APPROVED if _published(client, name, version) else Decision.REJECTED
            return WaitResult(decision, polls, clock() - start)
        elapsed = clock() - start
        if on_poll is not None:
            on_poll(polls, elapsed)
        remaining = timeout - elapsed
        if remaining <= 0:
            return WaitResult(Decision.TIMED_OUT, polls, elapsed)
        sleep(min(interval, remaining))
        interval = min(interval * 1.6, max_interval)

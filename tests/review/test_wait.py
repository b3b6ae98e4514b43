"""The --wait poller's state machine and backoff, with a scripted registry and a fake clock.

The real approvals and rejections are covered against Verdaccio in test_review_registry.py.
"""

from __future__ import annotations

import pytest

from releasekit.errors import ExitCode, NotFound, UsageError
from releasekit.review.wait import Decision, parse_duration, wait_for_decision


class ScriptedRegistry:
    def __init__(self, published_after: int | None = None, gone_after: int | None = None) -> None:
        self.polls = 0
        self.published_after, self.gone_after = published_after, gone_after

    def packument(self, name: str) -> dict:  # type: ignore[type-arg]
        self.polls += 1
        published = self.published_after is not None and self.polls > self.published_after
        return {"versions": {"1.0.1": {}} if published else {"1.0.0": {}}}

    def stage_view(self, stage_id: str) -> object:
        if self.gone_after is not None and self.polls > self.gone_after:
            raise NotFound("gone")
        return object()


class FakeClock:
    def __init__(self) -> None:
        self.now, self.sleeps = 0.0, []  # type: ignore[var-annotated]

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def run(registry: ScriptedRegistry, timeout: float = 100.0) -> tuple[Decision, FakeClock]:
    clock = FakeClock()
    result = wait_for_decision(
        registry,
        name="demo",
        version="1.0.1",
        stage_id="x",
        timeout=timeout,
        sleep=clock.sleep,
        clock=lambda: clock.now,
    )
    return result.decision, clock


def test_approved_when_the_version_appears() -> None:
    decision, clock = run(ScriptedRegistry(published_after=3))
    assert decision is Decision.APPROVED and decision.exit_code == ExitCode.OK
    assert clock.sleeps[:3] == pytest.approx([2.0, 3.2, 5.12])  # backoff grows


def test_rejected_when_the_stage_entry_vanishes_unpublished() -> None:
    decision, _ = run(ScriptedRegistry(gone_after=2))
    assert decision is Decision.REJECTED and decision.exit_code == 1


def test_timeout_returns_124_and_never_sleeps_past_the_deadline() -> None:
    decision, clock = run(ScriptedRegistry(), timeout=10.0)
    assert decision is Decision.TIMED_OUT and decision.exit_code == 124
    assert sum(clock.sleeps) == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90), ("90s", 90), ("15m", 900), ("1h", 3600), ("500ms", 0.5)]
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "soon", "-5s", "0", "5d"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(UsageError, match="invalid duration"):
        parse_duration(text)

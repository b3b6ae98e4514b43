"""The 0-100 quality score and the ``min_score`` gate.

A quality check is a policy with ``@mark.points(N)``. Passing earns N,
returning ``Points(earned, detail)`` earns part (clamped to 0..N), failing or
erroring earns 0, skipping means "not applicable" and leaves the denominator.
"""

from __future__ import annotations

from collections.abc import Iterable

from releasekit.policy.result import Outcome, PolicyResult, Score, ScoreCheck


def earned_points(result: PolicyResult) -> float:
    assert result.points is not None
    if result.outcome == Outcome.ERROR:
        return 0.0
    if result.earned is not None:
        return min(max(float(result.earned), 0.0), result.points)
    return result.points if result.outcome == Outcome.PASSED else 0.0


def compute_score(results: Iterable[PolicyResult]) -> Score | None:
    """The score of the quality checks that ran, or ``None`` if none applied."""
    checks = []
    for result in results:
        if result.points is None or result.outcome == Outcome.SKIPPED:
            continue
        earned = earned_points(result)
        checks.append(
            ScoreCheck(
                id=result.id,
                category=result.category,
                label=result.label or result.name,
                passed=earned >= result.points,
                points=earned,
                max_points=result.points,
                detail=result.detail or result.message,
            )
        )
    if not checks:
        return None
    earned = sum(c.points for c in checks)
    applicable = sum(c.max_points for c in checks)
    return Score(round(100 * earned / applicable), earned, applicable, tuple(checks))


def _points(value: float) -> str:
    return f"{value:g}"


def score_gate_message(score: Score, min_score: int) -> str | None:
    """Why the score gate fails (score, minimum, biggest missing points), or ``None``."""
    if score.value >= min_score:
        return None
    missing = "; ".join(f"{c.label} ({c.id}): -{_points(c.missing)}" for c in score.biggest_missing())
    return f"quality score {score.value} is below the minimum {min_score}; biggest missing points: {missing}"

"""``lpm quality``'s pipeline: the 0-100 quality score of the package at a path, check by check.

Runs only the quality checks (policies with a ``points`` marker: the built-in ones and
any the project adds) on the project folder or ``.tgz`` at a path; a tarball's checks
that need the repository are not applicable. :func:`score_path` never prints; the CLI
renders its :meth:`QualityResult.to_dict`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit.errors import UsageError
from releasekit.options import StageOptions

if TYPE_CHECKING:
    from releasekit.policy.result import PolicyResult, SessionResult

# Display order; a team's own categories follow, alphabetically.
CATEGORIES = ("documentation", "code quality", "testing", "health")
QUALITY_KEYWORD = "points"  # every quality check carries the points marker


@dataclass
class QualityResult:
    """The quality session's result, read as a score report."""

    session: SessionResult

    @property
    def messages(self) -> list[str]:
        """Why the gate failed: broken check files, then the gate's own messages."""
        errors = [f"{e.location}: {e.message}" for e in self.session.collection_errors]
        return errors + list(self.session.gate_messages)

    def to_dict(self) -> dict[str, Any]:
        """``{score, earned, applicable, checks: [...]}``; n/a checks have ``applicable: false``."""
        result = self.session
        score = result.score
        scored = {c.id: c for c in score.checks} if score is not None else {}
        checks = []
        for item in sorted(_quality_results(result), key=lambda r: _category_order(r.category)):
            check = scored.get(item.id)
            if check is not None:
                checks.append({**check.to_dict(), "applicable": True})
            else:
                checks.append(
                    {
                        "id": item.id,
                        "category": item.category,
                        "label": item.label or item.name,
                        "passed": None,
                        "points": None,
                        "max_points": item.points,
                        "detail": item.message,
                        "applicable": False,
                    }
                )
        return {
            "score": score.value if score is not None else None,
            "earned": score.earned if score is not None else 0,
            "applicable": score.applicable if score is not None else 0,
            "min_score": result.min_score,
            "gate_passed": result.gate_passed,
            "gate_messages": list(result.gate_messages),
            "checks": checks,
            "collection_errors": [e.to_dict() for e in result.collection_errors],
        }


def score_path(
    path: Path, *, min_score: int | None = None, policy_paths: Sequence[str] = (), builtin: bool = True
) -> QualityResult:
    """Score the project folder or ``.tgz`` at ``path``. ``min_score`` overrides
    ``quality.min_score``; ``policy_paths`` are extra folders or files of quality checks.

    Raises :class:`UsageError` for bad input, and when no quality check was collected.
    """
    from releasekit.config import load_config
    from releasekit.package.target import load_target
    from releasekit.policy.session import run_policies

    target = load_target(path, command="lpm quality")
    config = load_config(target.project)
    session = run_policies(
        target.project,
        options=StageOptions(min_score=min_score, dry_run=True),
        config=config,
        package=target.packed(config),
        keyword=QUALITY_KEYWORD,
        paths=list(policy_paths),
        builtin=builtin,
    )
    if session.score is None and not _not_applicable(session):
        raise UsageError(f"{path}: no quality checks collected (policies with @releasekit.mark.points)")
    return QualityResult(session)


def _quality_results(result: SessionResult) -> list[PolicyResult]:
    return [r for r in result.results if r.points is not None]


def _not_applicable(result: SessionResult) -> list[PolicyResult]:
    return [r for r in _quality_results(result) if str(r.outcome) == "skipped"]


def _category_order(category: str | None) -> tuple[int, str]:
    name = category or "other"
    return (CATEGORIES.index(name) if name in CATEGORIES else len(CATEGORIES), name)

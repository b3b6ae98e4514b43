"""Approve-time review: what CI staged is downloaded, diffed and put through the policies again.

This catches a staged tarball that differs from what the reviewer's checkout
would produce (a compromised CI, a tampered upload). Registry-side version
rules are not re-run: the registry enforces them itself when it approves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit.options import StageOptions
from releasekit.review.diff import StageDiff
from releasekit.review.staged import StagedClient, StagedTarball, diff_staged, fetch_staged

if TYPE_CHECKING:
    from releasekit.policy.result import SessionResult


@dataclass
class ApprovalReview:
    staged: StagedTarball
    diff: StageDiff
    session: SessionResult

    @property
    def reasons(self) -> list[str]:
        reasons = list(self.session.gate_messages)
        if not self.session.gate_passed and not reasons:
            reasons.append("the policies failed on the staged tarball")
        if self.staged.archive.refused:
            reasons.append(self.staged.archive.refused)
        elif self.staged.archive.findings:
            reasons.append(
                f"the staged tarball has {len(self.staged.archive.findings)} hostile entr"
                f"{'y' if len(self.staged.archive.findings) == 1 else 'ies'}"
            )
        return reasons

    @property
    def blocked(self) -> bool:
        return bool(self.reasons)

    def to_dict(self) -> dict[str, Any]:
        return {
            "blocked": self.blocked,
            "reasons": self.reasons,
            "diff": self.diff.to_dict(),
            "policies": self.session.to_dict(),
        }


def review_staged(
    client: StagedClient, stage_id: str, project_dir: Path, options: StageOptions | None = None
) -> ApprovalReview:
    """Download ``stage_id``, diff it against what it replaces, and run the project's policies on it."""
    from releasekit.policy.session import run_policies

    staged = fetch_staged(client, stage_id)
    diff, _ = diff_staged(client, staged)
    if staged.archive.refused:  # nothing to run policies on; the refusal blocks approval by itself
        from releasekit.policy.result import SessionResult

        return ApprovalReview(staged, diff, SessionResult(project_dir))
    # local checks only: the version and tag rules are the registry's to enforce at approval
    run_options = (options or StageOptions()).with_(dry_run=True)
    session = run_policies(project_dir, options=run_options, package=staged.as_package())
    return ApprovalReview(staged, diff, session)

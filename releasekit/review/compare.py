"""``stage diff``: a staged version against the published one it would replace, with optional patches.

Patches are unified text diffs of the changed files; lines the secret scan
flags are withheld on both sides, so a patch never shows a found secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from releasekit.review.archive import Archive
from releasekit.review.diff import StageDiff
from releasekit.review.staged import StagedClient, StagedTarball, diff_staged, fetch_staged, secret_lines


@dataclass
class StagedComparison:
    registry: str
    stage_id: str
    diff: StageDiff
    patches: dict[str, str] | None = None  # path -> unified diff; None unless asked for

    def to_dict(self) -> dict[str, Any]:
        data = self.diff.to_dict()
        if self.patches is not None:
            data["patches"] = self.patches
        return data


def build_patches(staged: StagedTarball, old: Archive | None, diff: StageDiff) -> dict[str, str]:
    """A unified diff per changed file, secret lines withheld; nothing when there is no published version."""
    from releasekit.review.diff import unified_patch

    if old is None:
        return {}
    changed = [c.path for c in diff.files if c.status != "removed"]
    removed = [c.path for c in diff.files if c.status != "added"]
    hide_new, hide_old = secret_lines(staged.archive, changed), secret_lines(old, removed)
    return {
        change.path: unified_patch(
            old,
            staged.archive,
            change.path,
            hide_old=hide_old.get(change.path),
            hide_new=hide_new.get(change.path),
        )
        for change in diff.files
    }


def compare_staged(
    client: StagedClient, stage_id: str, against: str | None = None, *, registry: str, patch: bool = False
) -> StagedComparison:
    """Download ``stage_id`` and the version it replaces (``against``, else its tag's, else latest) and diff them."""
    staged = fetch_staged(client, stage_id)
    diff, old = diff_staged(client, staged, against)
    return StagedComparison(registry, stage_id, diff, build_patches(staged, old, diff) if patch else None)

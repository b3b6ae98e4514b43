"""``stage diff``: check the inputs, then compare on a client opened for the registry."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from releasekit.errors import UsageError
from releasekit.registry.names import validate_stage_id
from releasekit.review.compare import StagedComparison, compare_staged

if TYPE_CHECKING:
    from releasekit.registry.auth import Consent


def stage_diff(
    stage_id: str,
    *,
    project_dir: Path,
    registry: str | None = None,
    consent: Consent | None = None,
    against: str | None = None,
    patch: bool = False,
) -> StagedComparison:
    """Compare ``stage_id`` with the published version it would replace; see :func:`compare_staged`.

    ``registry`` is the flag; ``None`` resolves it from ``project_dir`` (releasekit.yaml, .npmrc, npmjs).
    """
    from releasekit.stage.client import open_client, registry_for

    stage_id = validate_stage_id(stage_id)
    if against is not None and not against.strip():
        raise UsageError("--against is empty: give a published version or dist-tag")
    choice = registry_for(project_dir, registry)
    url = choice.url
    with open_client(choice, project_dir, consent=consent) as client:
        return compare_staged(client, stage_id, against, registry=url, patch=patch)

"""``stage list`` and ``stage view``: what is staged, as the registry describes it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit.errors import UsageError

if TYPE_CHECKING:
    from releasekit.registry.auth import Consent


def entry_spec(entry: Mapping[str, Any]) -> str:
    """``name@version`` of a staged entry in the registry's spelling (``?`` for a part it leaves out)."""
    return f"{entry.get('packageName', '?')}@{entry.get('version', '?')}"


@dataclass
class StageListing:
    registry: str
    package: str | None
    entries: list[dict[str, Any]]  # the registry's spelling (``packageName``...), as npm prints them

    def to_dict(self) -> list[dict[str, Any]]:
        return self.entries


@dataclass
class StageEntry:
    registry: str
    stage_id: str
    entry: dict[str, Any]

    @property
    def spec(self) -> str:
        return entry_spec(self.entry)

    def to_dict(self) -> dict[str, Any]:
        return self.entry


def stage_list(
    package: str | None = None,
    *,
    project_dir: Path,
    registry: str | None = None,
    consent: Consent | None = None,
) -> StageListing:
    """Every staged version (of ``package`` if given), paging through them all."""
    from releasekit.stage.client import open_client, registry_for

    if package is not None:
        from releasekit.registry.names import validate_name

        if "@" in package[1:]:
            raise UsageError("versions are not supported here: give a package name without @version")
        validate_name(package)
    choice = registry_for(project_dir, registry)
    url = choice.url
    with open_client(choice, project_dir, consent=consent) as client:
        entries = [entry.to_dict() for entry in client.stage_list(package)]
    return StageListing(url, package, entries)


def stage_view(
    stage_id: str, *, project_dir: Path, registry: str | None = None, consent: Consent | None = None
) -> StageEntry:
    """One staged version."""
    from releasekit.registry.names import validate_stage_id
    from releasekit.stage.client import open_client, registry_for

    stage_id = validate_stage_id(stage_id)
    choice = registry_for(project_dir, registry)
    url = choice.url
    with open_client(choice, project_dir, consent=consent) as client:
        return StageEntry(url, stage_id, client.stage_view(stage_id).to_dict())

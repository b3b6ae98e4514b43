"""The options of one stage or check run, shared by the CLI, policies and nox kit."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

Access = Literal["public", "restricted"]


@dataclass(frozen=True)
class StageOptions:
    """What the user asked for. ``None`` means "not given": resolve from config."""

    tag: str | None = None
    access: Access | None = None
    provenance: bool | None = None
    provenance_file: str | None = None
    min_score: int | None = None
    dry_run: bool = False
    allow_secrets: bool = False
    registry: str | None = None

    def with_(self, **changes: object) -> StageOptions:
        return replace(self, **changes)  # type: ignore[arg-type]

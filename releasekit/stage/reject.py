"""``stage reject``: the registry deletes a staged version for good (needs 2FA)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit.stage.entries import entry_spec

if TYPE_CHECKING:
    from releasekit.registry.auth import Consent
    from releasekit.registry.client import RegistryClient
    from releasekit.registry.otp import Notify, OtpProvider

REJECT_WARNING = (
    "Warning: rejecting permanently deletes the staged version and its tarball from the registry."
)


@dataclass
class RejectResult:
    registry: str
    stage_id: str
    entry: dict[str, Any]  # the registry's spelling, as `npm stage view --json` prints it
    response: dict[str, Any]

    @property
    def spec(self) -> str:
        return entry_spec(self.entry)

    def to_dict(self) -> dict[str, Any]:
        return {**self.response, "entry": self.entry}


def reject_staged(
    client: RegistryClient, stage_id: str, *, otp: str | None = None, notice: Notify | None = None
) -> RejectResult:
    """Reject ``stage_id``; ``notice`` gets the warning once the entry is known to exist."""
    entry = client.stage_view(stage_id).to_dict()
    # Warned only now: a failure before this point stays one "Error:" line.
    if notice is not None:
        notice(REJECT_WARNING)
    response = client.stage_reject(stage_id, otp=otp)
    return RejectResult(client.registry_url, stage_id, entry, response)


def stage_reject(
    stage_id: str,
    *,
    project_dir: Path,
    registry: str | None = None,
    consent: Consent | None = None,
    otp: str | None = None,
    notice: Notify | None = None,
    otp_prompt: OtpProvider | None = None,
    web_auth_notify: Notify | None = None,
) -> RejectResult:
    """:func:`reject_staged` on a client opened for the registry (``None``: resolved from ``project_dir``)."""
    from releasekit.stage.client import open_decision_client

    stage_id, otp, client = open_decision_client(
        stage_id,
        otp,
        project_dir=project_dir,
        registry=registry,
        consent=consent,
        otp_prompt=otp_prompt,
        web_auth_notify=web_auth_notify,
    )
    with client:
        return reject_staged(client, stage_id, otp=otp, notice=notice)

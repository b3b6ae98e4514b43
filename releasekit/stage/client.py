"""The registry client the stage commands use once a package is staged: token auth, OTP on demand.

Publishing resolves its own credentials (OIDC first); listing, viewing,
downloading, approving and rejecting use a token only, as npm does.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from releasekit.redaction import register_secret

if TYPE_CHECKING:
    from releasekit.registry.auth import Consent
    from releasekit.registry.client import RegistryClient
    from releasekit.registry.otp import Notify, OtpProvider
    from releasekit.registry.resolve import RegistryChoice


def registry_for(project_dir: Path, explicit: str | None = None) -> RegistryChoice:
    """The registry of the commands with no package at hand: the flag, releasekit.yaml, .npmrc, then npmjs."""
    from releasekit.config import load_config
    from releasekit.registry.resolve import choose_registry

    config = load_config(project_dir) if (project_dir / "releasekit.yaml").exists() else None
    return choose_registry(explicit, config=config, project_dir=project_dir)


def open_client(
    registry: RegistryChoice,
    project_dir: Path,
    *,
    consent: Consent | None = None,
    otp_prompt: OtpProvider | None = None,
    web_auth_notify: Notify | None = None,
) -> RegistryClient:
    """A client for ``registry`` with the token found for it (env, token store, ``.npmrc``).

    ``consent`` is asked before ``NPM_TOKEN`` goes to a registry only the
    project's files name (``None``: it does not go); ``otp_prompt`` is asked for
    a one-time password when the registry wants one (``None``: the request fails
    with :class:`~releasekit.errors.OtpRequired`); ``web_auth_notify`` gets the
    URL of a browser login.
    """
    from releasekit.registry.auth import resolve_credentials
    from releasekit.registry.client import RegistryClient

    credentials = resolve_credentials(
        registry.url,
        project_dir=project_dir,
        allow_oidc=False,
        registry_from_project=registry.source if registry.from_project else None,
        consent=consent,
    )
    register_secret(credentials.token)
    return RegistryClient(
        registry.url, token=credentials.token, otp_provider=otp_prompt, web_auth_notify=web_auth_notify
    )


def clean_otp(otp: str | None) -> str | None:
    """``--otp`` as given, stripped and registered for redaction; empty is a usage error."""
    from releasekit.errors import UsageError

    if otp is None:
        return None
    otp = otp.strip()
    if not otp:
        raise UsageError("--otp is empty")
    register_secret(otp)
    return otp


def open_decision_client(
    stage_id: str,
    otp: str | None,
    *,
    project_dir: Path,
    registry: str | None,
    consent: Consent | None,
    otp_prompt: OtpProvider | None,
    web_auth_notify: Notify | None,
) -> tuple[str, str | None, RegistryClient]:
    """The opening of a decision on one staged entry (approve, reject): the checked stage id and OTP, and a client.

    The inputs are checked before any request: the stage id, ``otp``, then the ``registry`` flag
    (``None``: resolved from ``project_dir``). The caller closes the client (``with client:``).
    """
    from releasekit.registry.names import validate_stage_id

    stage_id = validate_stage_id(stage_id)
    otp = clean_otp(otp)
    choice = registry_for(project_dir, registry)
    client = open_client(
        choice, project_dir, consent=consent, otp_prompt=otp_prompt, web_auth_notify=web_auth_notify
    )
    return stage_id, otp, client

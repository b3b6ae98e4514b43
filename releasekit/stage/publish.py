"""The ``stage publish`` pipeline: pack, check, resolve, confirm, upload.

The CLI and the nox kit both call :func:`stage_publish`; everything that talks
to a person (the policy report, the confirmation prompt) comes in as a
callable so the pipeline itself never prints and never blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit.errors import GateFailed, RefusedError, UsageError
from releasekit.options import StageOptions
from releasekit.package.model import PackedPackage
from releasekit.stage.target import StageTarget, resolve_target

if TYPE_CHECKING:
    import httpx

    from releasekit.config import Config


@dataclass(frozen=True)
class StagePlan:
    """What is about to be staged; what the confirmation prompt shows."""

    package: PackedPackage
    target: StageTarget
    provenance: Any  # releasekit.provenance.settings.ProvenanceSetting


@dataclass
class StageResult:
    plan: StagePlan
    session: Any  # releasekit.policy.session.SessionResult
    dry_run: bool
    stage_id: str | None = None
    auth: str | None = None  # "oidc" | "token"
    auth_source: str | None = None
    response: Mapping[str, Any] | None = None
    provenance: Any = None  # releasekit.provenance.attach.ProvenanceResult
    notes: list[str] = field(default_factory=list)

    @property
    def package(self) -> PackedPackage:
        return self.plan.package

    @property
    def target(self) -> StageTarget:
        return self.plan.target

    @property
    def staged(self) -> bool:
        return self.stage_id is not None

    def approve_command(self) -> str | None:
        if self.stage_id is None:
            return None
        from releasekit.stage.target import DEFAULT_REGISTRY

        command = f"lpm stage approve {self.stage_id}"
        if self.target.registry != DEFAULT_REGISTRY:
            command += f" --npm-registry {self.target.registry}"
        return command

    def to_dict(self) -> dict[str, Any]:
        package = self.package
        doc: dict[str, Any] = {
            "spec": self.target.spec,
            "name": self.target.name,
            "version": self.target.version,
            "dryRun": self.dry_run,
            "staged": self.staged,
            "package": {
                **self.target.to_dict(),
                "filename": package.filename,
                "shasum": package.shasum,
                "integrity": package.integrity,
                "size": len(package.tarball),
                "unpackedSize": package.unpacked_size,
                "files": [{"path": f.path, "size": f.size} for f in package.files],
            },
            "provenance": self.provenance.to_dict() if self.provenance is not None else None,
            "policies": _session_dict(self.session),
        }
        if self.response is not None:
            doc["response"] = dict(self.response)
        if self.stage_id is not None:
            doc["approveCommand"] = self.approve_command()
        return doc


def _session_dict(session: Any) -> Any:
    to_dict = getattr(session, "to_dict", None)
    return to_dict() if callable(to_dict) else None


class StageGateFailed(GateFailed):
    """Policies refused the package; :attr:`result` holds the report."""

    def __init__(self, message: str, result: StageResult) -> None:
        super().__init__(message)
        self.result = result


class Declined(RefusedError):
    """The person at the prompt said no."""

    error_code = "usage"


Confirm = Callable[[StagePlan], bool]
Report = Callable[[StageResult], None]


def stage_publish(
    project_dir: Path | str,
    options: StageOptions,
    *,
    confirm: Confirm | None = None,
    report: Report | None = None,
    config: Config | None = None,
    package: PackedPackage | None = None,
    transport: httpx.BaseTransport | None = None,
) -> StageResult:
    """Stage the project at ``project_dir`` (or run every local step with ``options.dry_run``).

    ``confirm`` is asked once, right before anything leaves the machine;
    ``None`` means yes. ``report`` receives the result after the policies ran,
    whether they passed or not. Raises :class:`StageGateFailed` if a gate
    failed, :class:`Declined` if ``confirm`` said no, and the registry errors
    of :mod:`releasekit.errors` for refusals.
    """
    import releasekit
    from releasekit.config import load_config
    from releasekit.package.pack import pack_project

    root = Path(project_dir).resolve()
    if not (root / "package.json").is_file() and package is None:
        raise UsageError(f"{root}: no package.json here; run `lpm stage publish` in an npm project")
    config = config if config is not None else load_config(root)
    check_provenance_flags(options)
    if package is None:
        package = pack_project(root, config)
    target = resolve_target(package, options, config)
    plan = StagePlan(package, target, _provenance_setting(package, options, target, config))

    session = releasekit.run_policies(root, options=options, config=config, package=package)
    result = StageResult(plan, session, dry_run=options.dry_run)
    if report is not None:
        report(result)
    if not getattr(session, "gate_passed", False):
        reasons = "; ".join(getattr(session, "gate_messages", None) or []) or "a gate failed"
        raise StageGateFailed(f"policies refused {target.spec} ({reasons}); nothing was staged", result)

    if options.dry_run:
        result.provenance = _provenance(plan, dry_run=True)
        result.notes.append("dry run: nothing was sent; no auth and no remote version or tag checks were made")
        return result

    if confirm is not None and not confirm(plan):
        raise Declined(f"{target.spec} was not staged: declined at the prompt")

    result.provenance = _provenance(plan, dry_run=False)
    attachment = None
    if result.provenance is not None and result.provenance.attachment is not None:
        attachment = (result.provenance.attachment_name, result.provenance.attachment)
    credentials = _credentials(target, root, transport)
    result.auth, result.auth_source = credentials.kind, credentials.source

    from releasekit.registry.client import RegistryClient
    from releasekit.stage.packument import publish_body

    body = publish_body(
        package,
        tag=target.tag,
        access=target.access,
        registry=target.registry,
        provenance=attachment,
    )
    client = RegistryClient(target.registry, token=credentials.token, transport=transport)
    try:
        answer = client.stage_publish(target.name, body)
    finally:
        _close(client)
    result.response = _as_mapping(answer)
    stage_id = result.response.get("stageId") or result.response.get("id")
    if not isinstance(stage_id, str) or not stage_id:
        from releasekit.errors import RegistryError

        raise RegistryError(f"the registry staged {target.spec} but answered no stage id")
    result.stage_id = stage_id
    return result


def _as_mapping(answer: Any) -> Mapping[str, Any]:
    if isinstance(answer, Mapping):
        return answer
    to_dict = getattr(answer, "to_dict", None)
    if callable(to_dict):
        value = to_dict()
        if isinstance(value, Mapping):
            return value
    stage_id = getattr(answer, "stage_id", None) or getattr(answer, "id", None)
    return {"stageId": stage_id} if stage_id else {}


def _close(client: Any) -> None:
    close = getattr(client, "close", None)
    if callable(close):
        close()


def _credentials(target: StageTarget, project_dir: Path, transport: httpx.BaseTransport | None) -> Any:
    """Token auth for the upload: OIDC trusted publishing first, as npm does (publish only)."""
    from releasekit.registry.auth import resolve_credentials

    return resolve_credentials(
        target.registry, package_name=target.name, project_dir=project_dir, allow_oidc=True, transport=transport
    )


# -- provenance: the one place the pipeline calls into releasekit.provenance ---------------------


def check_provenance_flags(options: StageOptions) -> None:
    """``--provenance`` goes alone: not with ``--no-provenance`` (``False``) nor ``--provenance-file``."""
    if options.provenance and options.provenance_file:
        raise UsageError("--provenance and --provenance-file cannot be used together")


def _provenance_setting(package: PackedPackage, options: StageOptions, target: StageTarget, config: Config) -> Any:
    """Whether to attach provenance and from where: flags, publishConfig, releasekit.yaml, env, .npmrc.

    Resolved before the policies run so that a refusal (provenance on a
    restricted package, a bad setting) costs nothing.
    """
    from releasekit.provenance.settings import require_public, setting_from_options

    setting = setting_from_options(options, manifest=package.manifest, project_dir=package.source_dir, config=config)
    require_public(setting, target.name, target.access)
    return setting


def _provenance(plan: StagePlan, *, dry_run: bool) -> Any:
    """The provenance result (signed or checked bundle; on a dry run what would be), or ``None`` if off."""
    from releasekit.provenance.attach import provenance_attachment

    return provenance_attachment(plan.package, plan.provenance, access=plan.target.access, dry_run=dry_run)

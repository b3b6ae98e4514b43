"""The ``stage publish`` pipeline: pack, check, resolve, confirm, upload.

The CLI and the nox kit both call :func:`stage_publish`; everything that talks
to a person (the policy report, the confirmation prompt) comes in as a
callable so the pipeline itself never prints and never blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit.errors import Declined, StageGateFailed, StageInputInvalid, UsageError
from releasekit.options import StageOptions
from releasekit.package.model import PackedPackage
from releasekit.progress import ProgressCallback, reporting
from releasekit.stage.target import StageTarget, resolve_target

if TYPE_CHECKING:
    import httpx

    from releasekit.config import Config
    from releasekit.policy.result import SessionResult
    from releasekit.provenance.attach import ProvenanceResult
    from releasekit.provenance.settings import ProvenanceSetting
    from releasekit.registry.auth import Consent, Credentials


@dataclass(frozen=True)
class StagePlan:
    """What is about to be staged; what the confirmation prompt shows."""

    package: PackedPackage
    target: StageTarget
    provenance: ProvenanceSetting


@dataclass
class StageResult:
    """What a run did: the plan, the policies' verdict and, once uploaded, the stage id."""

    plan: StagePlan
    session: SessionResult
    dry_run: bool
    stage_id: str | None = None
    auth: str | None = None  # "oidc" | "token"
    auth_source: str | None = None
    response: Mapping[str, Any] | None = None  # the registry's answer to the stage POST
    provenance: ProvenanceResult | None = None
    # kept for `--wait`, which polls with the same auth; never serialized
    credentials: Credentials | None = field(default=None, repr=False)
    project_dir: Path | None = field(default=None, repr=False)  # where auth config (.npmrc) is read

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
            "policies": self.session.to_dict(),
        }
        if self.response is not None:
            doc["response"] = dict(self.response)
        if self.stage_id is not None:
            doc["approveCommand"] = self.approve_command()
        return doc


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
    progress: ProgressCallback | None = None,
    consent: Consent | None = None,
) -> StageResult:
    """Stage the project at ``project_dir`` (or run every local step with ``options.dry_run``).

    ``confirm`` is asked once, right before anything leaves the machine;
    ``None`` means yes. ``report`` receives the result after the policies ran,
    whether they passed or not. ``consent`` is asked (a one-line question
    naming the host) before ``NPM_TOKEN`` or an OIDC identity goes to a
    registry that only the project's files name; ``None`` means no. Raises
    :class:`StageGateFailed` if a gate failed, :class:`Declined` if
    ``confirm`` said no, and the registry errors of :mod:`releasekit.errors`
    for refusals. ``progress`` is told how packing, scanning and the policies
    advance (:mod:`releasekit.progress`).
    """
    result = check_stage(
        project_dir, options, report=report, config=config, package=package, progress=progress
    )
    return upload_stage(result, confirm=confirm, transport=transport, consent=consent)


def check_stage(
    project_dir: Path | str,
    options: StageOptions,
    *,
    report: Report | None = None,
    config: Config | None = None,
    package: PackedPackage | None = None,
    policy_paths: Sequence[Path] = (),
    progress: ProgressCallback | None = None,
) -> StageResult:
    """The local half of :func:`stage_publish`: pack, resolve the target, run the policies.

    ``policy_paths`` are policy folders collected besides the project's own
    (a workspace root's ``policies/``). Raises :class:`StageGateFailed` when a
    gate failed; nothing leaves the machine.
    """
    import releasekit
    from releasekit.config import load_config
    from releasekit.package.pack import pack_project

    root = Path(project_dir).resolve()
    if not (root / "package.json").is_file() and package is None:
        raise UsageError(f"{root}: no package.json here; run `lpm stage publish` in an npm project")
    config = config if config is not None else load_config(root)
    check_provenance_flags(options)
    if not options.dry_run:
        require_credentials(root, options, config, package.manifest if package is not None else None)
    with reporting(progress):
        if package is None:
            # gzip on a thread: the scan and the score read the files, not the gzip bytes
            package = pack_project(root, config, gzip="background")
        target = resolve_target(package, options, config)
        plan = StagePlan(package, target, _provenance_setting(package, options, target, config))

        session = releasekit.run_policies(
            root, options=options, config=config, package=package, paths=policy_paths
        )
        package.tarball  # noqa: B018 - wait for it here, so that a size-limit PackError is raised as one
    result = StageResult(plan, session, dry_run=options.dry_run, project_dir=root)
    if report is not None:
        report(result)
    if not session.gate_passed:
        reasons = "; ".join(session.gate_messages) or "a gate failed"
        if session.input_error:  # bad input (a broken baseline...), not a verdict on the package: exit 2
            raise StageInputInvalid(f"{target.spec} was not staged: {session.input_error}", result)
        if session.registry_error:
            reasons += f"; the registry rules could not run: {session.registry_error}"
        raise StageGateFailed(f"policies refused {target.spec} ({reasons}); nothing was staged", result)
    return result


def upload_stage(
    result: StageResult,
    *,
    confirm: Confirm | None = None,
    transport: httpx.BaseTransport | None = None,
    consent: Consent | None = None,
) -> StageResult:
    """The remote half: confirm, sign provenance, authenticate and upload what :func:`check_stage` passed.

    On a dry run only the provenance that would be attached is worked out;
    ``consent`` is as for :func:`stage_publish`.
    """
    plan, target = result.plan, result.target
    if result.dry_run:
        result.provenance = _provenance(plan, dry_run=True)
        return result

    if confirm is not None and not confirm(plan):
        raise Declined(f"{target.spec} was not staged: declined at the prompt")

    result.provenance = _provenance(plan, dry_run=False)
    attachment = None
    if result.provenance is not None and result.provenance.attachment is not None:
        attachment = (result.provenance.attachment_name, result.provenance.attachment)
    credentials = _credentials(target, result.project_dir or Path.cwd(), transport, consent)
    result.auth, result.auth_source = credentials.kind, credentials.source
    result.credentials = credentials

    from releasekit.registry.client import RegistryClient
    from releasekit.stage.packument import publish_body

    body = publish_body(
        plan.package,
        tag=target.tag,
        access=target.access,
        registry=target.registry,
        provenance=attachment,
    )
    # Never retried: after an uncertain outcome the client asks the stage list instead.
    with RegistryClient(target.registry, token=credentials.token, transport=transport) as client:
        result.response = client.stage_publish(target.name, body)
    result.stage_id = str(result.response["stageId"])  # schema-checked by the client
    return result


def require_credentials(
    root: Path, options: StageOptions, config: Config, manifest: Mapping[str, Any] | None = None
) -> None:
    """Refuse early, before packing and the policies, when no credentials exist for the registry.

    ``stage list`` says so at once; a publish should not make its user wait for the policies to learn
    it. An OIDC id token on offer counts as credentials: it is exchanged at upload time. Anything
    unreadable here (package.json, the registry setting) is left to the full checks that follow.
    """
    import json
    import os

    from releasekit.registry.auth import resolve_credentials
    from releasekit.registry.resolve import resolve_registry

    if os.environ.get("NPM_ID_TOKEN", "").strip() or (
        os.environ.get("ACTIONS_ID_TOKEN_REQUEST_URL") and os.environ.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    ):
        return
    if manifest is None:
        try:
            manifest = json.loads((root / "package.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
    name = manifest.get("name") if isinstance(manifest, Mapping) else None
    if not isinstance(name, str) or not name:
        return
    publish_config = manifest.get("publishConfig")
    try:
        registry = resolve_registry(
            options.registry,
            publish_config=publish_config if isinstance(publish_config, Mapping) else None,
            config=config,
            project_dir=root,
            name=name,
        )
    except UsageError:
        return
    # Only whether credentials exist is asked here: nothing is sent, so a project-named registry's consent
    # is asked later, once, right before the upload.
    resolve_credentials(
        registry,
        package_name=name,
        project_dir=root,
        allow_oidc=True,
        warn=None,
        registry_from_project="the project",
        consent=lambda question: True,
    )


def _credentials(
    target: StageTarget, project_dir: Path, transport: httpx.BaseTransport | None, consent: Consent | None
) -> Credentials:
    """Token auth for the upload: OIDC trusted publishing first, as npm does (publish only)."""
    from releasekit.registry.auth import resolve_credentials

    return resolve_credentials(
        target.registry,
        package_name=target.name,
        project_dir=project_dir,
        allow_oidc=True,
        transport=transport,
        registry_from_project=target.registry_source if target.registry_from_project else None,
        consent=consent,
    )


# -- provenance: the one place the pipeline calls into releasekit.provenance ---------------------


def check_provenance_flags(options: StageOptions) -> None:
    """``--provenance`` goes alone: not with ``--no-provenance`` (``False``) nor ``--provenance-file``."""
    from releasekit.provenance.settings import check_flags

    check_flags(provenance=options.provenance is True, provenance_file=options.provenance_file)


def _provenance_setting(
    package: PackedPackage, options: StageOptions, target: StageTarget, config: Config
) -> ProvenanceSetting:
    """Whether to attach provenance and from where: flags, publishConfig, releasekit.yaml, env, .npmrc.

    Resolved before the policies run so that a refusal (provenance on a
    restricted package, a bad setting) costs nothing.
    """
    from releasekit.provenance.settings import require_public, setting_from_options

    setting = setting_from_options(
        options, manifest=package.manifest, project_dir=package.source_dir, config=config
    )
    require_public(setting, target.name, target.access)
    return setting


def _provenance(plan: StagePlan, *, dry_run: bool) -> ProvenanceResult | None:
    """The provenance result (signed or checked bundle; on a dry run what would be), or ``None`` if off."""
    from releasekit.provenance.attach import provenance_attachment

    return provenance_attachment(plan.package, plan.provenance, access=plan.target.access, dry_run=dry_run)

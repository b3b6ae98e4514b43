"""``lpm check``'s pipeline: the policies on the package at a path; nothing is staged.

What ``stage publish --dry-run`` checks, without resolving a stage: the package is packed
(or read from a ``.tgz``) and the policies run on it, locally unless ``remote`` asks for
the registry rules. The secret scan runs in a child forked first
(:func:`releasekit.scan.background.start_before_packing`): it imports detect-secrets
while this process packs. :func:`check_path` never prints; the CLI renders its result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit.errors import ExitCode, UsageError
from releasekit.options import StageOptions
from releasekit.package.target import TARBALL_SUFFIXES
from releasekit.progress import ProgressCallback, reporting

if TYPE_CHECKING:
    from releasekit.config import Config
    from releasekit.package.target import Target
    from releasekit.policy.result import SessionResult
    from releasekit.scan.background import BackgroundScan


@dataclass(frozen=True)
class CheckRequest:
    """What to check and how: the options of ``lpm check``."""

    keyword: str | None = None  # a -k expression
    list_only: bool = False  # collect and list; run nothing
    policy_paths: Sequence[str] = ()  # after policies.paths of releasekit.yaml
    builtin: bool = True
    min_score: int | None = None  # overrides quality.min_score
    allow_secrets: bool = False  # found secrets warn instead of failing
    update_baseline: bool = False  # record today's secrets in the baseline first
    reports: Mapping[str, Path | str] = field(default_factory=dict)  # {format: path}
    plugin_options: Mapping[str, Any] = field(default_factory=dict)
    remote: bool = False  # also the registry rules (read-only)
    tag: str | None = None  # for the registry rules
    registry: str | None = None  # for the registry rules


@dataclass
class CheckResult:
    """The session's result, and what else the check did."""

    session: SessionResult
    baseline_written: Path | None = None  # with ``update_baseline``, when the baseline changed

    @property
    def error(self) -> tuple[str, str, int] | None:
        """(message, error code, exit code) of the one cause behind the policies' errors:
        a bad input file (a broken baseline...) or a registry the rules could not use."""
        session = self.session
        if session.input_error:
            return session.input_error, "usage", int(ExitCode.USAGE)
        if session.registry_error:
            return (
                f"the registry rules could not run: {session.registry_error}",
                "registry",
                int(session.exit_code),
            )
        return None

    @property
    def exit_code(self) -> int:
        error = self.error
        return error[2] if error is not None else int(self.session.exit_code)


def check_path(
    path: Path,
    request: CheckRequest,
    *,
    progress: ProgressCallback | None = None,
    secret_scan: BackgroundScan | None = None,
) -> CheckResult:
    """Run the policies on the project folder or ``.tgz`` at ``path``.

    ``secret_scan``: a scan child forked before anything else, not yet configured
    (``lpm`` forks it before importing its commands); from here this owns it: it is
    given the config and the package, or cancelled. Without one, one is forked once the
    config is read. Raises :class:`UsageError` (and the config and packing errors) for
    bad input; policy problems are in the result.
    """
    from releasekit.config import load_config
    from releasekit.package.target import load_target

    scan = secret_scan
    try:
        tag = _validated_tag(request)
        if request.update_baseline and path.is_file() and path.name.endswith(TARBALL_SUFFIXES):
            raise UsageError("--update-baseline needs a project folder, not a tarball")
        target = load_target(path, command="lpm check")
        config = load_config(target.project)
        scanned_apart = not request.list_only and not request.update_baseline
        if scanned_apart and scan is not None:
            scan.configure(config)
        elif scanned_apart and target.package is None:
            from releasekit.scan.background import start_before_packing

            scan = start_before_packing(config)
        return _run(target, config, request, tag, progress, scan if scanned_apart else None)
    finally:
        if scan is not None:
            scan.cancel()  # the session's teardown did if it took it; idempotent


def _validated_tag(request: CheckRequest) -> str | None:
    if (request.tag is not None or request.registry is not None) and not request.remote:
        raise UsageError("--tag and --npm-registry apply to the registry rules: add --remote")
    if request.tag is None:
        return None
    from releasekit.stage.target import validate_tag

    return validate_tag(request.tag, "--tag")


def _run(
    target: Target,
    config: Config,
    request: CheckRequest,
    tag: str | None,
    progress: ProgressCallback | None,
    scan: BackgroundScan | None,
) -> CheckResult:
    from releasekit.policy.session import run_policies

    project = target.project
    package = None
    baseline_written = None
    with reporting(progress):
        if not request.list_only:
            package = target.packed(config, gzip="lazy")  # only a policy reading the bytes pays for gzip
            if scan is not None and not scan.send(package):
                scan = None  # too large to copy to it: the session scans as it would without
            _check_registry(request.registry, package.manifest, config, project)
            if request.update_baseline:
                from releasekit.scan.baseline import update_baseline

                baseline_written = update_baseline(project, package, config)
        session = run_policies(
            project,
            options=StageOptions(
                min_score=request.min_score,
                allow_secrets=request.allow_secrets,
                dry_run=not request.remote,
                tag=tag,
                registry=request.registry,
            ),
            config=config,
            package=package,
            keyword=request.keyword,
            paths=list(request.policy_paths),
            builtin=request.builtin,
            plugin_options=request.plugin_options,
            reports=request.reports,
            collect_only=request.list_only,
            secret_scan=scan,
        )
    return CheckResult(session, baseline_written)


def _check_registry(registry: str | None, manifest: Mapping[str, Any], config: Config, project: Path) -> None:
    """A bad registry URL (flag, publishConfig, releasekit.yaml, .npmrc) is a usage error,
    found before any policy runs (the registry fixture resolves it even for a local check)."""
    from releasekit.stage.target import resolve_registry

    publish_config = manifest.get("publishConfig")
    resolve_registry(
        registry,
        publish_config=publish_config if isinstance(publish_config, dict) else None,
        config=config,
        project_dir=project,
        name=str(manifest.get("name") or "") or None,
    )

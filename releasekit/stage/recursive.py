"""``stage publish --recursive``: stage every package of a workspace, dependencies first.

The steps, as ``pnpm publish -r`` takes them:

1. find the workspace and the packages ``--filter`` selects (all by default;
   from a sub-directory, the packages under it), in topological order;
2. skip private packages and (unless ``dry_run``) versions the registry
   already has, published or staged, each with a line saying so;
3. pack and check every remaining package with its own policies plus the
   workspace root's ``policies/``, several at a time;
4. ask once, then upload in order. A failure stops its dependents and, unless
   ``continue_on_error``, everything after it.

Like :func:`releasekit.stage.publish.stage_publish`, nothing here prints or
prompts: whatever talks to a person comes in as a callable.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit.errors import (
    Conflict,
    Declined,
    ExitCode,
    PackError,
    ReleasekitError,
    StageGateFailed,
    UsageError,
)
from releasekit.options import StageOptions
from releasekit.package.graph import Graph, select
from releasekit.package.workspace import Member, Workspace, find_workspace
from releasekit.stage.publish import (
    StagePlan,
    StageResult,
    check_stage,
    upload_stage,
)

if TYPE_CHECKING:
    import httpx

    from releasekit.config import Config
    from releasekit.registry.auth import Consent
    from releasekit.review.wait import WaitResult


class Outcome(StrEnum):
    STAGED = "staged"
    WOULD_STAGE = "would stage"  # a dry run that passed every check
    SKIPPED = "skipped"  # private, or the registry already has the version
    FAILED = "failed"
    BLOCKED = "blocked"  # a workspace dependency failed
    STOPPED = "not staged"  # an earlier package failed and --continue-on-error was not given


@dataclass
class PackageRun:
    """What happened to one workspace package."""

    name: str
    version: str
    path: Path
    outcome: Outcome | None = None
    reason: str | None = None
    result: StageResult | None = None
    error: ReleasekitError | None = field(default=None, repr=False)
    wait: WaitResult | None = None

    @property
    def stage_id(self) -> str | None:
        return self.result.stage_id if self.result is not None else None

    @property
    def score(self) -> int | None:
        score = self.result.session.score if self.result is not None else None
        value = getattr(score, "value", score)
        return int(value) if isinstance(value, (int, float)) else None

    @property
    def tag(self) -> str | None:
        return self.result.target.tag if self.result is not None else None

    @property
    def integrity(self) -> str | None:
        return self.result.package.integrity if self.result is not None else None

    def summary_entry(self) -> dict[str, Any]:
        """The ``--summary-file`` entry (lerna-lite's field names)."""
        return {
            "package": self.name,
            "version": self.version,
            "stageId": self.stage_id,
            "tag": self.tag,
            "integrity": self.integrity,
        }

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            **self.summary_entry(),
            "path": str(self.path),
            "result": str(self.outcome) if self.outcome is not None else None,
            "reason": self.reason,
            "score": self.score,
        }
        if self.error is not None:
            doc["errorCode"] = self.error.error_code
        if self.result is not None:
            package, target = self.result.package, self.result.target
            doc.update(
                registry=target.registry,
                access=target.access,
                filename=package.filename,
                shasum=package.shasum,
                size=len(package.tarball),
                unpackedSize=package.unpacked_size,
                entryCount=len(package.files),
                approveCommand=self.result.approve_command(),
            )
            # the full policy report only where it explains a refusal: 50 passing reports drown the one
            if not self.result.session.gate_passed:
                doc["policies"] = self.result.session.to_dict()
        if self.wait is not None:
            doc["wait"] = self.wait.to_dict()
        return doc


@dataclass
class RecursiveResult:
    root: Path
    dry_run: bool
    packages: list[PackageRun]

    def by_outcome(self, *outcomes: Outcome) -> list[PackageRun]:
        return [p for p in self.packages if p.outcome in outcomes]

    @property
    def staged(self) -> list[PackageRun]:
        return self.by_outcome(Outcome.STAGED)

    @property
    def failed(self) -> bool:
        return bool(self.by_outcome(Outcome.FAILED, Outcome.BLOCKED, Outcome.STOPPED))

    @property
    def exit_code(self) -> int:
        """0 when nothing failed; else the first failure's own code (1 a refusal, 2 bad input)."""
        for run in self.by_outcome(Outcome.FAILED):
            if run.error is not None:
                return int(run.error.exit_code)
        return int(ExitCode.REFUSED) if self.failed else int(ExitCode.OK)

    def summary(self) -> list[dict[str, Any]]:
        """What ``--summary-file`` holds: every package staged (or that would be, on a dry run)."""
        return [p.summary_entry() for p in self.by_outcome(Outcome.STAGED, Outcome.WOULD_STAGE)]

    def to_dict(self) -> dict[str, Any]:
        counts = {str(o): len(self.by_outcome(o)) for o in Outcome if self.by_outcome(o)}
        return {
            "workspace": str(self.root),
            "dryRun": self.dry_run,
            "counts": counts,
            "packages": [p.to_dict() for p in self.packages],
        }


Progress = Callable[[PackageRun], None]
ConfirmAll = Callable[[Sequence[StagePlan]], bool]
Report = Callable[[StageResult], None]


@dataclass(frozen=True)
class Selection:
    workspace: Workspace
    graph: Graph
    order: list[str]


def select_packages(start: Path | str, filters: Sequence[str] = ()) -> Selection:
    """The workspace around ``start`` and the packages to stage, dependencies first."""
    here = Path(start).resolve()
    workspace = find_workspace(here)
    if workspace is None:
        raise UsageError(
            f'{here}: --recursive needs a workspace: no pnpm-workspace.yaml or package.json "workspaces" '
            "here or above"
        )
    graph = Graph.of(workspace)
    if not filters and here != workspace.root:
        filters = ["./"]  # as pnpm -r: from inside the workspace, the packages under this directory
    chosen = select(graph, list(filters), base=here)
    return Selection(workspace, graph, graph.order(chosen))


def stage_recursive(
    start: Path | str,
    options: StageOptions,
    *,
    filters: Sequence[str] = (),
    continue_on_error: bool = False,
    jobs: int | None = None,
    confirm: ConfirmAll | None = None,
    progress: Progress | None = None,
    report: Report | None = None,
    transport: httpx.BaseTransport | None = None,
    consent: Consent | None = None,
) -> RecursiveResult:
    """Stage the workspace around ``start`` (see the module docstring).

    ``confirm`` is asked once with every plan before the first upload
    (``None`` means yes). ``progress`` receives each package as its outcome
    is settled, in order; ``report`` each policy run. Raises for bad input
    (no workspace, a filter matching nothing, a dependency cycle) and
    :class:`Declined`; a package's own failure is in the result. ``consent``
    is asked before ``NPM_TOKEN`` or OIDC goes to a registry only a package's
    own files name (see :func:`~releasekit.stage.publish.stage_publish`).
    """
    from releasekit.runcache import batch

    with batch():
        return _stage_recursive(
            start, options, filters, continue_on_error, jobs, confirm, progress, report, transport, consent
        )


def _stage_recursive(
    start: Path | str,
    options: StageOptions,
    filters: Sequence[str],
    continue_on_error: bool,
    jobs: int | None,
    confirm: ConfirmAll | None,
    progress: Progress | None,
    report: Report | None,
    transport: httpx.BaseTransport | None,
    consent: Consent | None = None,
) -> RecursiveResult:
    selection = select_packages(start, filters)
    workspace = selection.workspace
    runs = {n: _run_for(selection.graph.members[n]) for n in selection.order}
    ordered = [runs[n] for n in selection.order]
    result = RecursiveResult(workspace.root, options.dry_run, ordered)

    to_check: list[PackageRun] = []
    for run in ordered:
        member = selection.graph.members[run.name]
        if member.private:
            _settle(run, Outcome.SKIPPED, 'private package ("private": true)', progress)
            continue
        private = _private_dependency(selection.graph, member)
        if private is not None:  # consumers could never install it
            run.error = PackError(
                f"{run.name} depends on {private}, a private workspace package that is never published "
                "(bundle it, or make it public)"
            )
        else:
            to_check.append(run)
    if not options.dry_run:
        for run, reason in _already_there(to_check, options, workspace, transport):
            _settle(run, Outcome.SKIPPED, reason, progress)
        to_check = [r for r in to_check if r.outcome is None]

    _check_all(to_check, options, workspace, jobs, report)

    gate = _Gate(selection.graph, continue_on_error, progress)
    passed: list[PackageRun] = []
    for run in ordered:
        if run.outcome is not None or gate.holds(run):  # skipped, or settled by an earlier failure
            continue
        if run.error is not None:
            gate.fail(run, run.error)
        elif options.dry_run:
            assert run.result is not None
            try:
                upload_stage(run.result)  # works out the provenance that would be attached
            except ReleasekitError as exc:
                gate.fail(run, exc)
                continue
            _settle(run, Outcome.WOULD_STAGE, None, progress)
        else:
            passed.append(run)

    if not passed:
        return result
    plans = [r.result.plan for r in passed if r.result is not None]
    if confirm is not None and not confirm(plans):
        raise Declined(f"nothing was staged: declined at the prompt ({len(plans)} packages)")
    for run in passed:
        assert run.result is not None
        if gate.holds(run):
            continue
        try:
            upload_stage(run.result, transport=transport, consent=consent)
        except Conflict:
            # someone staged or published it since we looked: as pnpm, a skip, not a failure
            _settle(
                run, Outcome.SKIPPED, f"{run.name}@{run.version} is already published or staged", progress
            )
            continue
        except ReleasekitError as exc:
            gate.fail(run, exc)
            continue
        _settle(run, Outcome.STAGED, None, progress)
    return result


class _Gate:
    """What a failure means for the packages after it, in the checks and in the uploads alike."""

    def __init__(self, graph: Graph, continue_on_error: bool, progress: Progress | None) -> None:
        self.graph = graph
        self.continue_on_error = continue_on_error
        self.progress = progress
        self.failed: set[str] = set()
        self.stopped = False

    def holds(self, run: PackageRun) -> bool:
        """Settle ``run`` as blocked (a dependency failed) or stopped (an earlier package failed), if it is."""
        blocker = _failed_dependency(self.graph, run.name, self.failed)
        if blocker is not None:
            self.failed.add(run.name)
            _settle(run, Outcome.BLOCKED, f"its dependency {blocker} failed", self.progress)
        elif self.stopped:
            _settle(
                run, Outcome.STOPPED, "an earlier package failed (see --continue-on-error)", self.progress
            )
        return blocker is not None or self.stopped

    def fail(self, run: PackageRun, error: ReleasekitError) -> None:
        run.error = error
        self.failed.add(run.name)
        self.stopped = not self.continue_on_error
        _settle(run, Outcome.FAILED, error.message, self.progress)


def _run_for(member: Member) -> PackageRun:
    return PackageRun(member.name, member.version, member.path)


def _settle(run: PackageRun, outcome: Outcome, reason: str | None, progress: Progress | None) -> None:
    run.outcome, run.reason = outcome, reason
    if progress is not None:
        progress(run)


def _private_dependency(graph: Graph, member: Member) -> str | None:
    """The first private workspace package ``member`` needs at install time, unless it bundles it."""
    from releasekit.package.packlist import normalized_bundle

    bundled = set(normalized_bundle(member.manifest))
    private = sorted(d for d in graph.deps[member.name] if graph.members[d].private and d not in bundled)
    return private[0] if private else None


def _failed_dependency(graph: Graph, name: str, failed: set[str]) -> str | None:
    """The first failed package ``name`` depends on, directly or not."""
    below = graph.closure([name], upward=False) - {name}
    hit = sorted(below & failed)
    return hit[0] if hit else None


def _config_for(member: Member, workspace: Workspace) -> Config:
    """The package's own releasekit.yaml, else the workspace root's, else the defaults."""
    from releasekit.config import CONFIG_FILENAME, load_config

    if not (member.path / CONFIG_FILENAME).exists() and (workspace.root / CONFIG_FILENAME).is_file():
        return load_config(workspace.root)
    return load_config(member.path)


def _root_policies(workspace: Workspace, member: Member) -> list[Path]:
    folder = workspace.root / "policies"
    return [folder] if folder.is_dir() and member.path != workspace.root else []


def _check_one(run: PackageRun, options: StageOptions, workspace: Workspace, report: Report | None) -> None:
    member = Member(run.name, run.version, run.path)
    try:
        run.result = check_stage(
            run.path,
            options,
            config=_config_for(member, workspace),
            policy_paths=_root_policies(workspace, member),
            report=report,
        )
    except StageGateFailed as exc:
        run.result, run.error = exc.result, exc
    except ReleasekitError as exc:
        run.error = exc


def _check_all(
    runs: Sequence[PackageRun],
    options: StageOptions,
    workspace: Workspace,
    jobs: int | None,
    report: Report | None,
) -> None:
    """Pack and check every package, on every core.

    Policy runs hold the GIL and share ``sys.modules``, so the parallelism is
    forked worker processes, each handing back the pickled result. A result
    that does not pickle, or an error, is redone here, so the exception seen
    is the real one.
    """
    workers = min(jobs if jobs is not None else _idle_cores(), len(runs) - 1)
    fork = _fork_context()
    if workers <= 1 or report is not None or fork is None:
        for run in runs:
            _check_one(run, options, workspace, report)
        return
    # the first package here: the workers are forked with every module it imported already loaded
    _check_one(runs[0], options, workspace, None)
    runs = runs[1:]
    global _WORK
    _WORK = (list(runs), options, workspace)
    try:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers, mp_context=fork) as pool:
            answers = list(
                pool.map(_check_in_worker, range(len(runs)), chunksize=max(1, len(runs) // (workers * 4)))
            )
    finally:
        _WORK = None
    import pickle

    for run, answer in zip(runs, answers, strict=True):
        if answer is None:
            _check_one(run, options, workspace, None)
        else:
            run.result = pickle.loads(answer)


_WORK: tuple[list[PackageRun], StageOptions, Workspace] | None = None  # what forked workers read


def _idle_cores() -> int:
    """The cores nobody else is using (as ``make -l``): on a busy machine workers only add forking."""
    cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:
        return cores
    return max(1, min(cores, int(cores - load + 0.5)))


def _fork_context() -> Any:
    import multiprocessing

    try:
        return multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform
        return None


def _check_in_worker(index: int) -> bytes | None:
    import pickle

    assert _WORK is not None
    runs, options, workspace = _WORK
    run = runs[index]
    _check_one(run, options, workspace, None)
    if run.error is not None or run.result is None:
        return None
    try:
        return pickle.dumps(run.result)
    except Exception:  # noqa: BLE001 - whatever will not pickle is redone in the parent
        return None


def _already_there(
    runs: Sequence[PackageRun],
    options: StageOptions,
    workspace: Workspace,
    transport: httpx.BaseTransport | None,
) -> list[tuple[PackageRun, str]]:
    """The packages whose version the registry already has, published or staged, and which."""
    from releasekit.errors import AuthRequired, Forbidden
    from releasekit.registry.auth import resolve_credentials
    from releasekit.registry.client import RegistryClient
    from releasekit.stage.target import choose_registry

    found: list[tuple[PackageRun, str]] = []
    for run in runs:
        member = workspace.members.get(run.name)
        manifest = member.manifest if member is not None else {}
        publish_config = manifest.get("publishConfig")
        choice = choose_registry(
            options.registry,
            publish_config=publish_config if isinstance(publish_config, dict) else None,
            config=_config_for(Member(run.name, run.version, run.path), workspace),
            project_dir=run.path,
            name=run.name,
        )
        registry = choice.url
        try:
            # Asked before anyone confirmed anything: NPM_TOKEN never goes to a project-named registry here.
            from_project = choice.source if choice.from_project else None
            token = resolve_credentials(
                registry, project_dir=run.path, warn=None, registry_from_project=from_project
            ).token
        except ReleasekitError:
            token = None  # no token (OIDC-only CI): the packument is public; the stage list is not
        with RegistryClient(registry, token=token, transport=transport) as client:
            packument = client.packument(run.name) or {}
            if run.version in (packument.get("versions") or {}):
                found.append((run, f"{run.name}@{run.version} is already published"))
                continue
            if token is None:
                continue
            try:
                staged = client.stage_list(run.name)
            except (AuthRequired, Forbidden):
                continue  # the upload's 409 still stops a duplicate
            if any(entry.version == run.version for entry in staged):
                found.append((run, f"{run.name}@{run.version} is already staged"))
    return found


def wait_for_all(
    result: RecursiveResult,
    timeout: float,
    *,
    on_wait: Callable[[PackageRun], None] | None = None,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] | None = None,
) -> int:
    """Wait for a decision on every staged package, sharing one deadline.

    Answers the exit code: 0 every version approved, 1 any rejected, 124 the
    wait timed out (rejections win: nothing more can make the set whole).
    """
    import time

    from releasekit.registry.client import RegistryClient
    from releasekit.review.wait import Decision, wait_for_decision

    clock = clock or time.monotonic
    deadline = clock() + timeout
    staged = result.by_outcome(Outcome.STAGED)
    for run in staged:
        assert run.result is not None and run.stage_id is not None
        target = run.result.target
        credentials = run.result.credentials
        if on_wait is not None:
            on_wait(run)
        with RegistryClient(target.registry, token=credentials.token if credentials else None) as client:
            run.wait = wait_for_decision(
                client,
                name=target.name,
                version=target.version,
                stage_id=run.stage_id,
                timeout=max(0.0, deadline - clock()),
                sleep=sleep or time.sleep,
                clock=clock,
            )
    decisions = {run.wait.decision for run in staged if run.wait is not None}
    if Decision.REJECTED in decisions:
        return int(ExitCode.REFUSED)
    if Decision.TIMED_OUT in decisions:
        return int(ExitCode.TIMED_OUT)
    return int(ExitCode.OK)

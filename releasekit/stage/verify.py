"""``lpm stage verify``: is the staged tarball what the project's source packs to, built by the expected CI?

:func:`stage_verify` packs the source (the working tree, or a git ref checked
out into a temporary worktree) with the npm-identical packer, compares the
result with the staged tarball entry by entry after the tar layer
(:mod:`releasekit.review.entry_diff`), and checks the staged version's Sigstore
provenance against the identity ``releasekit.yaml`` expects
(:mod:`releasekit.provenance.identity`). Build steps run only when the caller
allows project code to run. The result says "identical" or lists every
difference; lines a secret scan flags are withheld from its patches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from releasekit.config import Config
from releasekit.package.manifest import read_manifest
from releasekit.package.pack import pack_project
from releasekit.policy.findings import Finding
from releasekit.provenance.identity import ExpectedIdentity, ProvenanceCheck, check_identity
from releasekit.provenance.statement import SLSA_PROVENANCE_V02, SLSA_PROVENANCE_V1
from releasekit.review.archive import Archive, ArchiveEntry, shown
from releasekit.review.entry_diff import EntryDifference, compare_tarballs, needs_patch, with_patches
from releasekit.review.staged import StagedTarball, fetch_staged, secret_lines
from releasekit.stage.source import (
    BuildReport,
    BuildStep,
    SourceTree,
    build_steps,
    checkout,
    resolve,
    run_build,
)

if TYPE_CHECKING:
    from sigstore.models import ClientTrustConfig

NAMED_IN_REASON = 5  # differences spelled out in the one-line refusal; the report lists all


class _Client(Protocol):
    def stage_view(self, stage_id: str) -> Any: ...
    def stage_tarball(self, stage_id: str) -> bytes: ...
    def packument(self, name: str) -> dict[str, Any] | None: ...
    def tarball(self, url: str) -> bytes: ...


@dataclass(frozen=True)
class VerifyOptions:
    source: Path | None = None  # the project folder (default: the current one)
    ref: str | None = None  # a git ref to check out instead of the working tree
    build: bool = False  # allow build steps (project code) to run
    provenance_file: Path | None = None  # a bundle instead of the registry's
    compare: bool = True  # pack the source and compare; False checks provenance only


@dataclass
class VerifyResult:
    stage_id: str
    name: str
    version: str
    source: SourceTree
    build: BuildReport
    differences: list[EntryDifference] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # hostile entries in the staged tarball
    provenance: ProvenanceCheck | None = None
    staged_sha512: str = ""
    compared: bool = True

    @property
    def identical(self) -> bool:
        return not self.differences

    @property
    def explained_by_build(self) -> list[EntryDifference]:
        """Differences only in files the build wrote: a non-deterministic build could explain them."""
        return [d for d in self.differences if d.build_output]

    @property
    def reasons(self) -> list[str]:
        """Why verification refuses the staged version; empty when it passes."""
        reasons: list[str] = []
        if self.differences:
            named = "; ".join(shown(d.summary()) for d in self.differences[:NAMED_IN_REASON])
            more = len(self.differences) - NAMED_IN_REASON
            reasons.append(
                f"the staged tarball differs from what {self._source_name()} packs to: {named}"
                + (f"; and {more} more" if more > 0 else "")
            )
        if self.provenance is not None and self.provenance.refused:
            reasons.append(self.provenance.message)
        return reasons

    @property
    def passed(self) -> bool:
        return not self.reasons

    def _source_name(self) -> str:
        if self.source.ref:
            return f"{self.source.ref} ({(self.source.commit or '')[:12]})"
        return "the working tree" + (" (uncommitted changes)" if self.source.dirty else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "stageId": self.stage_id,
            "name": self.name,
            "version": self.version,
            "verdict": ("identical" if self.identical else "different") if self.compared else "not compared",
            "compared": self.compared,
            "passed": self.passed,
            "reasons": self.reasons,
            "source": self.source.to_dict(),
            "build": self.build.to_dict(),
            "stagedSha512": self.staged_sha512,
            "differences": [d.to_dict() for d in self.differences],
            "explainedByBuild": [d.path for d in self.explained_by_build],
            "hostile": [f.to_dict() for f in self.findings],
            "provenance": self.provenance.to_dict() if self.provenance else None,
        }


def verify_settings(config: Config | None) -> Mapping[str, Any]:
    section = config.get("verify") if config is not None else None
    return section if isinstance(section, Mapping) else {}


def stage_verify(
    client: _Client,
    stage_id: str,
    options: VerifyOptions | None = None,
    *,
    config: Config | None = None,
    staged: StagedTarball | None = None,
    on_build: Callable[[BuildStep], None] | None = None,
    trust_config: ClientTrustConfig | None = None,
) -> VerifyResult:
    """Verify ``stage_id`` against the source; the result says how it went, it does not raise for it.

    ``staged`` is the already downloaded staged tarball (approve passes the one
    it reviewed, so both look at the same bytes). ``on_build`` is told before
    each build step runs: it is the project's code.
    """
    options = options or VerifyOptions()
    settings = verify_settings(config)
    expected = ExpectedIdentity.from_config(settings.get("provenance"))
    staged = staged or fetch_staged(client, stage_id)
    source_dir = options.source or (config.project_dir if config is not None else Path.cwd())
    package = staged.as_package()
    report = BuildReport()
    if not options.compare:
        tree, _ = resolve(source_dir, options.ref)
        result = VerifyResult(
            stage_id,
            package.name,
            package.version,
            tree,
            report,
            staged_sha512=package.sha512_hex,
            compared=False,
        )
        result.provenance = _provenance(client, stage_id, result, options, expected, trust_config)
        return result
    allow_build = options.build or settings.get("build") not in (None, False)
    with checkout(source_dir, options.ref) as tree:
        steps = build_steps(read_manifest(tree.project_dir).data, settings.get("build"))
        if steps and allow_build:
            report.ran = steps
            report.outputs = run_build(tree.project_dir, steps, on_step=on_build)
        elif steps:
            report.skipped = steps
        packed = pack_project(tree.project_dir, config)
    differences = compare_tarballs(packed.tarball, staged.tarball, build_outputs=report.outputs)
    result = VerifyResult(
        stage_id,
        package.name or packed.name,
        package.version or packed.version,
        tree,
        report,
        _patched(differences),
        list(staged.archive.findings),
        staged_sha512=package.sha512_hex,
    )
    result.provenance = _provenance(client, stage_id, result, options, expected, trust_config)
    return result


def approval_options(config: Config | None, name: str, version: str) -> VerifyOptions | None:
    """The verification releasekit.yaml asks ``stage approve`` to run, or ``None`` when it asks for none.

    ``verify.source: true`` packs the project folder (or ``verify.ref``, with
    ``{name}``/``{version}`` filled in) and compares; a ``verify.provenance``
    section checks the provenance identity. Build steps run only if
    ``verify.build`` is set.
    """
    settings = verify_settings(config)
    compare = settings.get("source") is True
    if not compare and ExpectedIdentity.from_config(settings.get("provenance")) is None:
        return None
    ref = settings.get("ref")
    if isinstance(ref, str):
        ref = ref.replace("{name}", name).replace("{version}", version)
    return VerifyOptions(
        source=config.project_dir if config is not None else None, ref=ref or None, compare=compare
    )


def verify_for_approval(
    client: _Client,
    staged: StagedTarball,
    config: Config | None,
    *,
    on_build: Callable[[BuildStep], None] | None = None,
    trust_config: ClientTrustConfig | None = None,
) -> VerifyResult | None:
    """Approve's verification of the tarball it reviewed, as releasekit.yaml configures it; ``None`` if none is."""
    package = staged.as_package()
    options = approval_options(config, package.name, package.version)
    if options is None:
        return None
    stage_id = str(getattr(staged.entry, "id", "") or "")
    return stage_verify(
        client, stage_id, options, config=config, staged=staged, on_build=on_build, trust_config=trust_config
    )


def describe_skipped(config: Config | None) -> str:
    """What ``--skip-verify`` skipped, for the warning it prints."""
    settings = verify_settings(config)
    skipped = []
    if settings.get("source") is True:
        ref = settings.get("ref")
        skipped.append(f"the staged tarball was NOT compared with the source{f' at {ref}' if ref else ''}")
    expected = ExpectedIdentity.from_config(settings.get("provenance"))
    if expected is not None:
        who = expected.repository_url or "any repository"
        skipped.append(
            f"its provenance was NOT checked against {who}"
            f"{f' ({expected.workflow})' if expected.workflow else ''}"
        )
    if not skipped:
        return "--skip-verify: releasekit.yaml configures no verification; nothing was skipped"
    return "WARNING: --skip-verify: " + " and ".join(skipped) + " before approval"


def _patched(differences: list[EntryDifference]) -> list[EntryDifference]:
    """Patches for the differing text files, withholding the lines the secret scan flags on either side."""
    source = Archive(
        {
            d.path: ArchiveEntry(d.path, d.source.mode, d.source.data)
            for d in differences
            if needs_patch(d) and d.source is not None
        },
        [],
    )
    staged = Archive(
        {
            d.path: ArchiveEntry(d.path, d.staged.mode, d.staged.data)
            for d in differences
            if needs_patch(d) and d.staged is not None
        },
        [],
    )
    hidden_source = secret_lines(source, list(source.entries)) if source.entries else {}
    hidden_staged = secret_lines(staged, list(staged.entries)) if staged.entries else {}
    return with_patches(differences, hidden_source, hidden_staged)


def _provenance(
    client: Any,
    stage_id: str,
    result: VerifyResult,
    options: VerifyOptions,
    expected: ExpectedIdentity | None,
    trust_config: ClientTrustConfig | None,
) -> ProvenanceCheck | None:
    bundle: bytes | None
    if options.provenance_file is not None:
        from releasekit.provenance.bundle_check import read_bundle_file

        bundle, where = read_bundle_file(options.provenance_file), str(options.provenance_file)
    else:
        bundle, where = _registry_bundle(client, stage_id), "the registry"
    if bundle is None:
        if expected is None:
            return None
        if expected.required:
            return ProvenanceCheck(
                "missing",
                f"provenance is required (verify.provenance) but {result.name}@{result.version} was staged without it",
                None,
                expected=expected,
            )
        return ProvenanceCheck("absent", "no provenance was staged (not required)", None, expected=expected)
    if trust_config is None:
        from releasekit.provenance.sign import configured_trust_config

        trust_config = configured_trust_config(offline=True)
    return check_identity(
        bundle,
        name=result.name,
        version=result.version,
        tarball_sha512=result.staged_sha512,
        commit=result.source.commit,
        expected=expected,
        trust_config=trust_config,
        source=where,
    )


def _registry_bundle(client: Any, stage_id: str) -> bytes | None:
    import json

    fetch = getattr(client, "stage_attestations", None)
    attestations = fetch(stage_id) if fetch is not None else None
    for item in attestations or ():
        if item.get("predicateType") in (SLSA_PROVENANCE_V1, SLSA_PROVENANCE_V02, None):
            return json.dumps(item["bundle"]).encode("utf-8")
    return None

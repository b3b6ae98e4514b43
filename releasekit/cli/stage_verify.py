"""``lpm stage verify``: flags in, :func:`releasekit.stage.verify.stage_verify` called, a report out.

Also the text report approve prints when it verifies before asking for the OTP.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit.cli.output import Reply, echo

if TYPE_CHECKING:
    from releasekit.config import Config
    from releasekit.stage.source import BuildStep
    from releasekit.stage.verify import VerifyOptions, VerifyResult

MAX_PATCH_LINES = 80  # per file in text mode; --json has the whole patch


def announce_build(step: BuildStep) -> None:
    """Said before each build step: it is the project's code, not releasekit's."""
    echo(f"Running project code ({step.label}): {step.command}", err=True)


def project_config(source: Path | None) -> Config | None:
    from releasekit.config import load_config

    where = (source or Path.cwd()).resolve()
    return load_config(where) if (where / "releasekit.yaml").exists() else None


def run_verify(
    client: Any, stage_id: str, options: VerifyOptions, config: Config | None, **kw: Any
) -> VerifyResult:
    from releasekit.stage.verify import stage_verify

    if options.build or (config is not None and config.get("verify.build") not in (None, False)):
        echo(
            "Build steps enabled: verification runs the project's own code from the source it checks.",
            err=True,
        )
    return stage_verify(client, stage_id, options, config=config, on_build=announce_build, **kw)


def render(result: VerifyResult, *, err: bool = False) -> None:
    """The verification report in text: the verdict, each difference, provenance."""
    from releasekit.review.archive import shown

    where = result.source.ref or str(result.source.given)
    commit = f" at {result.source.commit[:12]}" if result.source.commit else ""
    dirty = " (uncommitted changes)" if result.source.dirty else ""
    echo(
        f"Verify {result.name}@{result.version} (stage {result.stage_id}) against {where}{commit}{dirty}",
        err=err,
    )
    for step in result.build.ran:
        echo(f"  built: {step.label}: {step.command}", err=err)
    for step in result.build.skipped:
        echo(f"  NOT built: {step.label}: {step.command} (pass --build to run project code)", err=err)
    if result.identical:
        echo("  tarball: identical to the source (every entry's path, type, mode and bytes)", err=err)
    else:
        echo(
            f"  tarball: DIFFERENT ({len(result.differences)} difference"
            f"{'s' if len(result.differences) != 1 else ''})",
            err=err,
        )
        for d in result.differences:
            echo(f"  - {shown(d.summary())}", err=err)
            for side, entry in (("source", d.source), ("staged", d.staged)):
                if (
                    entry is not None
                    and (d.status != "changed" or "content" in d.aspects)
                    and d.patch is None
                ):
                    echo(
                        f"      {side}: {entry.type} {entry.mode:04o}, {len(entry.data)} bytes, sha512 {entry.sha512[:32]}...",
                        err=err,
                    )
            if d.patch:
                lines = d.patch.rstrip("\n").splitlines()
                for line in lines[:MAX_PATCH_LINES]:
                    echo(f"      {shown(line)}", err=err)
                if len(lines) > MAX_PATCH_LINES:
                    echo(f"      ... {len(lines) - MAX_PATCH_LINES} more lines (see --json)", err=err)
        explained = result.explained_by_build
        if explained:
            echo(
                f"  {len(explained)} of them only in files the build wrote; a non-deterministic build could explain: "
                + ", ".join(shown(d.path) for d in explained),
                err=err,
            )
    for finding in result.findings:
        echo(f"  hostile entry: {finding.message}", err=err)
    if result.provenance is not None:
        echo(f"  provenance: {result.provenance.outcome}: {result.provenance.message}", err=err)
    verdict = "PASSED" if result.passed else "REFUSED: " + "; ".join(result.reasons)
    echo(f"Verification {verdict}", err=err)


def reply(result: VerifyResult, registry: str) -> Reply:
    """``lpm stage verify``'s answer: the report in text, the envelope in JSON; exit 1 on any difference."""
    from releasekit.cli.output import envelope, error_envelope
    from releasekit.errors import ExitCode, VerificationFailed

    doc = result.to_dict()
    if result.passed:
        return Reply(
            envelope(True, registry=registry, stageId=result.stage_id, data=doc), lambda: render(result)
        )
    document = error_envelope(
        "; ".join(result.reasons),
        VerificationFailed.error_code,
        registry=registry,
        stageId=result.stage_id,
        data=doc,
    )
    return Reply(document, lambda: render(result), ExitCode.REFUSED)

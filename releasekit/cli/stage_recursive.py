"""``lpm stage publish --recursive``: flags in, :func:`releasekit.stage.recursive.stage_recursive` called,
one summary table (or one JSON envelope) out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import rich_click as click

from releasekit.cli.output import Reply, echo, envelope, json_mode, print_rich
from releasekit.errors import UsageError

if TYPE_CHECKING:
    from releasekit.options import StageOptions
    from releasekit.stage.publish import StagePlan
    from releasekit.stage.recursive import PackageRun, RecursiveResult


def check_flags(
    *,
    recursive: bool,
    filters: Sequence[str],
    continue_on_error: bool,
    summary_file: str | None,
    provenance_file: str | None,
) -> None:
    """The workspace flags go with ``--recursive``; one provenance bundle cannot fit several packages."""
    if not recursive:
        for given, flag in (
            (filters, "--filter"),
            (continue_on_error, "--continue-on-error"),
            (summary_file, "--summary-file"),
        ):
            if given:
                raise UsageError(f"{flag} goes with --recursive (-r)")
        return
    if provenance_file:
        raise UsageError("--provenance-file names one bundle: it cannot go with --recursive")
    if summary_file is not None:
        target = Path(summary_file)
        if not summary_file.strip() or target.is_dir():
            raise UsageError(f"--summary-file {summary_file!r}: give a file path")
        if not target.parent.resolve().is_dir():
            raise UsageError(f"--summary-file {summary_file}: {target.parent} does not exist")


def _confirm_factory(yes: bool) -> object:
    from releasekit.cli.stage import stdin_is_tty

    def confirm(plans: Sequence[StagePlan]) -> bool:
        if yes:
            return True
        if not stdin_is_tty():
            raise UsageError(
                f"not staging {len(plans)} packages: stdin is not a terminal, so nobody can confirm; pass -y/--yes"
            )
        if json_mode():
            return True
        for plan in plans:
            echo(f"  {plan.target.spec}  tag {plan.target.tag}  -> {plan.target.registry}", err=True)
        return bool(click.confirm(f"Stage these {len(plans)} packages to npm?", default=False, err=True))

    return confirm


def _progress(run: PackageRun) -> None:
    from releasekit.stage.recursive import Outcome

    spec = f"{run.name}@{run.version}"
    lines = {
        Outcome.SKIPPED: f"Skipping {spec}: {run.reason}",
        Outcome.FAILED: f"Failed {spec}: {run.reason}",
        Outcome.BLOCKED: f"Not staging {spec}: {run.reason}",
        Outcome.STOPPED: f"Not staging {spec}: {run.reason}",
        Outcome.STAGED: f"Staged {spec} (stage id {run.stage_id})",
        Outcome.WOULD_STAGE: f"Checked {spec}: it would be staged",
    }
    assert run.outcome is not None
    echo(lines[run.outcome], err=run.outcome in (Outcome.FAILED, Outcome.BLOCKED, Outcome.STOPPED))


def _summary_table(result: RecursiveResult) -> None:
    from rich.table import Table

    title = "Dry run: nothing was staged" if result.dry_run else "Workspace staging"
    table = Table(title=title, title_justify="left")
    for column in ("Package", "Version", "Result", "Score", "Stage id"):
        table.add_column(column, no_wrap=column == "Stage id", overflow="fold")
    for run in result.packages:
        score = "" if run.score is None else str(run.score)
        table.add_row(run.name, run.version, str(run.outcome or ""), score, run.stage_id or "")
    print_rich(table)


def _failure_reports(result: RecursiveResult) -> None:
    """The policy report of each package the policies refused (the others passed: no noise)."""
    from releasekit.policy.reports.console import summary_lines
    from releasekit.stage.recursive import Outcome

    for run in result.by_outcome(Outcome.FAILED):
        if run.result is not None and not run.result.session.gate_passed:
            echo(f"== {run.name}@{run.version}")
            print_rich("\n".join(summary_lines(run.result.session)))


def write_summary(path: str, result: RecursiveResult) -> None:
    from releasekit.atomicfile import write_atomic
    from releasekit.redaction import redact_data

    data = (json.dumps(redact_data(result.summary()), indent=2) + "\n").encode("utf-8")
    write_atomic(Path(path), data, what="the summary file")


def publish_recursive(
    ctx: click.Context,
    options: StageOptions,
    *,
    filters: Sequence[str],
    continue_on_error: bool,
    summary_file: str | None,
    yes: bool,
    wait_seconds: float | None,
    jobs: int | None,
) -> Reply:
    from releasekit.cli.stage import consent_factory
    from releasekit.stage.recursive import stage_recursive, wait_for_all

    result = stage_recursive(
        Path.cwd(),
        options,
        filters=filters,
        continue_on_error=continue_on_error,
        jobs=jobs,
        confirm=_confirm_factory(yes),  # type: ignore[arg-type]
        progress=None if json_mode() else _progress,
        consent=consent_factory(yes),
    )
    if summary_file is not None:
        write_summary(summary_file, result)
    code = result.exit_code
    if wait_seconds is not None and not result.dry_run and result.staged:
        if not json_mode():
            echo(f"Waiting up to {wait_seconds:.0f}s for every staged version to be approved or rejected...")
        wait_code = wait_for_all(result, wait_seconds)
        code = code or wait_code
    document = envelope(
        code == 0,
        dryRun=result.dry_run,
        workspace=str(result.root),
        counts=result.to_dict()["counts"],
        data=[p.to_dict() for p in result.packages],
    )

    def text() -> None:
        _failure_reports(result)
        _summary_table(result)
        if summary_file is not None:
            echo(f"Summary written to {summary_file}")
        if wait_seconds is not None:
            for run in result.packages:
                if run.wait is not None:
                    echo(f"{run.name}@{run.version}: {run.wait.decision}")
        if result.failed:
            from releasekit.stage.recursive import Outcome

            failed = [f"{r.name}@{r.version}" for r in result.by_outcome(Outcome.FAILED)]
            left = len(result.by_outcome(Outcome.BLOCKED, Outcome.STOPPED))
            echo(
                f"Error: {len(failed)} package{'s' if len(failed) != 1 else ''} failed ({', '.join(failed)})"
                f"{f'; {left} more not staged because of it' if left else ''}",
                err=True,
            )
        if result.staged:
            from releasekit.stage.target import DEFAULT_REGISTRY

            registries = {r.result.target.registry for r in result.staged if r.result is not None}
            flag = f" --npm-registry {next(iter(registries))}" if registries - {DEFAULT_REGISTRY} else ""
            echo("Nothing is public yet. Review, then approve them all with:")
            echo(f"  lpm stage approve {' '.join(str(r.stage_id) for r in result.staged)}{flag}")

    return Reply(document, text, code)

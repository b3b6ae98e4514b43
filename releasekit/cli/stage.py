"""``lpm stage``: stage a package on npm, then list, view, download, approve or reject it.

A thin shell: the work happens in :mod:`releasekit.stage` and
:mod:`releasekit.registry`; this module turns flags into calls and results
into text or one JSON envelope.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import rich_click as click

from releasekit.cli.output import Reply, echo, envelope, human_size, json_mode, json_option, print_rich
from releasekit.errors import UsageError
from releasekit.redaction import register_secret
from releasekit.terminal import layout_safe, visible

if TYPE_CHECKING:
    from releasekit.review.wait import WaitResult
    from releasekit.stage.approve import ApprovalResult
    from releasekit.stage.publish import StagePlan, StageResult
    from releasekit.stage.verify import VerifyResult

REGISTRY_HINT = (
    "--registry names the lpm.dev registry; `lpm stage` talks to npm: use --npm-registry URL instead"
)


def _reject_lpm_registry(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        raise UsageError(REGISTRY_HINT)


def npm_registry_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--npm-registry URL`` plus a ``--registry`` that explains itself instead of "no such option"."""
    func = click.option(
        "--registry",
        "lpm_registry",
        default=None,
        hidden=True,
        expose_value=False,
        callback=_reject_lpm_registry,
        help=REGISTRY_HINT,
    )(func)
    return click.option(
        "--npm-registry",
        "npm_registry",
        default=None,
        metavar="URL",
        help="npm registry to talk to (default: publishConfig, releasekit.yaml, .npmrc, then registry.npmjs.org).",
    )(func)


@click.group("stage")
@json_option
@click.pass_context
def stage(ctx: click.Context) -> None:
    """Stage versions on npm for a human to approve later (npm staged publishing)."""
    obj = ctx.ensure_object(dict)
    if obj.get("lpm_registry") is not None:
        raise UsageError(REGISTRY_HINT)


# -- helpers ------------------------------------------------------------------


def stdin_is_tty() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def consent_factory(yes: bool) -> Callable[[str], bool]:
    """Asked before NPM_TOKEN or OIDC goes to a registry only the project's files name: --yes warns, a TTY asks."""

    def consent(question: str) -> bool:
        if yes:
            echo(f"Warning: {question}; sending it (--yes).", err=True)
            return True
        if stdin_is_tty() and not json_mode():
            return bool(click.confirm(f"{question}. Send it?", default=False, err=True))
        return False

    return consent


def consent_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "-y",
        "--yes",
        is_flag=True,
        help="Send NPM_TOKEN to a registry named only by this project's files without asking (a warning names it).",
    )(func)


def stdout_is_tty() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _otp_prompt(message: str) -> str | None:
    """Ask at the terminal (input hidden); an empty answer gives up."""
    echo(message, err=True)
    code = str(
        click.prompt("One-time password", hide_input=True, err=True, default="", show_default=False)
    ).strip()
    register_secret(code)
    return code or None


def _tty_otp_prompt() -> Callable[[str], str | None] | None:
    return _otp_prompt if stdin_is_tty() else None


def _web_auth_notice(url: str) -> None:
    echo(f"Authenticate in your browser to continue: {url}", err=True)


def _notice(message: str) -> None:
    echo(message, err=True)


def _shown_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    """An entry for text output: the registry's strings with control characters made visible."""
    return {k: visible(v) if isinstance(v, str) else v for k, v in entry.items()}


def _describe_entry(entry: Mapping[str, Any]) -> str:
    from releasekit.stage.entries import entry_spec

    return entry_spec(entry)


# -- publish ------------------------------------------------------------------


def _provenance_flags(provenance: bool, no_provenance: bool, provenance_file: str | None) -> bool | None:
    """``True``/``False`` for --provenance/--no-provenance, ``None`` when neither; refuses npm's bad pairs."""
    from releasekit.provenance.settings import check_flags

    check_flags(provenance=provenance, no_provenance=no_provenance, provenance_file=provenance_file)
    if provenance:
        return True
    if no_provenance:
        return False
    return None


def _confirm_factory(yes: bool) -> Callable[[StagePlan], bool]:
    def confirm(plan: StagePlan) -> bool:
        if yes:
            return True
        if not stdin_is_tty():
            raise UsageError(
                f"not staging {plan.target.spec}: stdin is not a terminal, so nobody can confirm; pass -y/--yes"
            )
        if json_mode():  # --json is for scripts: no prompt, as documented
            return True
        prompt = f"Stage {plan.target.spec} to npm?"
        return bool(click.confirm(prompt, default=False, err=True))

    return confirm


def _report_text(result: StageResult) -> None:
    """Text mode: what was packed and what the policies said."""
    package, target = result.package, result.target
    echo(
        f"Packed {target.spec}: {len(package.files)} files, {human_size(len(package.tarball))} "
        f"(unpacked {human_size(package.unpacked_size)}), shasum {package.shasum}"
    )
    from releasekit.policy.reports.console import summary_lines

    print_rich("\n".join(summary_lines(result.session)))


@stage.command("publish")
@json_option
@click.option("--tag", default=None, metavar="TAG", help="Dist-tag to stage under (default: latest).")
@click.option("--access", type=click.Choice(["public", "restricted"]), default=None, help="Package access.")
@click.option(
    "--dry-run", is_flag=True, help="Pack, scan and score locally; no auth, no upload, no remote checks."
)
@click.option("--provenance", is_flag=True, help="Sign and attach Sigstore provenance (CI only).")
@click.option(
    "--no-provenance",
    "no_provenance",
    is_flag=True,
    help="Do not attach provenance, whatever the config says.",
)
@click.option(
    "--provenance-file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    metavar="PATH",
    help="Attach this existing Sigstore bundle instead of signing.",
)
@click.option(
    "--min-score",
    type=click.IntRange(0, 100),
    default=None,
    metavar="N",
    help="Fail the quality gate below this 0-100 score.",
)
@click.option("--allow-secrets", is_flag=True, help="Report found secrets as warnings instead of failing.")
@click.option(
    "-y",
    "--yes",
    is_flag=True,
    help="Do not ask for confirmation (required when stdin is not a TTY); NPM_TOKEN may then go to a "
    "registry only project files name, with a warning.",
)
@click.option(
    "--wait",
    is_flag=True,
    help="After staging, wait for a human decision: exit 0 approved, 1 rejected, 124 timed out.",
)
@click.option(
    "--timeout",
    "timeout",
    default=None,
    metavar="DURATION",
    help="How long --wait waits, e.g. 90s, 30m, 2h (default 30m).",
)
@click.option(
    "-r",
    "--recursive",
    is_flag=True,
    help="Stage every package of the workspace, dependencies first (private ones and versions "
    "already there are skipped).",
)
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="SELECTOR",
    help="With -r: only these packages (NAME, GLOB, ./path; NAME... adds dependencies, ...NAME "
    "dependents; !SELECTOR excludes). Repeatable.",
)
@click.option(
    "--continue-on-error",
    is_flag=True,
    help="With -r: after a failure, still stage the packages that do not depend on it.",
)
@click.option(
    "--summary-file",
    default=None,
    metavar="PATH",
    help="With -r: write JSON for CI (package, version, stageId, tag, integrity).",
)
@click.option(
    "--workspace-concurrency",
    "jobs",
    type=click.IntRange(1, 64),
    default=None,
    metavar="N",
    help="With -r: how many packages to pack and check at once.",
)
@click.option(
    "-v", "--verbose", is_flag=True, help="List every packed file on a --dry-run (a terminal gets a summary)."
)
@npm_registry_options
@click.pass_context
def publish(
    ctx: click.Context,
    tag: str | None,
    access: str | None,
    dry_run: bool,
    provenance: bool,
    no_provenance: bool,
    provenance_file: str | None,
    min_score: int | None,
    allow_secrets: bool,
    yes: bool,
    wait: bool,
    timeout: str | None,
    recursive: bool,
    filters: tuple[str, ...],
    continue_on_error: bool,
    summary_file: str | None,
    jobs: int | None,
    verbose: bool,
    npm_registry: str | None,
) -> Reply | None:
    """Pack this project, run its policies and stage it on npm for approval.

    With -r/--recursive, stage the whole workspace (npm/yarn/bun "workspaces" or pnpm-workspace.yaml).
    """
    from releasekit.cli.progress import progress_display
    from releasekit.cli.stage_recursive import check_flags, publish_recursive
    from releasekit.options import StageOptions
    from releasekit.review.wait import parse_duration
    from releasekit.stage.publish import stage_publish

    check_flags(
        recursive=recursive,
        filters=filters,
        continue_on_error=continue_on_error,
        summary_file=summary_file,
        provenance_file=provenance_file,
    )
    if jobs is not None and not recursive:
        raise UsageError("--workspace-concurrency goes with --recursive (-r)")

    if timeout is not None and not wait:
        raise UsageError("--timeout goes with --wait")
    if wait and dry_run:
        raise UsageError("--wait has nothing to wait for on a --dry-run")
    wait_seconds = parse_duration(timeout or "30m") if wait else None
    if tag is not None:  # "" must not quietly mean "latest"
        from releasekit.stage.target import validate_tag

        tag = validate_tag(tag, "--tag")

    options = StageOptions(
        tag=tag,
        access=access,  # type: ignore[arg-type]
        provenance=_provenance_flags(provenance, no_provenance, provenance_file),
        provenance_file=provenance_file,
        min_score=min_score,
        dry_run=dry_run,
        allow_secrets=allow_secrets,
        registry=npm_registry,
    )
    if recursive:
        return publish_recursive(
            ctx,
            options,
            filters=filters,
            continue_on_error=continue_on_error,
            summary_file=summary_file,
            yes=yes,
            wait_seconds=wait_seconds,
            jobs=jobs,
        )
    report = None if json_mode() else _report_text
    with progress_display() as shown:
        result = stage_publish(
            Path.cwd(),
            options,
            confirm=shown.before(_confirm_factory(yes)),
            report=shown.before(report),
            progress=shown.callback,
            consent=shown.before(consent_factory(yes)),
        )

    target = result.target
    if wait_seconds is not None and not result.dry_run:
        if not json_mode():
            _report_staged(result)
        decision = _wait_for_decision(result, wait_seconds)
        messages = {
            "approved": f"Approved: {target.spec} is published.",
            "rejected": f"Rejected: {target.spec} was not published.",
            "timed_out": f"Timed out after {decision.elapsed:.0f}s: {target.spec} is still staged.",
        }
        document = envelope(
            decision.decision == "approved",
            registry=target.registry,
            stageId=result.stage_id,
            auth=result.auth,
            data={**result.to_dict(), "wait": decision.to_dict()},
        )
        return Reply(document, lambda: echo(messages[str(decision.decision)]), decision.decision.exit_code)

    def text() -> None:
        if not result.dry_run:
            _report_staged(result)
            return
        _list_files(result, everything=verbose or not stdout_is_tty())
        access = target.access or "default"
        echo(f"Would stage {target.spec} to {target.registry} with tag {target.tag} and {access} access")
        if result.provenance is not None:
            echo(result.provenance.summary())
        echo("Dry run: nothing was staged. No auth was used and no remote version or tag checks were made.")

    return Reply(
        envelope(
            True, registry=target.registry, stageId=result.stage_id, auth=result.auth, data=result.to_dict()
        ),
        text,
    )


DRY_RUN_FILES_SHOWN = 20  # on a terminal; -v, --json or a pipe get every file


def _list_files(result: StageResult, *, everything: bool) -> None:
    files = sorted(result.package.files, key=lambda f: f.path.lower())
    shown = files if everything or len(files) <= DRY_RUN_FILES_SHOWN + 5 else files[:DRY_RUN_FILES_SHOWN]
    echo("Files that would be published:")
    for packed in shown:
        echo(f"  {human_size(packed.size):>9}  {visible(packed.path)}")
    if len(shown) < len(files):
        rest = files[len(shown) :]
        echo(
            f"  ... and {len(rest)} more files ({human_size(sum(f.size for f in rest))}): -v or --json lists them all"
        )


def _report_staged(result: StageResult) -> None:
    target = result.target
    echo(
        f"Staged {target.spec} to {target.registry} with tag {target.tag} "
        f"(auth: {result.auth}{f' from {result.auth_source}' if result.auth_source else ''})"
    )
    if result.provenance is not None:
        echo(result.provenance.summary())
    if result.response and result.response.get("reconciled"):
        echo(
            f"Note: {result.response.get('message', 'the upload outcome was checked against the stage list')}"
        )
    echo(f"Stage id: {result.stage_id}")
    echo("Nothing is public yet. Review it, then approve it with:")
    echo(f"  {result.approve_command()}")


def _wait_for_decision(result: StageResult, seconds: float) -> WaitResult:
    """Poll with the publish's own auth until approved, rejected or ``seconds`` pass."""
    from releasekit.registry.client import RegistryClient
    from releasekit.review.wait import wait_for_decision

    target = result.target
    token = result.credentials.token if result.credentials is not None else None
    if not json_mode():
        echo(f"Waiting up to {seconds:.0f}s for {target.spec} to be approved or rejected...")
    with RegistryClient(target.registry, token=token) as client:
        decision = wait_for_decision(
            client, name=target.name, version=target.version, stage_id=str(result.stage_id), timeout=seconds
        )
    return decision


# -- list / view --------------------------------------------------------------


@stage.command("list")
@json_option
@click.argument("package", required=False)
@npm_registry_options
@consent_option
def list_(package: str | None, npm_registry: str | None, yes: bool) -> Reply:
    """List every staged version (optionally of one PACKAGE), paging through them all."""
    from releasekit.stage.entries import stage_list

    listing = stage_list(package, project_dir=Path.cwd(), registry=npm_registry, consent=consent_factory(yes))
    registry, entries = listing.registry, listing.entries

    def text() -> None:
        if not entries:
            echo(f"No staged versions of {package}." if package else "No staged versions.")
            return
        _print_entries(registry, [_shown_entry(e) for e in entries])
        echo(f"{len(entries)} staged version{'s' if len(entries) != 1 else ''}.")

    return Reply(envelope(True, registry=registry, data=entries), text)


_COLUMNS = ("Stage id", "Package", "Version", "Tag", "Access", "Actor", "Created", "Shasum")


def _rows(entries: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """The table's cells, redacted already: their widths are the widths printed."""
    from releasekit.redaction import redact

    return [
        tuple(
            redact(cell)
            for cell in (
                *(str(entry.get(k) or "") for k in ("id", "packageName", "version", "tag", "access")),
                _actor(entry),
                str(entry.get("createdAt") or ""),
                str(entry.get("shasum") or ""),
            )
        )
        for entry in entries
    ]


def _print_entries(registry: str, entries: list[dict[str, Any]]) -> None:
    """A table when every cell fits on one line; else one block per entry (names and ids never broken)."""
    from releasekit.cli.output import console

    rows = _rows(entries)
    widths = [max(len(cell) for cell in column) for column in zip(_COLUMNS, *rows, strict=True)]
    needed = sum(widths) + 3 * len(widths) + 1  # a space either side of each cell, and the rules
    if needed > console(stderr=json_mode()).width:
        echo(f"Staged on {registry}:")
        for entry in entries:
            echo("")
            echo(
                f"{_describe_entry(entry)}  tag {entry.get('tag') or '-'}  access {entry.get('access') or '-'}"
            )
            echo(f"  id:      {entry.get('id')}")
            echo(f"  by:      {_actor(entry)}  at {entry.get('createdAt') or '-'}")
            echo(f"  shasum:  {entry.get('shasum') or '-'}")
        echo("")
        return
    from rich.table import Table

    table = Table(title=f"Staged on {registry}", title_justify="left")
    for column in _COLUMNS:
        table.add_column(column, no_wrap=True)
    for row in rows:
        table.add_row(*row)
    print_rich(table)


def _actor(entry: Mapping[str, Any]) -> str:
    actor = str(entry.get("actor") or "-")
    return f"{actor} ({entry['actorType']})" if entry.get("actorType") else actor


@stage.command("view")
@json_option
@click.argument("stage_id", metavar="STAGE_ID")
@npm_registry_options
@consent_option
def view(stage_id: str, npm_registry: str | None, yes: bool) -> Reply:
    """Show one staged version."""
    from releasekit.stage.entries import stage_view

    viewed = stage_view(stage_id, project_dir=Path.cwd(), registry=npm_registry, consent=consent_factory(yes))

    def text() -> None:
        entry = _shown_entry(viewed.entry)
        echo(_describe_entry(entry))
        for key in (
            "id",
            "packageName",
            "version",
            "tag",
            "access",
            "actor",
            "actorType",
            "createdAt",
            "shasum",
        ):
            if entry.get(key) not in (None, ""):
                echo(f"  {key}: {entry[key]}")

    return Reply(envelope(True, registry=viewed.registry, stageId=viewed.stage_id, data=viewed.entry), text)


# -- download -----------------------------------------------------------------


@stage.command("download")
@json_option
@click.argument("stage_id", metavar="STAGE_ID")
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=True),
    default=None,
    metavar="PATH",
    help="File (or existing directory) to write; never overwritten. Default: ./NAME-VERSION-ID.tgz",
)
@npm_registry_options
@consent_option
def download(stage_id: str, output: str | None, npm_registry: str | None, yes: bool) -> Reply:
    """Download a staged tarball for inspection (sha1 checked against the stage entry)."""
    from releasekit.stage.download import stage_download

    downloaded = stage_download(
        stage_id, project_dir=Path.cwd(), registry=npm_registry, output=output, consent=consent_factory(yes)
    )
    saved = downloaded.saved

    def text() -> None:
        check = "matches the stage entry" if saved.verified else "NOT checked: the stage entry has no shasum"
        echo(
            f"{saved.name}@{saved.version}: {len(saved.files)} files, {human_size(saved.size)}, "
            f"sha1 {saved.shasum} ({check})"
        )
        for f in saved.files:
            echo(f"  {human_size(f.size):>9}  {visible(f.path)}")
        echo(f"Saved to {saved.path}")

    return Reply(
        envelope(True, registry=downloaded.registry, stageId=downloaded.stage_id, data=downloaded.to_dict()),
        text,
    )


# -- approve / reject ---------------------------------------------------------


def decision_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """What approve and reject both take: one id, a batch (ids, --all, --package) or a picker, and its OTPs."""
    options = (
        click.argument("stage_ids", metavar="[STAGE_ID]...", nargs=-1),
        click.option(
            "--all",
            "all_entries",
            is_flag=True,
            help="Every staged version (with --package, those of matching packages).",
        ),
        click.option(
            "--package",
            multiple=True,
            metavar="GLOB",
            help="With --all: only packages whose name matches this glob (e.g. '@acme/*'). Repeatable.",
        ),
        click.option(
            "--otp", default=None, metavar="CODE", help="One-time password from your authenticator."
        ),
        click.option(
            "--otp-command",
            default=None,
            metavar="COMMAND",
            help="A command printing the current TOTP code (e.g. a password manager's); asked again, in "
            "the next 30 s window, when the registry refuses to take one code twice.",
        ),
    )
    for option in reversed(options):  # as if stacked in this order above the command
        func = option(func)
    return func


@stage.command("approve")
@json_option
@decision_options
@click.option(
    "--skip-checks",
    is_flag=True,
    help="Approve without downloading, diffing and re-checking the staged tarball (not recommended).",
)
@click.option(
    "--skip-verify",
    is_flag=True,
    help="Approve without the source and provenance verification releasekit.yaml configures (verify:).",
)
@click.option(
    "-y",
    "--yes",
    is_flag=True,
    help="Do not ask for confirmation after the review (nor before NPM_TOKEN goes to a registry only "
    "project files name).",
)
@npm_registry_options
@click.pass_context
def approve(
    ctx: click.Context,
    stage_ids: tuple[str, ...],
    all_entries: bool,
    package: tuple[str, ...],
    otp: str | None,
    otp_command: str | None,
    skip_checks: bool,
    skip_verify: bool,
    yes: bool,
    npm_registry: str | None,
) -> Reply | None:
    """Approve staged versions: npm publishes them (needs 2FA).

    First each staged tarball is downloaded, diffed against the published version
    it replaces and put through its package's policies; approval is refused,
    before anything is sent, if they fail. --skip-checks skips that review.
    Then the verification releasekit.yaml configures (verify:) compares the
    staged tarball with the source and checks its provenance, before the OTP;
    --skip-verify skips it. Several ids, --all or (on a terminal, with no id) a picker approve a batch:
    one summary, one confirmation, one one-time password where the registry allows.
    """
    from releasekit.cli.stage_bulk import run_bulk, wants_bulk
    from releasekit.cli.stage_verify import announce_build, project_config, render
    from releasekit.stage.approve import stage_approve, verification_check
    from releasekit.stage.bulk import Action
    from releasekit.stage.verify import describe_skipped

    if wants_bulk(stage_ids, all_entries, package, otp_command):
        return run_bulk(
            ctx,
            Action.APPROVE,
            stage_ids=stage_ids,
            all_entries=all_entries,
            package=package,
            otp=otp,
            otp_command=otp_command,
            skip_checks=skip_checks,
            yes=yes,
            npm_registry=npm_registry,
            skip_verify=skip_verify or skip_checks,
        )
    config = project_config(None)
    if skip_verify and not skip_checks:
        _notice(describe_skipped(config))

    def show_verification(verified: VerifyResult) -> None:
        if not json_mode():
            render(verified, err=True)

    verify = verification_check(config, on_build=announce_build, on_result=show_verification)
    result = stage_approve(
        stage_ids[0],
        project_dir=Path.cwd(),
        registry=npm_registry,
        consent=consent_factory(yes),
        otp=otp,
        skip_checks=skip_checks,
        checks={} if skip_verify else {"verification": verify},
        skipped=("verification",) if skip_verify else (),
        confirm=None if yes or json_mode() else _confirm_approval,
        on_review=None if json_mode() else _render_review,
        notice=_notice,
        otp_prompt=_tty_otp_prompt(),
        web_auth_notify=_web_auth_notice,
    )
    said = (
        f"Approved {result.spec} (stage {result.stage_id}): it is now published with tag "
        f"{result.entry.get('tag') or 'latest'}."
    )
    return Reply(
        envelope(True, registry=result.registry, stageId=result.stage_id, data=result.to_dict()),
        lambda: echo(said),
    )


def _confirm_approval(result: ApprovalResult) -> bool:
    if not stdin_is_tty():
        return True
    prompt = layout_safe(f"Approve {result.spec}? It becomes public and installable.")
    return bool(click.confirm(prompt, default=False, err=True))


def _render_review(result: ApprovalResult) -> None:
    """Text mode: the diff summary and the policies' verdict, on stderr."""
    from releasekit.policy.reports import console as console_report
    from releasekit.review.report import render_diff

    review = result.review
    if review is None:
        return
    for renderable in render_diff(review.diff, summary_only=True):
        print_rich(renderable, err=True)
    print_rich("\n".join(console_report.summary_lines(review.session)), err=True)


# -- diff ---------------------------------------------------------------------


@stage.command("diff")
@json_option
@click.argument("stage_id", metavar="STAGE_ID")
@click.option(
    "--against",
    default=None,
    metavar="VERSION",
    help="Published version or dist-tag to compare with (default: the staged tag's version, else latest).",
)
@click.option(
    "--patch", is_flag=True, help="Also show text diffs of changed files (lines with secrets withheld)."
)
@npm_registry_options
@consent_option
def diff(stage_id: str, against: str | None, patch: bool, npm_registry: str | None, yes: bool) -> Reply:
    """Compare a staged version with the published one it would replace, security changes first.

    Both tarballs are downloaded, checked against their integrity and read in
    memory only; hostile entries (traversal, links, collisions) are reported,
    never followed.
    """
    from releasekit.review.report import render_diff
    from releasekit.stage.diff import stage_diff

    compared = stage_diff(
        stage_id,
        project_dir=Path.cwd(),
        registry=npm_registry,
        consent=consent_factory(yes),
        against=against,
        patch=patch,
    )

    def text() -> None:
        for renderable in render_diff(compared.diff):
            print_rich(renderable)
        for patch_text in (compared.patches or {}).values():
            echo(patch_text.rstrip("\n"))

    return Reply(
        envelope(True, registry=compared.registry, stageId=compared.stage_id, data=compared.to_dict()), text
    )


@stage.command("verify")
@json_option
@click.argument("stage_id", metavar="STAGE_ID")
@click.option(
    "--source",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="PATH",
    help="Project folder to pack (default: the current folder).",
)
@click.option(
    "--ref",
    default=None,
    metavar="REF",
    help="Git ref (tag, branch, commit) to check out into a temporary worktree and pack instead of the working tree.",
)
@click.option(
    "--build",
    is_flag=True,
    help="Run the build steps first (verify.build, else prepack/prepare): this runs the project's own code.",
)
@click.option(
    "--provenance-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="PATH",
    help="Sigstore bundle to check instead of the one the registry keeps with the staged version.",
)
@npm_registry_options
@consent_option
@click.pass_context
def verify(
    ctx: click.Context,
    stage_id: str,
    source: Path | None,
    ref: str | None,
    build: bool,
    provenance_file: Path | None,
    npm_registry: str | None,
    yes: bool,
) -> Reply:
    """Check that a staged tarball is what the project's source packs to, and who built it.

    The source (working tree, or --ref checked out in a temporary worktree) is
    packed exactly as npm packs it and compared entry by entry with the staged
    tarball: path, type, mode and bytes. Provenance is checked against
    verify.provenance in releasekit.yaml. Exit 1 on any difference.
    """
    from releasekit.cli.stage_verify import project_config, reply, run_verify
    from releasekit.registry.names import validate_stage_id
    from releasekit.stage.client import open_client, registry_for
    from releasekit.stage.verify import VerifyOptions

    stage_id = validate_stage_id(stage_id)
    if ref is not None and not ref.strip():
        raise UsageError("--ref is empty: give a tag, branch or commit")
    config = project_config(source)
    choice = registry_for(Path.cwd(), npm_registry)
    registry = choice.url
    options = VerifyOptions(source=source, ref=ref, build=build, provenance_file=provenance_file)
    with open_client(choice, Path.cwd(), consent=consent_factory(yes)) as client:
        result = run_verify(client, stage_id, options, config)
    return reply(result, registry)


@stage.command("reject")
@json_option
@decision_options
@click.option(
    "-y",
    "--yes",
    is_flag=True,
    help="With several versions: do not ask for confirmation; nor before NPM_TOKEN goes to a registry "
    "only project files name.",
)
@npm_registry_options
@click.pass_context
def reject(
    ctx: click.Context,
    stage_ids: tuple[str, ...],
    all_entries: bool,
    package: tuple[str, ...],
    otp: str | None,
    otp_command: str | None,
    yes: bool,
    npm_registry: str | None,
) -> Reply | None:
    """Reject staged versions: the registry deletes them permanently (needs 2FA).

    Several ids, --all [--package GLOB] or (on a terminal, with no id) a picker reject a batch.
    """
    from releasekit.cli.stage_bulk import run_bulk, wants_bulk
    from releasekit.stage.bulk import Action

    if wants_bulk(stage_ids, all_entries, package, otp_command):
        return run_bulk(
            ctx,
            Action.REJECT,
            stage_ids=stage_ids,
            all_entries=all_entries,
            package=package,
            otp=otp,
            otp_command=otp_command,
            skip_checks=False,
            yes=yes,
            npm_registry=npm_registry,
        )
    from releasekit.stage.reject import stage_reject

    result = stage_reject(
        stage_ids[0],
        project_dir=Path.cwd(),
        registry=npm_registry,
        otp=otp,
        consent=consent_factory(yes),
        notice=_notice,
        otp_prompt=_tty_otp_prompt(),
        web_auth_notify=_web_auth_notice,
    )
    said = f"Rejected {result.spec} (stage {result.stage_id}); it is gone for good."
    return Reply(
        envelope(True, registry=result.registry, stageId=result.stage_id, data=result.to_dict()),
        lambda: echo(said),
    )

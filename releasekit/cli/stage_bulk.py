"""``lpm stage approve|reject ID ID…`` / ``--all [--package GLOB]`` / the picker: flags in,
:func:`releasekit.stage.bulk.bulk_decide` called, one summary and one confirmation, one envelope out."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import rich_click as click

from releasekit.cli.output import Reply, echo, envelope, error_envelope, json_mode, print_rich
from releasekit.errors import UsageError
from releasekit.terminal import visible

if TYPE_CHECKING:
    from releasekit.registry.client import StagedVersion
    from releasekit.stage.approve import ApprovalCheck
    from releasekit.stage.bulk import Action, BulkItem, BulkResult
    from releasekit.stage.verify import VerifyResult

_CHOICE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+))?\s*$")


def wants_bulk(
    stage_ids: Sequence[str], all_entries: bool, package: Sequence[str], otp_command: str | None
) -> bool:
    """One id and no batch flag keeps the one-entry flow; anything else is a batch."""
    return len(stage_ids) != 1 or all_entries or bool(package) or otp_command is not None


def parse_choice(text: str, count: int) -> list[int]:
    """``"1,3-5"`` or ``"all"`` -> zero-based indexes; anything else is a usage error."""
    if text.strip().lower() in ("a", "all"):
        return list(range(count))
    chosen: list[int] = []
    for part in text.split(","):
        match = _CHOICE.match(part)
        if not match:
            raise UsageError(f"invalid choice {part.strip()!r}: use numbers and ranges like 1,3-5, or all")
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if not 1 <= first <= last <= count:
            raise UsageError(f"choice {part.strip()!r} is out of range 1-{count}")
        chosen.extend(i - 1 for i in range(first, last + 1) if i - 1 not in chosen)
    return chosen


def _picker(entries: Sequence[StagedVersion]) -> list[StagedVersion]:
    echo("Staged versions:", err=True)
    for n, entry in enumerate(entries, 1):
        echo(
            visible(f"  {n:>3}. {entry.package_name}@{entry.version}  tag {entry.tag or '-'}  {entry.id}"),
            err=True,
        )
    answer = str(
        click.prompt(
            "Which ones? (e.g. 1,3-5 or all; empty for none)", default="", show_default=False, err=True
        )
    )
    if not answer.strip():
        return []
    return [entries[i] for i in parse_choice(answer, len(entries))]


def _summary(result: BulkResult) -> None:
    from rich.table import Table

    table = Table(title=f"To {result.action} on {result.registry}", title_justify="left")
    for column in ("Package", "Version", "Tag", "Stage id", "Review"):
        table.add_column(column, no_wrap=column == "Stage id", overflow="fold")
    for item in result.items:
        review = "skipped" if item.review is None else ("BLOCKED" if item.reasons else _review_line(item))
        shown = (item.entry.package_name, item.entry.version, item.entry.tag or "", item.entry.id)
        table.add_row(*(visible(field) for field in shown), review)
    print_rich(table, err=True)


def _show_review(item: BulkItem) -> None:
    """Each entry's review as a one-entry approve shows it: the diff summary, security changes first."""
    if item.review is not None:
        from releasekit.review.report import render_diff

        for renderable in render_diff(item.review.diff, summary_only=True):
            print_rich(renderable, err=True)


def _approval_checks(package_dir: Path) -> Mapping[str, ApprovalCheck]:
    """The extra checks a one-entry approve runs, with that package's releasekit.yaml (else the root's)."""
    from releasekit.cli.stage_verify import announce_build, render
    from releasekit.stage.approve import verification_check
    from releasekit.stage.bulk import config_for

    def show(verified: VerifyResult) -> None:
        if not json_mode():
            render(verified, err=True)

    return {
        "verification": verification_check(config_for(package_dir), on_build=announce_build, on_result=show)
    }


def _review_line(item: BulkItem) -> str:
    assert item.review is not None
    score = getattr(item.review.session.score, "value", None)
    changes = len(getattr(item.review.diff, "files", ()) or ())
    verified = "".join(f", {name} passed" for name, outcome in item.checks.items() if outcome is not None)
    diff = item.review.diff
    if not diff.against:
        return f"passed{verified}, score {score}, first version"
    attention = (
        f", {len(diff.security)} security change{'s' if len(diff.security) != 1 else ''}"
        if diff.security
        else ""
    )
    return f"passed{verified}, score {score}, vs {diff.against}: {changes} file change{'s' if changes != 1 else ''}{attention}"


def run_bulk(
    ctx: click.Context,
    action: Action,
    *,
    stage_ids: Sequence[str],
    all_entries: bool,
    package: Sequence[str],
    otp: str | None,
    otp_command: str | None,
    skip_checks: bool,
    yes: bool,
    npm_registry: str | None,
    skip_verify: bool = True,
) -> Reply:
    from releasekit.cli.stage import _web_auth_notice, consent_factory, stdin_is_tty
    from releasekit.errors import BulkRefused, BulkStopped
    from releasekit.stage.bulk import (
        BatchOtp,
        bulk_decide,
        check_selection,
        select_entries,
    )
    from releasekit.stage.client import clean_otp, open_client, registry_for

    code = clean_otp(otp)
    if code is not None and otp_command is not None:
        raise UsageError("--otp and --otp-command cannot be used together")
    interactive = stdin_is_tty() and not json_mode()
    pick = _picker if interactive and not stage_ids and not all_entries else None
    stage_ids = check_selection(
        stage_ids, all_entries=all_entries, package=package, can_pick=pick is not None
    )

    def prompt(message: str) -> str | None:
        from releasekit.cli.stage import _otp_prompt

        return _otp_prompt(message)

    batch_otp = BatchOtp(
        code,
        command=otp_command,
        prompt=prompt if interactive else None,
        notice=lambda line: echo(line, err=True),
    )
    choice = registry_for(Path.cwd(), npm_registry)
    registry = choice.url

    def confirm(result: BulkResult) -> bool:
        if not json_mode():
            _summary(result)
        if yes or json_mode() or not stdin_is_tty():
            return True
        what = (
            "They become public and installable."
            if result.action == "approve"
            else "They are deleted for good."
        )
        return bool(
            click.confirm(
                f"{str(result.action).capitalize()} these {len(result.items)} versions? {what}",
                default=False,
                err=True,
            )
        )

    def done(item: BulkItem) -> None:
        if not json_mode():
            verb = "Approved" if action == "approve" else "Rejected"
            echo(f"{verb} {item.spec} (stage {item.entry.id})")

    with open_client(
        choice,
        Path.cwd(),
        consent=consent_factory(yes),
        otp_prompt=batch_otp.provider,
        web_auth_notify=_web_auth_notice,
    ) as client:
        entries = select_entries(
            client, stage_ids=stage_ids, all_entries=all_entries, package=package, pick=pick
        )
        if action == "reject" and not json_mode():
            echo(
                "Warning: rejecting permanently deletes the staged versions and their tarballs from the registry.",
                err=True,
            )
        if skip_checks and not json_mode():
            echo(
                "WARNING: --skip-checks: the staged tarballs were NOT downloaded, diffed or checked by any policy "
                "before approval.",
                err=True,
            )
        elif action == "approve" and skip_verify and not json_mode():
            from releasekit.cli.stage_verify import project_config
            from releasekit.stage.verify import describe_skipped

            echo(describe_skipped(project_config(None)), err=True)
        try:
            result = bulk_decide(
                client,
                action,
                entries,
                project_dir=Path.cwd(),
                otp=batch_otp,
                skip_checks=skip_checks,
                checks_for=None if skip_verify else _approval_checks,
                confirm=confirm,
                on_done=done,
                on_review=None if json_mode() else _show_review,
            )
        except (BulkRefused, BulkStopped) as exc:
            if json_mode():  # the envelope names the registry, which the error does not know
                document = error_envelope(
                    exc.message, exc.error_code, hint=exc.hint, registry=registry, **exc.envelope_fields()
                )
                return Reply(document, None, exc.exit_code)
            if isinstance(exc, BulkRefused):
                _summary(exc.result)
            raise
    said = f"{len(result.items)} version{'s' if len(result.items) != 1 else ''} {action}d."
    return Reply(
        envelope(
            True,
            registry=registry,
            action=str(action),
            checksSkipped=skip_checks,
            data=[i.to_dict() for i in result.items],
        ),
        lambda: echo(said),
    )

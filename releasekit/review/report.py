"""Render a :class:`StageDiff` for people: security first, then files, then content signals."""

from __future__ import annotations

from typing import Any

from releasekit.review.diff import StageDiff
from releasekit.terminal import visible


def _size(n: int | None) -> str:
    return "-" if n is None else f"{n:,} B"


def _delta(n: int) -> str:
    return f"{n:+,} B"


def render_diff(diff: StageDiff, *, summary_only: bool = False) -> list[Any]:
    """Rich renderables; ``summary_only`` (approve time) keeps the security section and counts."""
    from rich.table import Table
    from rich.text import Text

    out: list[Any] = []
    title = visible(f"{diff.name}@{diff.version}")
    if diff.first_version:
        out.append(Text(f"{title}: first version, nothing published to compare with.", style="bold"))
    else:
        out.append(Text(f"{title} against {diff.name}@{diff.against}", style="bold"))

    if diff.hostile:
        table = Table(
            title="Hostile tarball entries (not followed)", title_style="bold red", show_header=True
        )
        table.add_column("rule")
        table.add_column("entry")
        table.add_column("detail")
        for finding in diff.hostile:
            table.add_row(finding.rule_id, visible(finding.file or ""), finding.message)
        out.append(table)

    if diff.security:
        table = Table(title="Security-relevant manifest changes", title_style="bold yellow")
        table.add_column("kind")
        table.add_column("change")
        for change in diff.security:
            table.add_row(change.kind, change.message)
        out.append(table)
    elif not diff.first_version:
        out.append(Text("No security-relevant manifest changes.", style="green"))

    if diff.first_version:
        files = Table(title="Files", show_header=True)
        files.add_column("path")
        files.add_column("size", justify="right")
        for path, size in diff.new_files:
            files.add_row(visible(path), _size(size))
        out.append(files)
    else:
        counts = {s: sum(1 for c in diff.files if c.status == s) for s in ("added", "removed", "changed")}
        out.append(
            Text(
                f"Files: {counts['added']} added, {counts['removed']} removed, {counts['changed']} changed; "
                f"total size {_delta(diff.total_delta)}"
            )
        )
        if not summary_only and diff.files:
            files = Table(show_header=True)
            files.add_column("status")
            files.add_column("path")
            files.add_column("old", justify="right")
            files.add_column("new", justify="right")
            files.add_column("delta", justify="right")
            for file_change in diff.files:
                files.add_row(
                    file_change.status,
                    visible(file_change.path),
                    _size(file_change.old_size),
                    _size(file_change.new_size),
                    _delta(file_change.delta),
                )
            out.append(files)

    if diff.signals:
        table = Table(title="Content signals", title_style="bold yellow")
        table.add_column("kind")
        table.add_column("where")
        table.add_column("detail")
        for signal in diff.signals:
            where = f"{signal.file}:{signal.line}" if signal.line else signal.file
            table.add_row(signal.kind, visible(where), signal.detail)
        out.append(table)
    return out

"""``lpm quality [PATH]``: the 0-100 quality score of a package, check by check.

Runs only the quality checks (policies with a ``points`` marker: the built-in
ones and any the project adds). PATH is a project folder (default ``.``) or a
packed ``.tgz``, whose checks that need the repository are not applicable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import rich_click as click

from releasekit.cli.output import (
    Reply,
    echo,
    envelope,
    error_envelope,
    json_mode,
    json_option,
    print_rich,
)


@click.command("quality")
@json_option
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@click.option(
    "--min-score",
    type=click.IntRange(0, 100),
    default=None,
    metavar="N",
    help="Fail (exit 1) when the score is below N, 0-100 (default: quality.min_score).",
)
@click.option(
    "-p",
    "--policies",
    "policy_paths",
    multiple=True,
    metavar="PATH",
    help="Extra policy folder or file with quality checks (repeatable).",
)
@click.option("--no-builtin", is_flag=True, help="Leave out releasekit's built-in checks.")
def quality(path: Path, min_score: int | None, policy_paths: tuple[str, ...], no_builtin: bool) -> Reply:
    """Score the npm package at PATH (a project folder or a .tgz) from 0 to 100.

    Score = round(100 x earned / applicable): checks that cannot be computed
    (e.g. tests in the repository, for a tarball) are not applicable and
    leave the denominator. Exit codes: 0 at or above the minimum score; 1 below
    it (or a check is broken); 2 usage error.
    """
    from releasekit.stage.score import score_path

    scored = score_path(path, min_score=min_score, policy_paths=policy_paths, builtin=not no_builtin)
    result, fields, messages = scored.session, scored.to_dict(), scored.messages
    if result.exit_code == 0:
        document = envelope(True, **fields)
    else:  # the same envelope as every other failure, the report kept beside the error
        document = error_envelope("; ".join(messages) or "the quality gate failed", "gate_failed", **fields)

    def errors() -> None:
        for message in messages if not result.gate_passed else []:
            echo(f"Error: {message}", err=True)

    def text() -> None:
        _render(fields)
        errors()

    if json_mode():
        errors()  # on stderr, beside the document
    return Reply(document, text, result.exit_code)


def _points(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _render(doc: dict[str, Any]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Quality", title_justify="left", show_lines=False)
    table.add_column("", width=3)
    table.add_column("Category")
    table.add_column("Check")
    table.add_column("Points", justify="right")
    table.add_column("Detail", overflow="fold")
    for check in doc["checks"]:
        if not check["applicable"]:
            mark, points = Text("n/a", style="dim"), f"- / {_points(check['max_points'])}"
        elif check["passed"]:
            mark, points = (
                Text("✓", style="green"),
                f"{_points(check['points'])} / {_points(check['max_points'])}",
            )
        else:
            style = "yellow" if check["points"] else "red"
            mark, points = (
                Text("✗", style=style),
                f"{_points(check['points'])} / {_points(check['max_points'])}",
            )
        table.add_row(mark, check["category"] or "other", check["label"], points, Text(check["detail"] or ""))
    print_rich(table)
    if doc["score"] is None:
        print_rich("Score: n/a (no applicable checks)")
        return
    line = f"Score: [bold]{doc['score']}[/bold]/100 ({_points(doc['earned'])} of {_points(doc['applicable'])} points"
    na = sum(1 for c in doc["checks"] if not c["applicable"])
    line += f"; {na} check(s) not applicable)" if na else ")"
    if doc["min_score"]:
        line += f", minimum {doc['min_score']}"
    print_rich(line)

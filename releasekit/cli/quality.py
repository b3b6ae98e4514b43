"""``lpm quality [PATH]``: the 0-100 quality score of a package, check by check.

Runs only the quality checks (policies with a ``points`` marker: the built-in
ones and any the project adds). PATH is a project folder (default ``.``) or a
packed ``.tgz``, whose checks that need the repository are not applicable.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from releasekit.errors import UsageError

if TYPE_CHECKING:
    from releasekit.policy.result import PolicyResult, SessionResult

# Display order; a team's own categories follow, alphabetically.
CATEGORIES = ("documentation", "code quality", "testing", "health")
QUALITY_KEYWORD = "points"  # every quality check carries the points marker


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
    from releasekit.config import load_config
    from releasekit.options import StageOptions
    from releasekit.package.target import load_target
    from releasekit.policy.session import run_policies

    target = load_target(path, command="lpm quality")
    project = target.project
    config = load_config(project)
    package = target.packed(config)
    result = run_policies(
        project,
        options=StageOptions(min_score=min_score, dry_run=True),
        config=config,
        package=package,
        keyword=QUALITY_KEYWORD,
        paths=list(policy_paths),
        builtin=not no_builtin,
    )
    if result.score is None and not _not_applicable(result):
        raise UsageError(f"{path}: no quality checks collected (policies with @releasekit.mark.points)")
    fields = report(result)
    messages = [f"{e.location}: {e.message}" for e in result.collection_errors] + list(result.gate_messages)
    if result.exit_code == 0:
        document = envelope(True, **fields)
    else:  # the same envelope as every other failure, the report kept beside the error
        document = error_envelope("; ".join(messages) or "the quality gate failed", "gate_failed", **fields)

    def errors() -> None:
        for message in messages if not result.gate_passed else []:
            echo(f"Error: {message}", err=True)

    def text() -> None:
        _render(result)
        errors()

    if json_mode():
        errors()  # on stderr, beside the document
    return Reply(document, text, result.exit_code)


def _quality_results(result: SessionResult) -> list[PolicyResult]:
    return [r for r in result.results if r.points is not None]


def _not_applicable(result: SessionResult) -> list[PolicyResult]:
    return [r for r in _quality_results(result) if str(r.outcome) == "skipped"]


def _category_order(category: str | None) -> tuple[int, str]:
    name = category or "other"
    return (CATEGORIES.index(name) if name in CATEGORIES else len(CATEGORIES), name)


def report(result: SessionResult) -> dict[str, Any]:
    """``{score, earned, applicable, checks: [...]}``; n/a checks have ``applicable: false``."""
    score = result.score
    scored = {c.id: c for c in score.checks} if score is not None else {}
    checks = []
    for item in sorted(_quality_results(result), key=lambda r: _category_order(r.category)):
        check = scored.get(item.id)
        if check is not None:
            checks.append({**check.to_dict(), "applicable": True})
        else:
            checks.append(
                {
                    "id": item.id,
                    "category": item.category,
                    "label": item.label or item.name,
                    "passed": None,
                    "points": None,
                    "max_points": item.points,
                    "detail": item.message,
                    "applicable": False,
                }
            )
    return {
        "score": score.value if score is not None else None,
        "earned": score.earned if score is not None else 0,
        "applicable": score.applicable if score is not None else 0,
        "min_score": result.min_score,
        "gate_passed": result.gate_passed,
        "gate_messages": list(result.gate_messages),
        "checks": checks,
        "collection_errors": [e.to_dict() for e in result.collection_errors],
    }


def _points(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _render(result: SessionResult) -> None:
    from rich.table import Table
    from rich.text import Text

    doc = report(result)
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

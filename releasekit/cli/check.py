"""``lpm check [PATH]``: run the policies on the package at PATH, without contacting staging.

Local by default, like ``stage publish --dry-run``: the registry rules (version
and tag against the live packument) run only with ``--remote``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import rich_click as click

from releasekit.cli.output import Reply, echo, envelope, json_option, print_rich
from releasekit.errors import UsageError


def _pairs(values: tuple[str, ...], what: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name.strip() or not rest:
            raise UsageError(f"{what} must look like NAME=VALUE, got {value!r}")
        pairs[name.strip()] = rest
    return pairs


@click.command("check")
@json_option
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@click.option(
    "-k",
    "keyword",
    default=None,
    metavar="EXPR",
    help="Only run policies matching EXPR: names, markers and categories with and/or/not, e.g. 'readme and not slow'.",
)
@click.option("--list", "list_only", is_flag=True, help="Collect and list the policies; run nothing.")
@click.option(
    "-p",
    "--policies",
    "policy_paths",
    multiple=True,
    metavar="PATH",
    help="Extra policy folder or file (repeatable), after policies.paths of releasekit.yaml.",
)
@click.option("--no-builtin", is_flag=True, help="Leave out releasekit's built-in policies.")
@click.option(
    "--min-score",
    type=click.IntRange(0, 100),
    default=None,
    metavar="N",
    help="Fail when the quality score is below N (0-100; default quality.min_score).",
)
@click.option("--allow-secrets", is_flag=True, help="Report found secrets as warnings instead of failing.")
@click.option(
    "--update-baseline",
    is_flag=True,
    help="Record the secrets found now in the detect-secrets baseline, then check.",
)
@click.option(
    "--junitxml",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="PATH",
    help="Also write a JUnit XML report to PATH.",
)
@click.option(
    "--sarif",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="PATH",
    help="Also write a SARIF 2.1.0 report to PATH (for code scanning).",
)
@click.option(
    "--report",
    "report_specs",
    multiple=True,
    metavar="FORMAT=PATH",
    help="Write a report in FORMAT (json, junitxml, sarif or a plugin's format) to PATH (repeatable).",
)
@click.option(
    "-o",
    "--option",
    "plugin_option_specs",
    multiple=True,
    metavar="NAME=VALUE",
    help="Set an option declared by a plugin (repeatable).",
)
@click.option(
    "--remote",
    is_flag=True,
    help="Also run the registry rules (version and tag against the live packument; read-only).",
)
@click.option(
    "--tag", default=None, metavar="TAG", help="Dist-tag the version would be staged under (for --remote)."
)
@click.option(
    "--npm-registry", "npm_registry", default=None, metavar="URL", help="npm registry for --remote."
)
@click.option("-v", "--verbose", is_flag=True, help="Show passed and skipped policies and error tracebacks.")
@click.pass_obj
def check(
    early: dict[str, Any] | None,
    path: Path,
    keyword: str | None,
    list_only: bool,
    policy_paths: tuple[str, ...],
    no_builtin: bool,
    min_score: int | None,
    allow_secrets: bool,
    update_baseline: bool,
    junitxml: Path | None,
    sarif: Path | None,
    report_specs: tuple[str, ...],
    plugin_option_specs: tuple[str, ...],
    remote: bool,
    tag: str | None,
    npm_registry: str | None,
    verbose: bool,
) -> Reply:
    """Run the policies on the npm package at PATH (default: the current folder).

    PATH is a project folder (with package.json) or a packed .tgz; for a
    tarball, policies and releasekit.yaml come from the current folder.

    Exit codes: 0 every gate passed; 1 a policy or the score gate failed (or a
    policy file could not be loaded); 2 usage error; 3 internal error; 4 no
    policies collected.
    """
    from releasekit.cli.progress import progress_display
    from releasekit.stage.check import CheckRequest, check_path

    reports: dict[str, Any] = _pairs(report_specs, "--report")
    if junitxml is not None:
        reports["junitxml"] = junitxml
    if sarif is not None:
        reports["sarif"] = sarif
    request = CheckRequest(
        keyword=keyword,
        list_only=list_only,
        policy_paths=policy_paths,
        builtin=not no_builtin,
        min_score=min_score,
        allow_secrets=allow_secrets,
        update_baseline=update_baseline,
        reports=reports,
        plugin_options=_pairs(plugin_option_specs, "-o/--option"),
        remote=remote,
        tag=tag,
        registry=npm_registry,
    )
    # early: work main() started before this module was imported; check_path owns its scan child from here
    with progress_display() as shown:
        checked = check_path(
            path, request, progress=shown.callback, secret_scan=(early or {}).pop("secret_scan", None)
        )
    result, error = checked.session, checked.error
    doc = envelope(result.gate_passed and result.exit_code == 0, **result.to_dict())
    if error:
        doc.update(error=error[0], error_code=error[1], exit_code=error[2])

    def text() -> None:
        from releasekit.policy.reports import console

        if checked.baseline_written is not None:
            echo(f"secrets baseline updated: {checked.baseline_written}")
        lines = console.list_lines(result) if list_only else console.summary_lines(result, verbose=verbose)
        print_rich("\n".join(lines))
        for name, written in result.reports_written.items():
            echo(f"{name} report written to {written}")
        if error:
            echo(f"Error: {error[0]}", err=True)

    return Reply(doc, text, checked.exit_code)

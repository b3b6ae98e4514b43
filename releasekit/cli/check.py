"""``lpm check [PATH]``: run the policies on the package at PATH, without contacting staging.

Local by default, like ``stage publish --dry-run``: the registry rules (version
and tag against the live packument) run only with ``--remote``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import rich_click as click

from releasekit.cli.output import Reply, echo, envelope, json_option, print_rich
from releasekit.errors import ExitCode, UsageError
from releasekit.package.target import TARBALL_SUFFIXES

if TYPE_CHECKING:
    from releasekit.config import Config
    from releasekit.package.model import PackedPackage


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
def check(
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
    from releasekit.config import load_config
    from releasekit.package.target import load_target

    if update_baseline and path.is_file() and path.name.endswith(TARBALL_SUFFIXES):
        raise UsageError("--update-baseline needs a project folder, not a tarball")
    target = load_target(path, command="lpm check")
    project, package = target.project, target.package
    config = load_config(project)
    early_scan = None
    if not list_only and package is None and not update_baseline:
        from releasekit.scan.background import start_before_packing

        # first: the child imports detect-secrets while this process imports and packs
        early_scan = start_before_packing(config)
    try:
        from releasekit.cli.progress import progress_display
        from releasekit.options import StageOptions
        from releasekit.policy.session import run_policies

        reports: dict[str, Any] = _pairs(report_specs, "--report")
        if junitxml is not None:
            reports["junitxml"] = junitxml
        if sarif is not None:
            reports["sarif"] = sarif
        if (tag is not None or npm_registry is not None) and not remote:
            raise UsageError("--tag and --npm-registry apply to the registry rules: add --remote")
        if tag is not None:
            from releasekit.stage.target import validate_tag

            tag = validate_tag(tag, "--tag")
        if not list_only:
            package = target.packed(config, gzip="lazy")  # only a policy reading the bytes pays for gzip
            if early_scan is not None and not early_scan.send(package):
                early_scan = None  # too large to copy to it: the session scans as it would without
        manifest = package.manifest if package is not None else {}
        if not list_only:
            # A bad registry URL (flag, publishConfig, releasekit.yaml, .npmrc) is a usage error, found before any policy
            # runs (the registry fixture resolves it even for a local check).
            from releasekit.stage.target import resolve_registry

            publish_config = manifest.get("publishConfig")
            resolve_registry(
                npm_registry,
                publish_config=publish_config if isinstance(publish_config, dict) else None,
                config=config,
                project_dir=project,
                name=str(manifest.get("name") or "") or None,
            )
        options = StageOptions(
            min_score=min_score,
            allow_secrets=allow_secrets,
            dry_run=not remote,
            tag=tag,
            registry=npm_registry,
        )
        if update_baseline and not list_only:
            _update_baseline(project, config, target.packed(config, gzip="lazy"))
        with progress_display() as shown:
            result = run_policies(
                project,
                options=options,
                config=config,
                package=package,
                keyword=keyword,
                paths=list(policy_paths),
                builtin=not no_builtin,
                plugin_options=_pairs(plugin_option_specs, "-o/--option"),
                reports=reports,
                collect_only=list_only,
                progress=shown.callback,
                secret_scan=early_scan,
            )
    finally:
        if early_scan is not None:
            early_scan.cancel()
    # A bad input file (a broken baseline...) or an unusable registry is one cause behind policy errors:
    # name it once, on one line, like every other command.
    error, error_code, code = None, None, int(result.exit_code)
    if result.input_error:
        error, error_code, code = result.input_error, "usage", int(ExitCode.USAGE)
    elif result.registry_error:
        error, error_code = f"the registry rules could not run: {result.registry_error}", "registry"
    doc = envelope(result.gate_passed and result.exit_code == 0, **result.to_dict())
    if error:
        doc.update(error=error, error_code=error_code, exit_code=code)

    def text() -> None:
        from releasekit.policy.reports import console

        lines = console.list_lines(result) if list_only else console.summary_lines(result, verbose=verbose)
        print_rich("\n".join(lines))
        for name, written in result.reports_written.items():
            echo(f"{name} report written to {written}")
        if error:
            echo(f"Error: {error}", err=True)

    return Reply(doc, text, code)


def _update_baseline(project: Path, config: Config, package: PackedPackage) -> None:
    """Record today's secrets of ``package`` in the baseline; the check then runs on that same package."""
    from releasekit.scan.baseline import update_baseline

    written = update_baseline(project, package, config)
    if written is not None:
        echo(f"secrets baseline updated: {written}")

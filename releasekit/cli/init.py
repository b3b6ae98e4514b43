"""``lpm init [PATH]``: scaffold releasekit into a JS project (see :mod:`releasekit.scaffold`)."""

from __future__ import annotations

from pathlib import Path

import rich_click as click

from releasekit.cli.output import Reply, echo, envelope, json_mode, json_option

_VERBS = {"create": "create", "overwrite": "overwrite", "unchanged": "keep (same content)"}


@click.command("init")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), default=Path("."), required=False)
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@json_option
def init(path: Path, force: bool, dry_run: bool) -> Reply:
    """Scaffold releasekit into the JS project at PATH (default: here).

    In a workspace root (package.json "workspaces" or pnpm-workspace.yaml) the
    sessions and the workflow stage and approve every package (--recursive).

    Writes noxfile.py (the release sessions), a commented releasekit.yaml,
    policies/policy_example.py with a fixture in policies/policyconf.py, and
    .github/workflows/stage.yml (OIDC trusted publishing with provenance).
    Never overwrites an existing file unless --force is given.
    """
    from releasekit.scaffold import scaffold

    result = scaffold(path, force=force, dry_run=dry_run)
    planned = result.files
    if json_mode():  # warnings go to stderr beside the document, as in text mode
        for warning in result.warnings:
            echo(f"Warning: {warning}", err=True)

    def text() -> None:
        for warning in result.warnings:
            echo(f"Warning: {warning}", err=True)
        prefix = "would " if dry_run else ""
        for f in planned:
            verb = _VERBS[f.action] if not dry_run or f.action == "unchanged" else prefix + _VERBS[f.action]
            echo(f"  {verb:<22} {f.path}")
        if dry_run:
            echo("Dry run: nothing written.")
            for f in planned:
                if f.action != "unchanged":
                    echo(f"\n--- {f.path} ---\n{f.content.decode('utf-8', errors='replace').rstrip()}")
        else:
            where = "this folder" if path.resolve() == Path.cwd().resolve() else str(path)
            echo(f"releasekit is set up in {where}; next: `nox -l`, then `lpm check` or `nox -s check`.")

    return Reply(envelope(True, **result.to_dict()), text)

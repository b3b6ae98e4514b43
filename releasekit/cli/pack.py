"""``lpm pack [PATH] [--dry-run] [--json]``: pack the project as ``npm pack`` does.

Without ``--dry-run`` the tarball is written to ``<name>-<version>.tgz`` in the
current directory. Like ``npm pack``, an existing file of that name is
replaced; the write is atomic (temporary file, then rename), so a failed run
never leaves a half-written tarball.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import rich_click as click

from releasekit.atomicfile import write_atomic
from releasekit.cli.output import Reply, echo, envelope, human_size, json_option
from releasekit.terminal import visible

if TYPE_CHECKING:
    from releasekit.package.model import PackedPackage


def describe(package: PackedPackage, bundled: list[str]) -> dict[str, Any]:
    """npm pack --json's fields for one package."""
    from releasekit.package.collation import collation_key

    files = sorted(package.files, key=lambda f: collation_key(f.path, numeric=True, accents=False))
    upper = [f for f in files if f.path[:1] == f.path[:1].upper()]
    lower = [f for f in files if f.path[:1] != f.path[:1].upper()]
    return {
        "id": package.spec,
        "name": package.name,
        "version": package.version,
        "size": len(package.tarball),
        "unpackedSize": package.unpacked_size,
        "shasum": package.shasum,
        "integrity": package.integrity,
        "filename": package.filename,
        "files": [{"path": f.path, "size": f.size, "mode": f.mode} for f in upper + lower],
        "entryCount": len(package.files),
        "bundled": bundled,
    }


@click.command("pack")
@json_option
@click.argument("path", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would be packed; write nothing.")
@click.option(
    "--pack-destination",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    metavar="DIR",
    help="Directory to write the tarball to (default: the current directory).",
)
def pack(path: Path, dry_run: bool, pack_destination: Path | None) -> Reply:
    """Pack the project at PATH (default: .) exactly as `npm pack` would, with
    workspace: and catalog: dependencies rewritten in the packed package.json.

    Writes NAME-VERSION.tgz (scope folded in: @s/n -> s-n) to the current
    directory or --pack-destination, atomically, replacing an existing file
    as npm does; --dry-run writes nothing.
    """
    from releasekit.config import CONFIG_FILENAME, load_config
    from releasekit.package.pack import pack_project

    # without a releasekit.yaml the defaults apply: skip loading the validator
    config = load_config(path) if (path / CONFIG_FILENAME).exists() else None
    package = pack_project(path, config)
    bundled = sorted(
        {
            f.path.split("/")[1]
            if not f.path.startswith("node_modules/@")
            else "/".join(f.path.split("/")[1:3])
            for f in package.files
            if f.path.startswith("node_modules/")
        }
    )
    info = describe(package, bundled)
    written: Path | None = None
    if not dry_run:
        written = (pack_destination or Path.cwd()) / package.filename
        write_atomic(written, package.tarball, what="the tarball")  # replaces an older one, as npm pack does
    document = envelope(True, dry_run=dry_run, written=str(written) if written else None, package=info)

    def text() -> None:
        echo(f"package: {info['id']}")
        echo("Tarball Contents")
        for f in info["files"]:
            echo(f"{human_size(f['size']):>8}  {visible(f['path'])}")
        echo("Tarball Details")
        echo(f"name:          {info['name']}")
        echo(f"version:       {info['version']}")
        echo(f"filename:      {info['filename']}")
        echo(f"package size:  {human_size(info['size'])}")
        echo(f"unpacked size: {human_size(info['unpackedSize'])}")
        echo(f"shasum:        {info['shasum']}")
        echo(f"integrity:     {info['integrity']}")
        echo(f"total files:   {info['entryCount']}")
        if bundled:
            echo(f"bundled deps:  {', '.join(bundled)}")
        if written is not None:
            echo(info["filename"])

    return Reply(document, text)

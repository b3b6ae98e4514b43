"""``lpm pack [PATH] [--dry-run] [--json]``: pack the project as ``npm pack`` does
(:func:`releasekit.package.npm_pack.pack_to`), and say what was packed."""

from __future__ import annotations

from pathlib import Path

import rich_click as click

from releasekit.cli.output import Reply, echo, envelope, human_size, json_option
from releasekit.terminal import visible


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
    from releasekit.package.npm_pack import pack_to

    packed = pack_to(path, pack_destination, dry_run=dry_run)
    document = envelope(True, **packed.to_dict())
    info, bundled, written = document["package"], packed.bundled, packed.written

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

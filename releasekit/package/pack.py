"""Pack a project directory as ``npm pack`` would.

PLACEHOLDER (issue 2): reads every file except .git and node_modules and
builds an uncompressed-order tarball. The packing issue replaces this with
npm-compatible file selection, manifest rewriting and a reproducible tarball.
The signature is the contract: ``pack_project(project_dir, config=None)``.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

from releasekit.config import Config
from releasekit.errors import ManifestError
from releasekit.package.model import PackedFile, PackedPackage


def pack_project(project_dir: Path | str, config: Config | None = None) -> PackedPackage:
    root = Path(project_dir)
    try:
        manifest = json.loads((root / "package.json").read_text("utf-8"))
    except FileNotFoundError as exc:
        raise ManifestError(f"{root / 'package.json'}: not found") from exc
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{root / 'package.json'}:{exc.lineno}: invalid JSON: {exc.msg}") from exc
    files = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if not path.is_file() or rel.split("/")[0] in {".git", "node_modules"}:
            continue
        data = path.read_bytes()
        files.append(PackedFile(rel, len(data), 0o644, data))
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        for f in files:
            info = tarfile.TarInfo("package/" + f.path)
            info.size, info.mode = f.size, f.mode
            tar.addfile(info, io.BytesIO(f.data))
    return PackedPackage(manifest, tuple(files), buf.getvalue(), root)

"""Which project folder, if any, a score may look at besides the packed tarball.

A score is a function of the tarball plus, when one is given, the project
folder it was packed from. The folder is given when the package was packed
from it (``lpm quality DIR``, ``lpm stage publish``), or when the run's folder
is a checkout of the same package: its ``package.json`` has the same name.
That is how approve-time review (run in the reviewer's checkout) and
``lpm quality x.tgz`` run in the checkout see what stage time saw. Otherwise
the checks that need the folder are not applicable.
"""

from __future__ import annotations

import json
from pathlib import Path

from releasekit.package.model import PackedPackage
from releasekit.regularfile import read_regular_text


def project_folder(package: PackedPackage, project_dir: Path | None) -> Path | None:
    if package.source_dir is not None:
        return package.source_dir if package.source_dir.is_dir() else None
    if project_dir is None or not project_dir.is_dir():
        return None
    try:
        manifest = json.loads(read_regular_text(project_dir / "package.json", "utf-8-sig"))
    except (OSError, ValueError):
        return None
    if isinstance(manifest, dict) and manifest.get("name") == package.name and package.name:
        return project_dir
    return None

"""A 5-package workspace for the recursive staging tests, in an npm-style or a pnpm-style layout.

Packages (``P`` a unique prefix), each a copy of docs/example-package so the policies pass:

- ``P-core``: no workspace dependencies;
- ``P-util``: ``P-core`` as ``workspace:^``;
- ``P-app``: ``P-util`` as ``workspace:*`` and ``P-core`` as ``catalog:``;
- ``P-internal``: ``"private": true``;
- ``P-legacy``: its 1.0.0 is published before the run (the test does that).

The root's ``releasekit.yaml`` lets first versions be staged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.stage.conftest import write_example


@dataclass
class WorkspaceLayout:
    root: Path
    prefix: str
    kind: str  # "npm" | "pnpm"

    def name(self, short: str) -> str:
        return f"{self.prefix}-{short}"

    def dir(self, short: str) -> Path:
        return self.root / "packages" / short

    def set_manifest(self, short: str, **changes: Any) -> None:
        path = self.dir(short) / "package.json"
        manifest = json.loads(path.read_text())
        manifest.update(changes)
        path.write_text(json.dumps(manifest, indent=2) + "\n")


def make_workspace(root: Path, prefix: str, kind: str) -> WorkspaceLayout:
    layout = WorkspaceLayout(root, prefix, kind)
    core, util = layout.name("core"), layout.name("util")
    catalog = {core: "^1.1.0"}
    root.mkdir(parents=True)
    root_manifest: dict[str, Any] = {"name": f"{prefix}-root", "version": "0.0.0", "private": True}
    if kind == "pnpm":
        lines = [
            "packages:",
            "  - 'packages/*'",
            "catalog:",
            *(f"  '{k}': '{v}'" for k, v in catalog.items()),
        ]
        (root / "pnpm-workspace.yaml").write_text("\n".join(lines) + "\n")
    else:
        root_manifest.update(workspaces=["packages/*"], catalog=catalog)  # bun's top-level catalog
    (root / "package.json").write_text(json.dumps(root_manifest, indent=2) + "\n")
    # the root's releasekit.yaml serves every package without one: first versions may be staged
    (root / "releasekit.yaml").write_text("versions:\n  require_existing_package: false\n")
    specs: dict[str, dict[str, Any]] = {
        "core": {},
        "util": {"dependencies": {core: "workspace:^"}},
        "app": {"dependencies": {util: "workspace:*", core: "catalog:"}},
        "internal": {"private": True, "dependencies": {core: "workspace:*"}},
        "legacy": {"version": "1.0.0"},
    }
    for short, extra in specs.items():
        version = extra.pop("version", "1.1.0")
        write_example(layout.dir(short), layout.name(short), version, **extra)
    return layout
